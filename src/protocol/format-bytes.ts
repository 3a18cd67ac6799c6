/**
 * A size as people read it: `512 bytes`, `2.1 MB`, `12.3 GB` (decimal units, one decimal). The
 * one formatter of sizes: the server's lines for `nc` users, the terminal client's offers and
 * progress bars, and the browser's file rows all show the same number for the same file. No
 * imports: the browser bundles it.
 */
export function formatBytes(n: number): string {
  if (n < 1000) return `${n} ${n === 1 ? 'byte' : 'bytes'}`;
  const units = ['kB', 'MB', 'GB', 'TB', 'PB'];
  let v = n / 1000;
  let i = 0;
  while (v >= 999.95 && i < units.length - 1) {
    v /= 1000;
    i++;
  }
  return `${v.toFixed(1)} ${units[i]}`;
}
