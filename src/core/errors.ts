/**
 * Every error code papo sends, stable across versions. Each one is documented in
 * docs/PROTOCOL.md ("Error codes"); a test fails if one is missing there.
 */
export const ERROR_CODES = [
  'BAD_REQUEST',
  'UNSUPPORTED_VERSION',
  'NOT_JOINED',
  'ALREADY_JOINED',
  'NAME_INVALID',
  'NAME_TAKEN',
  'MESSAGE_TOO_LONG',
  'LINE_TOO_LONG',
  'EMPTY_MESSAGE',
  'UNKNOWN_COMMAND',
  'USAGE',
  'NO_SUCH_USER',
  'ROOM_INVALID',
  'NO_SUCH_ROOM',
  'NOT_IN_ROOM',
  'TOO_MANY_ROOMS',
  'ROOM_LIMIT',
  'LAST_ROOM',
  'FLOODING',
  'NAME_TIMEOUT',
  'IDLE_TIMEOUT',
  'SERVER_FULL',
  'TOO_MANY_FROM_ADDRESS',
  'HISTORY_UNAVAILABLE',
  'STORAGE_FAILED',
  'NOT_OPERATOR',
  'BAD_TARGET',
  'BANNED',
  'MUTED',
  'CLUSTER_DOWN',
  'FILES_OFF',
  'FILE_TOO_BIG',
  'FILE_NAME_INVALID',
  'FILE_RATE',
  'NO_SUCH_FILE',
  'TOO_MANY_UPLOADS',
  'INTERNAL',
  'NAME_REGISTERED',
  'NAME_CONFUSABLE',
  'NAME_RESERVED',
  'LOGIN_FAILED',
  'LOGIN_THROTTLED',
  'ACCOUNT_REQUIRED',
  'NOT_REGISTERED',
  'PASSWORD_INVALID',
  'ACCOUNTS_UNAVAILABLE',
  'REGISTRATION_CLOSED',
] as const;

export type ErrorCode = (typeof ERROR_CODES)[number];

/** Why a name was refused, for NAME_INVALID. */
export type NameProblem =
  | { kind: 'empty' }
  | { kind: 'too_long'; chars: number; max: number }
  | { kind: 'bad_char'; codePoint: number }
  /** A room name must start with `#`. */
  | { kind: 'no_hash' };

/** Why a password was refused, for PASSWORD_INVALID. */
export type PasswordProblem =
  | { kind: 'empty' }
  | { kind: 'too_long'; bytes: number; max: number }
  | { kind: 'control'; codePoint: number };
