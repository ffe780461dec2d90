// Public surface of identity resolution.
import './tables.js';

export { IdentityEngine, IDENTITY_STAGE, PROFILE_FEED_LOCK } from './engine.js';
export { identityStage } from './stage.js';
export { identityFeed, type IdentityFeed } from './input-feed.js';
export { unmerge, type UnmergeResult } from './unmerge.js';
export { resetIdentity } from './rebuild.js';
export { identitySealedColumns, sealIdentityAtStart } from './sealed-columns.js';
export { loadRules, saveRules } from './rules-store.js';
export { lookupKey } from './lookup.js';
export { keyingOf, storedKeys, revealKeys } from './keying.js';
export { splitKey, identifierKey, extractIdentifiers, normaliseIdentifier, type Identifier } from './identifiers.js';
export { writeProfiles, inChunks } from './store.js';
export { IdentityRules, IdentifierRule, IdentifierRef } from './schema.js';
export { DEFAULT_RULES } from './default-rules.js';
