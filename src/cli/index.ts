// The `meridian` command: start the server, manage sources and API keys against the configured store.
// The server, the importers and key rotation are loaded by their commands only: a short command (an import,
// `sources create`, `--help`) does not pay for loading the whole server first.
import { Command, InvalidArgumentError } from 'commander';
import { loadConfig, type Config } from '../config.js';
import { openStorage } from '../storage/index.js';
import { SourceStore, SOURCE_TYPES } from '../sources/index.js';
import { ApiKeyStore, BUILTIN_ROLE_NAMES, RoleStore, UserStore } from '../auth/index.js';
import { systemClock } from '../shared/clock.js';
import { IMPORT_FORMATS, IMPORT_KINDS } from '../sources/import/mapping.js';
import { AD_PLATFORMS, type AdPlatform } from '../sources/ads/platforms.js';

const port = (v: string) => {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new InvalidArgumentError('a port is a whole number from 0 to 65535');
  return n;
};

const program = new Command()
  .name('meridian')
  .description('Meridian — open-source Customer Data Platform')
  .option('--data-dir <dir>', 'embedded store directory (env MERIDIAN_DATA_DIR, default ./data)')
  .option('--database-url <url>', 'PostgreSQL URL instead of the embedded store (env MERIDIAN_DATABASE_URL)');

const configFrom = (extra: Partial<Config> = {}) => {
  const g = program.opts<{ dataDir?: string; databaseUrl?: string }>();
  return loadConfig({ dataDir: g.dataDir, databaseUrl: g.databaseUrl, ...extra });
};

/** Runs `fn` with the store opened from the global options, then closes it. */
async function withStore<T>(fn: (s: { sources: SourceStore; keys: ApiKeyStore; users: UserStore }) => Promise<T>): Promise<T> {
  const config = configFrom({ logLevel: 'silent' });
  const storage = await openStorage({ dataDir: config.dataDir, databaseUrl: config.databaseUrl });
  const roles = new RoleStore(storage.db, systemClock);
  try {
    return await fn({
      sources: new SourceStore(storage.db, systemClock),
      keys: new ApiKeyStore(storage.db, systemClock, roles),
      users: new UserStore(storage.db, systemClock, roles, config.passwordCost),
    });
  } finally {
    await storage.close();
  }
}

program
  .command('start')
  .description('start the server (API and pipeline) on the configured store')
  .option('-p, --port <n>', 'HTTP port (env MERIDIAN_PORT, default 8080)', port)
  .option('--host <host>', 'interface to listen on (env MERIDIAN_HOST, default 0.0.0.0)')
  .option('--role <role>', 'all (default) | api (HTTP only) | worker (pipeline only) — env MERIDIAN_ROLE')
  .action(async (opts: { port?: number; host?: string; role?: Config['role'] }) => {
    // The pipeline stages run in a thread of their own (src/pipeline/host.ts); MERIDIAN_PIPELINE_THREAD=0 keeps them inline.
    const { createMeridian } = await import('../main.js');
    const meridian = await createMeridian(configFrom({ port: opts.port, host: opts.host, role: opts.role }), {
      pipelineThread: process.env.MERIDIAN_PIPELINE_THREAD !== '0',
    });
    const address = await meridian.listen();
    process.stderr.write(`Meridian listening on ${address} (store: ${meridian.storage.location})\n`);
    let stopping = false;
    const stop = async (signal: string) => {
      if (stopping) return;
      stopping = true;
      meridian.app.log.info({ signal }, 'shutting down: draining in-flight requests');
      await meridian.close();
      process.exit(0);
    };
    process.on('SIGINT', () => void stop('SIGINT'));
    process.on('SIGTERM', () => void stop('SIGTERM'));
  });

const sources = program.command('sources').description('manage sources and their write keys');
sources
  .command('create')
  .description('create a source; prints its id and write key (shown only once)')
  .requiredOption('--name <name>', 'display name')
  .option('--type <type>', `one of ${SOURCE_TYPES.join(', ')}`, 'server')
  .option('--json', 'print JSON')
  .action(async (opts: { name: string; type: string; json?: boolean }) => {
    if (!(SOURCE_TYPES as readonly string[]).includes(opts.type))
      throw new InvalidArgumentError(`--type must be one of ${SOURCE_TYPES.join(', ')}`);
    const created = await withStore(({ sources }) => sources.create({ name: opts.name, type: opts.type as (typeof SOURCE_TYPES)[number] }));
    if (opts.json) console.log(JSON.stringify(created));
    else console.log(`source ${created.id} (${created.name}, ${created.type})\nwrite key: ${created.writeKey}`);
  });
sources
  .command('list')
  .description('list sources')
  .option('--json', 'print JSON')
  .action(async (opts: { json?: boolean }) => {
    const list = await withStore(({ sources }) => sources.list());
    if (opts.json) console.log(JSON.stringify(list));
    else for (const s of list) console.log(`${s.id}\t${s.type}\t${s.enabled ? 'enabled' : 'disabled'}\t${s.name}`);
  });

