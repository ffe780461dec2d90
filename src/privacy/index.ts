// Public surface of privacy: consent (one decision for every send) and data-subject requests, wired
// together by createPrivacy; classification, masking and field encryption of personal data. Other capabilities import consent from './consent/index.js' directly
// when privacy's own imports of theirs would make a cycle (destinations).
import './tables.js';
import type { FastifyInstance } from 'fastify';
import type { ApiKeyStore } from '../auth/index.js';
import type { EventLog } from '../log/index.js';
import type { Clock } from '../shared/clock.js';
import type { SecretBox } from '../shared/secret-box.js';
import type { Db, Dialect } from '../storage/index.js';
import { ProfileReader } from '../profiles/index.js';
import { ConsentStore, consentRoutes } from './consent/index.js';
import { deliveryPayloads } from '../destinations/index.js';
import { PrivacyRequests, Suppressions, privacyRequestRoutes } from './dsr/index.js';
import type { RequestMasker } from '../shared/masker.js';

export * from './consent/index.js';
export * from './dsr/index.js';

// Personal data on the way out (classification, masking by access level, log redaction) and at rest
// (field encryption, TLS in src/http/tls.ts).
export { PiiKind, PII_KINDS } from './classification/kinds.js';
export { Classifier, type FieldSetting } from './classification/classifier.js';
export { ClassificationStore } from './classification/store.js';
export { classificationRoutes } from './classification/routes.js';
export { piiAccessOf, PII_ACCESS, type PiiAccess } from '../auth/index.js';
export { maskerFor } from './masking/mask-tree.js';
export type { Masker, RequestMasker } from '../shared/masker.js';
export { maskEmail, maskPhone, maskName, maskAddress } from './masking/formats.js';
export { installMasking, maskerOf } from './masking/response-hook.js';
export { loadKeks, type Keks } from '../shared/encryption/kek.js';
export { FieldCipher, type DataKeyView } from '../shared/encryption/field-cipher.js';
export { Reencryptor, type SealedColumn } from '../shared/encryption/reencrypt.js';
export { keyRoutes } from './encryption/routes.js';

/** The consent store, created before destinations (which check every send against it). */
export const createConsent = (db: Db, dialect: Dialect, clock: Clock) => new ConsentStore(db, dialect, clock);

export async function createPrivacy(o: {
  app: FastifyInstance;
  db: Db;
  dialect: Dialect;
  clock: Clock;
  log: EventLog;
  keys: ApiKeyStore;
  box: SecretBox;
  consent: ConsentStore;
  /** Wakes the delivery engine (audience removals of a delete). */
  pokeDeliveries: () => void;
  forwardTimeoutMs: number;
  compactAfterDelete: boolean;
  /** Storage.compact (SQLite): compaction of the main file. */
  compactMain?: () => Promise<void>;
  dataDir: string;
}) {
  const profiles = new ProfileReader(o.db, o.dialect, o.clock);
  const hashKey = o.box.derive('privacy identifiers');
  const suppressions = new Suppressions(o.db, hashKey, o.clock);
  o.log.admitWith(suppressions.admission);
  const requests = new PrivacyRequests({
    db: o.db,
    dialect: o.dialect,
    clock: o.clock,
    log: o.log,
    box: o.box,
    hashKey,
    profiles,
    consent: o.consent,
    suppressions,
    forward: { poke: o.pokeDeliveries, timeoutMs: o.forwardTimeoutMs, outbox: deliveryPayloads(o.dialect, o.log.payloads.cipher) },
    compact: o.compactAfterDelete,
    compactMain: o.compactMain,
    dataDir: o.dataDir,
    onError: (err, requestId) => o.app.log.error({ err, requestId }, 'privacy request failed'),
  });
  await o.app.register(consentRoutes, { keys: o.keys, store: o.consent, profiles });
  await o.app.register(privacyRequestRoutes, { keys: o.keys, requests });
  return { requests, suppressions, worker: { start: () => void requests.start(), stop: () => requests.stop() } };
}
