/**
 * What the app remembers. The name lives in `localStorage` (offered again next time); the
 * session token and the open rooms in `sessionStorage`, per tab: a reload takes the name back
 * at once, while a second tab does not steal the first one's session.
 */
const NAME = 'papo.name';
const TOKEN = 'papo.token';
const ROOMS = 'papo.rooms';

function read(storage: Storage | null, key: string): string | null {
  try {
    return storage?.getItem(key) ?? null;
  } catch {
    return null; // storage disabled (private mode, policy): the app works, it only forgets
  }
}

function write(storage: Storage | null, key: string, value: string | null): void {
  try {
    if (value === null) storage?.removeItem(key);
    else storage?.setItem(key, value);
  } catch {
    // as above
  }
}

function local(): Storage | null {
  try {
    return window.localStorage;
  } catch {
    return null;
  }
}

function session(): Storage | null {
  try {
    return window.sessionStorage;
  } catch {
    return null;
  }
}

export const remembered = {
  name: (): string | null => read(local(), NAME),
  setName: (name: string): void => write(local(), NAME, name),
  token: (): string | null => read(session(), TOKEN),
  setToken: (token: string | null): void => write(session(), TOKEN, token),
  rooms: (): string[] => {
    try {
      const value: unknown = JSON.parse(read(session(), ROOMS) ?? '[]');
      return Array.isArray(value) ? value.filter((r): r is string => typeof r === 'string') : [];
    } catch {
      return [];
    }
  },
  setRooms: (rooms: string[]): void => write(session(), ROOMS, JSON.stringify(rooms)),
};
