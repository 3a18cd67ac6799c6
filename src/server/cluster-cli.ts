import { hostname } from 'node:os';
import { Option } from 'commander';
import type { Logger } from 'pino';
import { fail } from '../cli-util.js';

/** `papo server` flags for cluster mode (docs/CLUSTER.md). */
export function clusterOptions(): [Option, Option] {
  return [
    new Option(
      '--cluster <url>',
      'run as one node of a cluster on Redis: redis://HOST:PORT[/DB] (rediss:// for TLS; password in the URL or PAPO_CLUSTER_PASSWORD)',
    ).env('PAPO_CLUSTER'),
    new Option('--node-name <name>', "this node's name in the cluster (unique per node)")
      .env('PAPO_NODE_NAME')
      .default(`${hostname()}-${process.pid}`, 'hostname-pid'),
  ];
}

export interface ClusterSettings {
  url: string;
  node: string;
  password?: string;
}

/** The cluster settings from parsed flags, or null without `--cluster`. */
export function clusterSettings(o: Record<string, unknown>): ClusterSettings | null {
  const url = o.cluster as string | undefined;
  if (url === undefined || url === '') return null;
  checkClusterUrl(url);
  const node = String(o.nodeName);
  if (!/^[\w.:-]{1,64}$/.test(node)) fail('--node-name: 1 to 64 letters, digits, or . _ : -');
  const password = process.env.PAPO_CLUSTER_PASSWORD;
  return { url, node, ...(password ? { password } : {}) };
}

/** Connects to the cluster (Redis code is loaded only here, only in cluster mode), or exits. */
export async function connectCluster(settings: ClusterSettings, log: Logger) {
  const { Cluster } = await import('../cluster/index.js');
  try {
    return await Cluster.connect({ ...settings, log });
  } catch (err) {
    fail(`cannot reach the cluster's Redis at ${redact(settings.url)}: ${(err as Error).message}`, err);
  }
}

/** Stops with one line unless `url` is a Redis URL. */
export function checkClusterUrl(url: string): void {
  if (!/^rediss?:\/\//.test(url))
    fail(`--cluster: expected redis://HOST:PORT[/DB] or rediss://…, got ${redact(url)}`);
}

/** The URL without its password, for messages. */
export function redact(url: string): string {
  return url.replace(/\/\/([^@/]*)@/, '//***@');
}
