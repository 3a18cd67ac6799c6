import type { ChainableCommander } from 'ioredis';
import type { BanEntry, MuteEntry } from '../core/events.js';
import type { Moderation } from '../core/moderation/index.js';
import { nameKey } from '../core/names.js';
import type { ClusterKeys } from './keys.js';

/**
 * Bans and mutes across a cluster (docs/CLUSTER.md, "Moderation"): the sequencer keeps the ones
 * in force in two Redis hashes, in step with the log (`papo:bans`: ban id -> the ban event,
 * `papo:mutes`: name key -> the mute event). Every running node applies each ban and mute as
 * the bus delivers it; a node starting takes the cluster's set from the snapshot, and a node
 * that finds Redis empty writes its own set back.
 */
export interface ClusterModeration {
  bans: BanEntry[];
  mutes: MuteEntry[];
  /** Hash fields of entries that have expired (to be deleted). */
  expiredBans: string[];
  expiredMutes: string[];
}

function str(v: unknown): string | null {
  return typeof v === 'string' ? v : null;
}

function num(v: unknown): number | null {
  return typeof v === 'number' && Number.isFinite(v) ? v : null;
}

/** The event inside a stored payload (`{"e": event, "o": origin}`), or null if it is not one. */
function eventOf(payload: string | undefined): Record<string, unknown> | null {
  try {
    const parsed = JSON.parse(payload ?? '') as { e?: unknown };
    return typeof parsed.e === 'object' && parsed.e !== null ? (parsed.e as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

function until(e: Record<string, unknown>): number | null {
  return num(e.until);
}

/** Reads the two hashes as HGETALL gives them (field, value, field, value…); skips what is not a ban or mute. */
export function parseClusterModeration(
  bansFlat: string[],
  mutesFlat: string[],
  now: number,
): ClusterModeration {
  const out: ClusterModeration = { bans: [], mutes: [], expiredBans: [], expiredMutes: [] };
  for (let i = 0; i + 1 < bansFlat.length; i += 2) {
    const field = bansFlat[i] as string;
    const e = eventOf(bansFlat[i + 1]);
    const id = Number(field);
    const target = str(e?.target);
    const by = str(e?.by);
    if (!e || !Number.isSafeInteger(id) || target === null || by === null) continue;
    const end = until(e);
    if (end !== null && end <= now) {
      out.expiredBans.push(field);
      continue;
    }
    const masks = Array.isArray(e.masks) ? e.masks.filter((m): m is string => typeof m === 'string') : [];
    const name = str(e.name);
    out.bans.push({
      id,
      target,
      name,
      masks,
      by,
      reason: str(e.reason) ?? '',
      ts: num(e.ts) ?? 0,
      until: end,
    });
  }
  for (let i = 0; i + 1 < mutesFlat.length; i += 2) {
    const field = mutesFlat[i] as string;
    const e = eventOf(mutesFlat[i + 1]);
    const name = str(e?.name);
    const by = str(e?.by);
    if (!e || name === null || by === null) continue;
    const end = until(e);
    if (end !== null && end <= now) {
      out.expiredMutes.push(field);
      continue;
    }
    out.mutes.push({ name, by, reason: str(e.reason) ?? '', ts: num(e.ts) ?? 0, until: end });
  }
  return out;
}

/** Makes this node's bans and mutes the cluster's (a node joining a running cluster). */
export function adoptClusterModeration(state: Moderation, cluster: ClusterModeration, now: number): void {
  const local = state.list(now);
  const banIds = new Set(cluster.bans.map((b) => b.id));
  const lifted = local.bans.filter((b) => !banIds.has(b.id)).map((b) => b.id);
  state.removeBans(lifted);
  const known = new Set(local.bans.map((b) => b.id));
  for (const ban of cluster.bans) if (!known.has(ban.id)) state.addBan(ban);
  const muted = new Map(cluster.mutes.map((m) => [nameKey(m.name), m]));
  for (const m of local.mutes) if (!muted.has(nameKey(m.name))) state.unmute(nameKey(m.name));
  for (const [key, m] of muted) {
    const mine = state.muteByKey(key, now);
    if (!mine || mine.ts !== m.ts || mine.until !== m.until) state.mute(m);
  }
}

/** Queues this node's bans and mutes in force into the cluster's hashes (Redis came back empty, or is new). */
export function writeClusterModeration(
  p: ChainableCommander,
  keys: ClusterKeys,
  state: Moderation,
  now: number,
): void {
  const { bans, mutes } = state.list(now);
  for (const b of bans) {
    const { id, ...rest } = b;
    p.hset(keys.bans, String(id), JSON.stringify({ e: { type: 'ban', ...rest, rooms: [] } }));
  }
  for (const m of mutes)
    p.hset(keys.mutes, nameKey(m.name), JSON.stringify({ e: { type: 'mute', ...m, rooms: [] } }));
}

/** Queues the deletion of expired entries found while reading the hashes. */
export function dropExpired(p: ChainableCommander, keys: ClusterKeys, found: ClusterModeration): void {
  if (found.expiredBans.length > 0) p.hdel(keys.bans, ...found.expiredBans);
  if (found.expiredMutes.length > 0) p.hdel(keys.mutes, ...found.expiredMutes);
}
