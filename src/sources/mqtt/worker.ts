// Keeps one MQTT subscription per configured MQTT source while the server runs. Each message is
// mapped and ingested before it is acknowledged (QoS 1), so a crash redelivers rather than loses it;
// the client reconnects on its own and keeps a persistent session, so messages published while
// Meridian was away are delivered on reconnect. Across processes a lease in source_connectors lets
// exactly one process hold each subscription (the same client id twice would evict each other).
import mqtt, { type MqttClient } from 'mqtt';
import type { FastifyBaseLogger } from 'fastify';
import type { Ingestor } from '../../ingest/index.js';
import type { FailedEvents } from '../../log/index.js';
import type { Clock } from '../../shared/clock.js';
import { AppError } from '../../shared/errors.js';
import type { Connector, ConnectorStore } from '../connector-store.js';
import { mapMqttMessage, topicMatches } from './map-message.js';
import type { MqttSettings } from './schema.js';

const SYNC_MS = 10_000;
const LEASE_MS = 30_000;

interface Running {
  client: MqttClient;
  options: mqtt.IClientOptions & { brokerUrl: string };
  updatedAt: number;
  lease: number;
  messages: number;
  lastError: string | null;
}

export class MqttWorker {
  private readonly running = new Map<string, Running>();
  private timer?: NodeJS.Timeout;
  private unsubscribe?: () => void;
  // Syncs are serialised: a change notification during a sync queues one more pass.
  private syncing: Promise<void> = Promise.resolve();
  // Subscriptions run only in a started server (not in CLI commands that open the store).
  private started = false;

  constructor(
    private readonly deps: { connectors: ConnectorStore; ingestor: Ingestor; failed: FailedEvents; clock: Clock; log: FastifyBaseLogger },
  ) {}

  start() {
    this.started = true;
    this.unsubscribe = this.deps.connectors.onChange((_id, kind) => kind === 'mqtt' && void this.sync());
    this.timer = setInterval(() => void this.sync(), SYNC_MS);
    this.timer.unref();
    void this.sync();
  }

  async stop() {
    this.started = false;
    clearInterval(this.timer);
    this.unsubscribe?.();
    await this.syncing;
    for (const sourceId of [...this.running.keys()]) await this.halt(sourceId);
  }

  /** `stored`: the error recorded when the source last failed to start (in any process). */
  status(sourceId: string, stored: string | null = null) {
    const r = this.running.get(sourceId);
    return { running: r !== undefined, connected: r?.client.connected ?? false, messages: r?.messages ?? 0, lastError: r?.lastError ?? stored };
  }

  /** Brings the running subscriptions in line with the stored configuration. */
  sync(): Promise<void> {
    if (!this.started) return this.syncing;
    this.syncing = this.syncing.then(() => this.reconcile()).catch((err) => this.deps.log.error({ err }, 'mqtt sync failed'));
    return this.syncing;
  }

  private async reconcile() {
    const wanted = new Map((await this.deps.connectors.list<MqttSettings>('mqtt')).map((c) => [c.sourceId, c]));
    for (const [sourceId, r] of this.running) {
      const c = wanted.get(sourceId);
      const lease = c && c.updatedAt === r.updatedAt ? await this.deps.connectors.renew(sourceId, 'mqtt', r.lease, LEASE_MS) : null;
      if (lease === null) await this.halt(sourceId, !c);
      else r.lease = lease;
    }
    for (const [sourceId, c] of wanted) {
      if (this.running.has(sourceId)) continue;
      const lease = await this.deps.connectors.claim(sourceId, 'mqtt', LEASE_MS);
      if (lease === null) continue;
      // One source that cannot start (its password sealed under another key) must not keep the
      // sources after it from starting: its error is recorded (GET …/mqtt: status.lastError) and the
      // next sync tries it again.
      try {
        await this.begin(c, lease);
        if (c.lastError !== null) await this.deps.connectors.recordRun(sourceId, 'mqtt', { error: null });
      } catch (err) {
        if (c.lastError !== (err as Error).message) this.deps.log.error({ err, sourceId }, `mqtt source ${sourceId} cannot start: ${(err as Error).message}`);
        await this.deps.connectors.recordRun(sourceId, 'mqtt', { error: (err as Error).message });
        await this.deps.connectors.release(sourceId, 'mqtt', lease);
      }
    }
  }

