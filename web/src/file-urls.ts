/** Pure helpers of the files feature (issue #14), testable without a DOM. */
const UNITS = ['B', 'kB', 'MB', 'GB', 'TB'];

/** `2.1 MB`: SI units, as the server and the terminal client write sizes. */
export function formatBytes(bytes: number): string {
  let v = bytes;
  let i = 0;
  while (v >= 1000 && i < UNITS.length - 1) {
    v /= 1000;
    i++;
  }
  return i === 0 ? `${v} B` : `${v < 10 ? v.toFixed(1) : Math.round(v)} ${UNITS[i]}`;
}

/**
 * A URL the server gave, on this page's origin: files are served by the same web listener, and
 * the CSP allows fetches and images from the page's own origin only. Null for anything that is
 * not http(s).
 */
export function sameOrigin(url: string, origin: string): string | null {
  try {
    const u = new URL(url);
    if (u.protocol !== 'http:' && u.protocol !== 'https:') return null;
    return new URL(`${u.pathname}${u.search}`, origin).href;
  } catch {
    return null;
  }
}
