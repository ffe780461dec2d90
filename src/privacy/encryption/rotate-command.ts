// `meridian keys rotate-kek`: the rotation the API starts, run to its end in the foreground (for a
// maintenance window or a cron job), printing progress to stderr.
import type { Config } from '../../config.js';
import { openStorage } from '../../storage/index.js';
import { systemClock } from '../../shared/clock.js';
import { EventLog, FailedEvents, stageItems } from '../../log/index.js';
import { deliveryPayloads } from '../../destinations/index.js';
import { enrollmentContexts } from '../../journeys/index.js';
import { identitySealedColumns } from '../../identity/index.js';
import { FieldCipher } from '../../shared/encryption/field-cipher.js';
import { loadKeks } from '../../shared/encryption/kek.js';
import { Reencryptor } from '../../shared/encryption/reencrypt.js';

export async function rotateKekCommand(config: Config): Promise<{ kekId: string; activeKeyId: string; reencrypted: number; remaining: number }> {
  const keks = loadKeks(config);
  if (!keks) throw new Error('field encryption is off: set MERIDIAN_KEK (the new key) and MERIDIAN_KEK_PREVIOUS (the one it replaces)');
  const storage = await openStorage({ dataDir: config.dataDir, databaseUrl: config.databaseUrl });
  try {
    const cipher = (await FieldCipher.open(storage.db, systemClock, keks))!;
    await cipher.rotate();
    const failed = new FailedEvents(storage.db, storage.dialect, cipher);
    // Only for its payload column (the embedded log is rewritten by its writer thread): nothing is appended.
    const log = new EventLog(storage.db, storage.dialect, { clock: systemClock, dedupeWindowMs: config.dedupeWindowMs, logFile: storage.logFile, cipher });
    try {
      let failure: unknown;
      const reencryptor = new Reencryptor(cipher, [failed.sealedColumn(), log.sealedColumn(), deliveryPayloads(storage.dialect, cipher).column(storage.db), enrollmentContexts(storage.dialect, cipher).column(storage.db), stageItems(storage.dialect, cipher).column(storage.db), ...identitySealedColumns(storage.db)], (err) => (failure = err));
      const progress = setInterval(() => process.stderr.write(`re-encrypted ${reencryptor.status.reencrypted}\n`), 2000);
      await reencryptor.start().finally(() => clearInterval(progress));
      if (failure) throw failure;
      return { kekId: cipher.kekId, activeKeyId: cipher.activeKeyId, reencrypted: reencryptor.status.reencrypted, remaining: await reencryptor.remaining() };
    } finally {
      await log.close();
    }
  } finally {
    await storage.close();
  }
}
