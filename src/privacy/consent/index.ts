// Public surface of consent: the one decision (consentAllows) and the store/routes behind it.
export { consentAllows, eventPreferences, foldPreferences, statedPreference, type CategoryPreferences, type ConsentCheck } from './allows.js';
export { ConsentStore } from './store.js';
export { consentRoutes } from './routes.js';
