import type { RemoteUser } from '../core/remote.js';

/**
 * One entry of `papo:members` (a user of another node, as that node wrote it), with defaults for
 * what an older node left out; `at`: when it came (Infinity if not said).
 */
export function parseMember(raw: string): RemoteUser & { at: number } {
  const m = JSON.parse(raw) as RemoteUser & { rooms: unknown; at?: number };
  return {
    name: m.name,
    node: m.node,
    rooms: Array.isArray(m.rooms) ? (m.rooms as string[]) : [],
    address: m.address ?? '',
    account: m.account ?? null,
    at: m.at ?? Infinity,
  };
}
