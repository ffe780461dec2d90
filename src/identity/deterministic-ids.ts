// Profile and component ids derived from the identifier and the time of the event that created them,
// so that replaying the same events in canonical order always yields the same ids (order
// independence, rebuilds that match). The time prefix (like a ULID) keeps recently created rows
// together in every index keyed by these ids, which is what keeps write amplification low on
// large stores: active profiles' pages stay few and hot instead of spread over the whole B-tree.
import { createHash } from 'node:crypto';

const digest = (key: string) => createHash('sha256').update(key).digest('base64url').slice(0, 16);
// Fixed width, so ids sort by creation time (base 36, 9 digits: good until the year 5138).
const timePrefix = (ts: number) => Math.max(0, Math.floor(ts)).toString(36).padStart(9, '0');

/** The id of the profile first created for this identifier by an event at `ts`. */
export const profileIdFor = (identifierKey: string, ts: number) => `prof_${timePrefix(ts)}${digest(identifierKey)}`;

/** The id of the component first seen with this identifier in an event at `ts`. */
export const componentIdFor = (identifierKey: string, ts: number) => `comp_${timePrefix(ts)}${digest(identifierKey)}`;
