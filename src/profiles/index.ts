// Public surface of profiles: the pure state fold used by identity resolution, the computed-trait
// definitions and the read side of the profile API.
export { emptyState, foldEvent, combineStates, traitValues, traitWins, type ProfileState, type FoldContext, type TraitEntry } from './profile-state.js';
export { computedValue, windowedValue, isIncremental, isStored, type AggState, type FoldEvent } from './computed-traits.js';
export { ComputedTraitDefinition, ProfileView } from './schema.js';
export { loadDefinitions } from './definitions-store.js';
export { ProfileReader } from './reader.js';