function expiry(value: string): number {
  const t = Date.parse(value);
  if (Number.isNaN(t)) throw new InvalidArgumentError('--expires must be an ISO date-time, e.g. 2027-01-31T00:00:00Z');
  return t;
}

const keys = program.command('keys').description('manage admin API keys');
keys
  .command('create')
  .description('create an API key; prints it (shown only once)')
  .option('--role <role>', `${BUILTIN_ROLE_NAMES.join(', ')} or a custom role`, 'admin')
  .option('--name <name>', 'what the key is for', 'cli')
  .option('--expires <date>', 'ISO date-time after which the key stops working (default: never)', expiry)
  .option('--json', 'print JSON')
  .action(async (opts: { role: string; name: string; expires?: number; json?: boolean }) => {
    const created = await withStore(({ keys }) => keys.create(opts.name, opts.role, opts.expires));
    if (opts.json) console.log(JSON.stringify(created));
    else console.log(`api key ${created.id} (${created.role}): ${created.key}`);
  });
keys
  .command('rotate-kek')
  .description('rewrap the field-encryption data keys under MERIDIAN_KEK (the previous KEK in MERIDIAN_KEK_PREVIOUS), start a new data key and re-encrypt every value under it')
  .option('--json', 'print JSON')
  .action(async (opts: { json?: boolean }) => {
    const { rotateKekCommand } = await import('../privacy/encryption/rotate-command.js');
    const result = await rotateKekCommand(configFrom({ logLevel: 'silent' }));
    if (opts.json) console.log(JSON.stringify(result));
    else console.log(`KEK ${result.kekId}: data key ${result.activeKeyId} active, ${result.reencrypted} values re-encrypted, ${result.remaining} remaining`);
  });

const users = program.command('users').description('manage console users (recovery when nobody can sign in)');
users
  .command('set-password')
  .description("set a user's password (MERIDIAN_NEW_PASSWORD, or a generated one printed once) and unlock the account")
  .requiredOption('--email <email>', 'the user')
  .action(async (opts: { email: string }) => {
    // From the environment, never a flag: a flag would sit in the shell history and the process list.
    const given = process.env.MERIDIAN_NEW_PASSWORD;
    const password = await withStore(({ users }) => users.resetPassword(opts.email, given));
    console.log(given ? `password of ${opts.email} set` : `new password of ${opts.email} (shown only now): ${password}`);
  });

program
  .command('import <file>')
  .description('import a CSV / JSON Lines file of past events or profiles; run it again to resume an interrupted import')
  .requiredOption('--source <id>', 'source the events belong to')
  .requiredOption('--mapping <mapping.json>', 'column → field mapping (see docs/sources.md)')
  .option('--format <format>', `one of ${IMPORT_FORMATS.join(', ')} (default: from the mapping or the file name)`)
  .option('--kind <kind>', `one of ${IMPORT_KINDS.join(', ')} (default: events)`)
  .option('--dry-run', 'check every row and report problems without importing')
  .option('--error-report <file>', 'write the per-row errors as CSV (row, column, code, message)')
  .option('--quiet', 'no progress bar')
  .action(async (file: string, opts: { source: string; mapping: string; format?: string; kind?: string; dryRun?: boolean; errorReport?: string; quiet?: boolean }) => {
    if (opts.format && !(IMPORT_FORMATS as readonly string[]).includes(opts.format)) throw new InvalidArgumentError(`--format must be one of ${IMPORT_FORMATS.join(', ')}`);
    if (opts.kind && !(IMPORT_KINDS as readonly string[]).includes(opts.kind)) throw new InvalidArgumentError(`--kind must be one of ${IMPORT_KINDS.join(', ')}`);
    const { importCommand } = await import('../sources/import/cli.js');
    process.exitCode = await importCommand(configFrom({ logLevel: 'silent' }), file, opts as Parameters<typeof importCommand>[2]);
  });

const ads = program.command('ads').description('ad platform reports (campaign spend)');
ads
  .command('import <file>')
  .description("import an ad platform's report export (CSV/TSV) as spend per campaign and day; importing a report again replaces the days it covers")
  .requiredOption('--platform <platform>', `one of ${AD_PLATFORMS.join(', ')}`, (v: string) => {
    if (!(AD_PLATFORMS as readonly string[]).includes(v)) throw new InvalidArgumentError(`--platform must be one of ${AD_PLATFORMS.join(', ')}`);
    return v;
  })
  .option('--currency <code>', 'ISO 4217 code when the report names none (Chinese platforms default to CNY)', (v: string) => {
    if (!/^[A-Za-z]{3}$/.test(v)) throw new InvalidArgumentError('--currency is a 3-letter ISO 4217 code, e.g. USD');
    return v.toUpperCase();
  })
  .option('--account <id>', 'ad account id when the report has no account column')
  .action(async (file: string, opts: { platform: AdPlatform; currency?: string; account?: string }) => {
    const { adsImportCommand } = await import('../sources/ads/cli.js');
    process.exitCode = await adsImportCommand(configFrom({ logLevel: 'silent' }), file, opts);
  });

program.parseAsync(process.argv).catch((err: Error) => {
  process.stderr.write(`meridian: ${err.message}\n`);
  process.exit(1);
});
