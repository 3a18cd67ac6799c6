/**
 * Addresses and address ranges (CIDR) for bans, IPv4 and IPv6, parsed by hand: the core imports
 * no `node:net`. An IPv4-mapped IPv6 address (`::ffff:1.2.3.4`, how a dual-stack socket reports
 * an IPv4 peer) is the IPv4 address it maps, so one ban covers both spellings.
 */

/** One address: its family and its bits as a number (32 bits for IPv4, 128 for IPv6). */
export interface Address {
  v: 4 | 6;
  value: bigint;
}

/** A range of addresses: the first `bits` bits of `base` (the rest are zero). */
export interface AddressRange {
  v: 4 | 6;
  base: bigint;
  bits: number;
}

/** Longest text taken as an address range: an IPv6 address with a zone-less prefix fits. */
const MAX_RANGE_CHARS = 64;
const V4_PART = /^(0|[1-9]\d{0,2})$/;
const V6_GROUP = /^[0-9a-f]{1,4}$/i;
const MAPPED_PREFIX = 0xffffn << 32n;

function parseV4(text: string): bigint | null {
  const parts = text.split('.');
  if (parts.length !== 4) return null;
  let value = 0n;
  for (const p of parts) {
    if (!V4_PART.test(p) || Number(p) > 255) return null;
    value = (value << 8n) | BigInt(p);
  }
  return value;
}

function parseGroups(text: string): bigint[] | null {
  if (text === '') return [];
  const groups: bigint[] = [];
  const parts = text.split(':');
  for (const [i, p] of parts.entries()) {
    // An embedded IPv4 address is allowed as the last part: ::ffff:1.2.3.4.
    if (i === parts.length - 1 && p.includes('.')) {
      const v4 = parseV4(p);
      if (v4 === null) return null;
      groups.push(v4 >> 16n, v4 & 0xffffn);
    } else if (V6_GROUP.test(p)) groups.push(BigInt(`0x${p}`));
    else return null;
  }
  return groups;
}

function parseV6(text: string): bigint | null {
  const halves = text.split('::');
  if (halves.length > 2) return null;
  const head = parseGroups(halves[0] as string);
  const tail = halves.length === 2 ? parseGroups(halves[1] as string) : [];
  if (head === null || tail === null) return null;
  const missing = 8 - head.length - tail.length;
  if (halves.length === 2 ? missing < 1 : missing !== 0) return null;
  let value = 0n;
  for (const g of [...head, ...new Array<bigint>(missing).fill(0n), ...tail]) value = (value << 16n) | g;
  return value;
}

/** Parses one IPv4 or IPv6 address (no zone, no brackets); null when it is not one. */
export function parseAddress(text: string): Address | null {
  if (text.length > MAX_RANGE_CHARS) return null;
  if (!text.includes(':')) {
    const v4 = parseV4(text);
    return v4 === null ? null : { v: 4, value: v4 };
  }
  const v6 = parseV6(text);
  if (v6 === null) return null;
  if (v6 >> 32n === 0xffffn) return { v: 4, value: v6 - MAPPED_PREFIX };
  return { v: 6, value: v6 };
}

function width(v: 4 | 6): number {
  return v === 4 ? 32 : 128;
}

function maskOf(v: 4 | 6, bits: number): bigint {
  const w = BigInt(width(v));
  return ((1n << BigInt(bits)) - 1n) << (w - BigInt(bits));
}

/**
 * Parses `ADDRESS` or `ADDRESS/BITS` into a range (a bare address is a range of one); host
 * bits after the prefix are cleared, as a router would (`10.1.2.3/8` is `10.0.0.0/8`). A
 * prefix on an IPv4-mapped IPv6 address counts from the IPv6 side (`::ffff:10.0.0.0/104` is
 * `10.0.0.0/8`). Null when the text is not an address or the prefix is out of range.
 */
export function parseRange(text: string): AddressRange | null {
  if (text.length > MAX_RANGE_CHARS) return null;
  const slash = text.indexOf('/');
  const addr = parseAddress(slash === -1 ? text : text.slice(0, slash));
  if (addr === null) return null;
  const mapped = addr.v === 4 && text.includes(':');
  let bits = width(addr.v);
  if (slash !== -1) {
    const p = text.slice(slash + 1);
    if (!/^\d{1,3}$/.test(p)) return null;
    bits = Number(p) - (mapped ? 96 : 0);
    if (bits < 0 || bits > width(addr.v)) return null;
  }
  return { v: addr.v, base: addr.value & maskOf(addr.v, bits), bits };
}

/** True when `address` lies in `range` (an IPv4 address is never in an IPv6 range, nor the reverse). */
export function inRange(range: AddressRange, address: Address): boolean {
  return range.v === address.v && (address.value & maskOf(range.v, range.bits)) === range.base;
}

/** The canonical text of a range: `1.2.3.0/24`, `2001:db8::/32` (compressed, lower case). */
export function formatRange(range: AddressRange): string {
  return `${formatAddress({ v: range.v, value: range.base })}/${range.bits}`;
}

/** The canonical text of an address. */
export function formatAddress(a: Address): string {
  if (a.v === 4) return [24n, 16n, 8n, 0n].map((s) => String((a.value >> s) & 0xffn)).join('.');
  const groups = Array.from({ length: 8 }, (_, i) => (a.value >> BigInt(112 - 16 * i)) & 0xffffn);
  // The longest run of two or more zero groups becomes `::` (RFC 5952).
  let best = -1;
  let bestLen = 1;
  for (let i = 0; i < 8;) {
    let j = i;
    while (j < 8 && groups[j] === 0n) j++;
    if (j - i > bestLen) [best, bestLen] = [i, j - i];
    i = j === i ? i + 1 : j;
  }
  const hex = (gs: bigint[]) => gs.map((g) => g.toString(16)).join(':');
  if (best === -1) return hex(groups);
  return `${hex(groups.slice(0, best))}::${hex(groups.slice(best + bestLen))}`;
}
