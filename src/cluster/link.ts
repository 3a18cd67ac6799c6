import { createHash } from 'node:crypto';
import { Redis, type ChainableCommander } from 'ioredis';
import type { Logger } from 'pino';
import { CLAIM, PUBLISH, REAP, REJOIN, RELEASE, RETOKEN, SNAPSHOT, UNMARK } from './scripts.js';

const SOURCES = {
  publish: PUBLISH,
  claim: CLAIM,
  release: RELEASE,
  retoken: RETOKEN,
  reap: REAP,
  rejoin: REJOIN,
  unmark: UNMARK,
  snapshot: SNAPSHOT,
};
export type ScriptName = keyof typeof SOURCES;
const SHAS = Object.fromEntries(
  Object.entries(SOURCES).map(([k, v]) => [k, createHash('sha1').update(v).digest('hex')]),
) as Record<ScriptName, string>;

export interface LinkOptions {
  /** redis://[user:password@]host:port[/db] or rediss:// for TLS. */
  url: string;
  /** A password given apart from the URL (PAPO_CLUSTER_PASSWORD). */
  password?: string;
  log: Logger;
}

/**
 * The node's two connections to Redis — commands, and the subscription — and whether it is up.
 * Commands fail at once while Redis is unreachable (no offline queue: nothing is acknowledged
 * that Redis did not take); ioredis keeps reconnecting, and `onUp` runs once scripts are loaded.
 */
export class Link {
  readonly cmd: Redis;
  readonly sub: Redis;
  up = false;
  onUp: () => void = () => {};
  onDown: () => void = () => {};
  private stopped = false;
  /** Set once `connect` is done: from then on, a `ready` is a reconnection. */
  private connected = false;

  constructor(private readonly options: LinkOptions) {
    const common = {
      lazyConnect: true,
      ...(options.password ? { password: options.password } : {}),
      retryStrategy: (times: number) => Math.min(100 * times, 1000),
    };
    this.cmd = new Redis(options.url, { ...common, enableOfflineQueue: false, maxRetriesPerRequest: 0 });
    this.sub = new Redis(options.url, { ...common, autoResubscribe: true });
    for (const c of [this.cmd, this.sub]) c.on('error', (err: Error) => this.onError(err));
    this.cmd.on('ready', () => void this.onReady());
    this.cmd.on('close', () => this.onClose());
  }

  async connect(): Promise<void> {
    await Promise.all([this.cmd.connect(), this.sub.connect()]);
    await this.loadScripts();
    this.up = true;
    this.connected = true;
  }

  /** Runs a script; resolves with its reply. */
  run(name: ScriptName, keys: string[], args: Array<string | number>): Promise<unknown> {
    return this.cmd.evalsha(SHAS[name], keys.length, ...keys, ...args);
  }

  /** Adds a script run to a pipeline. */
  queue(p: ChainableCommander, name: ScriptName, keys: string[], args: Array<string | number>): void {
    p.evalsha(SHAS[name], keys.length, ...keys, ...args);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.up = false;
    this.cmd.disconnect();
    this.sub.disconnect();
  }

  private async loadScripts(): Promise<void> {
    for (const source of Object.values(SOURCES)) await this.cmd.script('LOAD', source);
  }

  private async onReady(): Promise<void> {
    if (this.up || this.stopped || !this.connected) return;
    try {
      await this.loadScripts();
    } catch (err) {
      this.options.log.warn({ err: (err as Error).message }, 'cluster: cannot load scripts');
      return;
    }
    this.up = true;
    this.options.log.info('cluster: in touch with Redis again');
    this.onUp();
  }

  private onClose(): void {
    if (!this.up || this.stopped) return;
    this.up = false;
    this.options.log.warn('cluster: lost touch with Redis; retrying');
    this.onDown();
  }

  private lastError = '';
  private onError(err: Error): void {
    if (err.message === this.lastError) return;
    this.lastError = err.message;
    this.options.log.warn({ err: err.message }, 'cluster: Redis');
  }
}