  private async begin(c: Connector<MqttSettings>, lease: number) {
    const { sourceId, config } = c;
    const options = {
      brokerUrl: config.brokerUrl,
      clientId: `meridian_${sourceId}`,
      clean: false,
      reconnectPeriod: 2_000,
      connectTimeout: 10_000,
      username: config.username,
      password: c.hasSecret ? await this.deps.connectors.secret(sourceId, 'mqtt') : undefined,
    };
    const client = mqtt.connect(config.brokerUrl, options);
    const run: Running = { client, options, updatedAt: c.updatedAt, lease, messages: 0, lastError: null };
    this.running.set(sourceId, run);
    const qos = config.qos ?? 1;
    // A resumed session still holds the subscriptions; subscribing again covers topics added since.
    client.on('connect', () => {
      run.lastError = null;
      client.subscribe(Object.fromEntries(config.topics.map((t) => [t, { qos }])), (err) => {
        if (err) run.lastError = `subscribe failed: ${err.message}`;
      });
    });
    client.on('error', (err) => {
      run.lastError = err.message;
      this.deps.log.warn({ err, sourceId }, 'mqtt connection error');
    });
    // mqtt.js acknowledges a QoS 1 message when handleMessage calls back, one message at a time.
    client.handleMessage = (packet, done) => {
      // The persistent session may still hold subscriptions of an earlier configuration.
      if (!config.topics.some((filter) => topicMatches(filter, packet.topic))) return done();
      this.handle(sourceId, config, packet.topic, packet.payload as Buffer).then(
        () => {
          run.messages++;
          done();
        },
        (err: Error) => {
          // Not acknowledged: drop the connection; the next sync reconnects and the broker
          // redelivers the message from the persistent session.
          run.lastError = err.message;
          this.deps.log.error({ err, sourceId }, 'mqtt message could not be stored');
          if (this.running.get(sourceId) === run) this.running.delete(sourceId);
          client.end(true, () => void this.deps.connectors.release(sourceId, 'mqtt', run.lease));
        },
      );
    };
  }

  private async handle(sourceId: string, config: MqttSettings, topic: string, payload: Buffer) {
    let message: Record<string, unknown>;
    try {
      message = mapMqttMessage(config, topic, payload);
      await this.deps.ingestor.ingestForSource(sourceId, [message]);
    } catch (err) {
      // A message that can never become an event is kept in failed events and acknowledged;
      // anything else (the store is down, the source's rate limit) is not acknowledged.
      if (!(err instanceof AppError) || err.status >= 500 || err.status === 429) throw err;
      await this.deps.failed.record([
        { sourceId, messageId: null, stage: 'mqtt', code: err.code, reason: err.message, payload: { topic, payload: payload.toString('utf8') }, failedAt: this.deps.clock.now() },
      ]);
    }
  }

  /** Stops the subscription; `forget` (the set-up was removed) also ends the broker session. */
  private async halt(sourceId: string, forget = false) {
    const r = this.running.get(sourceId);
    if (!r) return;
    this.running.delete(sourceId);
    await r.client.endAsync();
    await this.deps.connectors.release(sourceId, 'mqtt', r.lease);
    if (!forget) return;
    try {
      // Connecting once with a clean session makes the broker drop the stored one and its queue.
      const { brokerUrl, ...options } = r.options;
      await (await mqtt.connectAsync(brokerUrl, { ...options, clean: true, reconnectPeriod: 0 })).endAsync();
    } catch (err) {
      this.deps.log.warn({ err, sourceId }, 'mqtt session could not be cleared');
    }
  }
}
