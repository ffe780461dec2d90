// How much work the heavier tests do. By default a size that still proves the point and keeps the
// whole `.ci/run` near six minutes on two busy cores; `MERIDIAN_TEST_FULL=1` runs the sizes the
// capabilities were specified at (1M-row import, thousands of property runs, the full fuzz corpus),
// for a nightly run or before a release.
export const FULL_TESTS = process.env.MERIDIAN_TEST_FULL === '1';

/** `full` under MERIDIAN_TEST_FULL=1, `quick` otherwise. */
export const bySize = <T>(full: T, quick: T): T => (FULL_TESTS ? full : quick);
