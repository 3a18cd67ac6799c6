/** Pure helpers of the files feature (issue #14), testable without a DOM. */
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
