// Public surface of data-subject requests.
export { PrivacyRequests, PRIVACY_SOURCE, type RequestsOptions } from './requests.js';
export { Suppressions } from './suppression.js';
export { privacyRequestRoutes } from './routes.js';
export { PERSONAL_DATA, EXEMPT_TABLES, type PersonalTable } from './personal-data.js';
export { eraseSubject, compactStore, existingTables } from './purge.js';
export { resolveSubject, keyedHash } from './subject.js';
