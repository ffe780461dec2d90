// Public surface of profiles: the pure state fold used by identity resolution (also reachable as
// ./fold.js, which identity uses), the computed-trait definitions and the read side of the profile API.
export * from './fold.js';
export { ProfileReader } from './reader.js';
