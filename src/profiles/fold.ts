// The pure side of profiles that identity resolution builds on: the state fold and the computed-trait
// definitions. Identity imports this, never the profiles index (whose reader imports identity).
export { emptyState, foldEvent, combineStates, traitValues, traitWins, type ProfileState, type FoldContext, type TraitEntry } from './profile-state.js';
export { computedValue, windowedValue, isIncremental, isStored, type AggState, type FoldEvent } from './computed-traits.js';
export { ComputedTraitDefinition, ProfileView } from './schema.js';
export { loadDefinitions } from './definitions-store.js';
