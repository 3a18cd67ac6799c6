/**
 * The Lua scripts of the cluster's accounts (`redis-accounts.ts`): each runs atomically, so a
 * name and its look-alikes are registered once across every node (docs/CLUSTER.md, "Accounts").
 * An account is a hash (name, skeleton, created, password_hash, public_key) under its name key;
 * a set per skeleton holds the keys of the accounts that look like it; one set holds every key.
 */

/**
 * KEYS: the account's hash, its skeleton's set, the set of every account. ARGV: name key, name,
 * skeleton, created, password hash or '', public key or ''. Returns 'ok', 'taken' (the key is
 * registered) or 'confusable' (a look-alike is). Never overwrites anything.
 */
export const ACCOUNT_REGISTER = `
if redis.call('EXISTS', KEYS[1]) == 1 then return 'taken' end
if redis.call('SCARD', KEYS[2]) > 0 then return 'confusable' end
redis.call('HSET', KEYS[1], 'name', ARGV[2], 'skeleton', ARGV[3], 'created', ARGV[4])
if ARGV[5] ~= '' then redis.call('HSET', KEYS[1], 'password_hash', ARGV[5]) end
if ARGV[6] ~= '' then redis.call('HSET', KEYS[1], 'public_key', ARGV[6]) end
redis.call('SADD', KEYS[2], ARGV[1])
redis.call('SADD', KEYS[3], ARGV[1])
return 'ok'
`;

/**
 * KEYS: the skeleton's set. ARGV: the key to leave out ('' none), the account hash prefix.
 * Returns the name of another account with that skeleton, or false.
 */
export const ACCOUNT_LOOK_ALIKE = `
for _, key in ipairs(redis.call('SMEMBERS', KEYS[1])) do
  if key ~= ARGV[1] then
    local name = redis.call('HGET', ARGV[2] .. key, 'name')
    if name then return name end
  end
end
return false
`;

/** KEYS: the account's hash. ARGV: the new password hash. Returns 1, or 0 when there is no such account. */
export const ACCOUNT_SET_PASSWORD = `
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
redis.call('HSET', KEYS[1], 'password_hash', ARGV[1])
return 1
`;

/**
 * KEYS: the account's hash, the set of every account. ARGV: name key, skeleton set prefix.
 * Returns 1, or 0 when there is no such account.
 */
export const ACCOUNT_UNREGISTER = `
local sk = redis.call('HGET', KEYS[1], 'skeleton')
if not sk then return 0 end
redis.call('DEL', KEYS[1])
redis.call('SREM', KEYS[2], ARGV[1])
redis.call('SREM', ARGV[2] .. sk, ARGV[1])
return 1
`;

/**
 * KEYS: the account's hash, the set of every account. ARGV: skeleton set prefix, name key, the
 * name's skeleton under this node's confusables data. Moves the account to that skeleton's set.
 */
export const ACCOUNT_RESKELETON = `
local old = redis.call('HGET', KEYS[1], 'skeleton')
if not old then return 0 end
redis.call('SREM', ARGV[1] .. old, ARGV[2])
redis.call('HSET', KEYS[1], 'skeleton', ARGV[3])
redis.call('SADD', ARGV[1] .. ARGV[3], ARGV[2])
return 1
`;
