/** Cuts `bytes` at the given offsets (taken modulo its length + 1), for "however the bytes are split" properties. */
export function splitAt(bytes: Buffer, cuts: number[]): Buffer[] {
  const at = [...new Set(cuts.map((c) => (bytes.length === 0 ? 0 : c % (bytes.length + 1))))].sort(
    (a, b) => a - b,
  );
  const parts: Buffer[] = [];
  let last = 0;
  for (const c of at) {
    parts.push(bytes.subarray(last, c));
    last = c;
  }
  parts.push(bytes.subarray(last));
  return parts;
}
