import type { PageConfig } from '../../src/protocol/page-config.js';
import { byId } from './dom.js';
import type { Texts } from './i18n.js';

function parseConfig(value: unknown): PageConfig | null {
  if (typeof value !== 'object' || value === null || !('tls' in value)) return null;
  const tls = (value as { tls: unknown }).tls;
  if (tls === null) return { tls: null };
  if (typeof tls !== 'object' || typeof (tls as { fingerprint?: unknown }).fingerprint !== 'string')
    return null;
  return { tls: { fingerprint: (tls as { fingerprint: string }).fingerprint } };
}

/**
 * Shows the server's TLS certificate fingerprint (or that it has none) on the login card and in
 * the sidebar's "About" section, so a user can compare it with `papo client`'s pinned one.
 * Read from `/config.json`: the page runs no inline script. Nothing is shown if it fails.
 */
export async function showServerInfo(t: Texts): Promise<void> {
  let config: PageConfig | null = null;
  try {
    const res = await fetch('/config.json', { cache: 'no-cache' });
    if (res.ok) config = parseConfig(await res.json());
  } catch {
    return;
  }
  if (config === null) return;
  const text = config.tls ? t.fingerprint(config.tls.fingerprint) : t.noTls;
  for (const id of ['server-tls', 'login-tls']) byId(id).textContent = text;
}
