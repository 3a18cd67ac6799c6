export * from './cidr.js';
export * from './duration.js';
export { isModeration, ModerationDesk, MAX_MODERATION_REASON_CHARS, type ModerationHost } from './desk.js';
export * from './state.js';
