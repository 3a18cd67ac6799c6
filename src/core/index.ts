export type { Clock } from './clock.js';
export * from './errors.js';
export type * from './events.js';
export * from './names.js';
export * from './rate-limit.js';
export * from './text.js';
export { Hub, Session, type HubOptions, type Journal, type Peer } from './hub.js';
export * from './history.js';
export * from './files.js';
