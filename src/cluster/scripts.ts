/**
 * The Lua scripts Redis runs atomically for the cluster. The sequencer is the heart: one INCR,
 * one XADD, one PUBLISH per event, so every node sees one total order (docs/CLUSTER.md).
 */

/** Shared by the scripts that sequence events: `emit(payload)` numbers, logs and publishes one. */
const EMIT = `
local function emit(seq, log, maxlen, channel, payload)
  local id = redis.call('INCR', seq)
  redis.call('XADD', log, 'MAXLEN', '~', maxlen, id .. '-0', 'd', payload)
  redis.call('PUBLISH', channel, id .. ' ' .. payload)
  return id
end
local function now_ms()
  local t = redis.call('TIME')
  return tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end
-- Sequences a leave for the user under member key mkey (its node died or it moved) and frees it.
-- origin: the event's origin as JSON, or nil (a takeover names the node that held the name).
local function leave_of(seq, log, maxlen, channel, members, mkey, reason, origin)
  local raw = redis.call('HGET', members, mkey)
  if not raw then return 0 end
  local m = cjson.decode(raw)
  local rooms = m.rooms
  if #rooms == 0 then rooms = cjson.decode('[]') end
  local e = cjson.encode({ type = 'leave', name = m.name, reason = reason, rooms = rooms, ts = now_ms() })
  redis.call('HDEL', members, mkey)
  local o = ''
  if origin then o = ',"o":' .. origin end
  return emit(seq, log, maxlen, channel, '{"e":' .. e .. o .. '}')
end
`;

/**
 * KEYS: seq, log, members, bans, mutes, this node's reaped mark. ARGV: payload, maxlen, channel,
 * type, node, name key, name, room, room key, new name key, new name, claim prefix, claim-set
 * prefix, address, account. Returns the event's id (0 for a stale leave: not sequenced). A node
 * counted dead (reaped) has nothing sequenced until it has rejoined (REJOIN): its users were
 * announced gone; a leave of theirs is stale (0) unless REJOIN brought them back already,
 * anything else is refused. Keeps the members hash (who is where, from which address)
 * and the bans and mutes in force in step with the log, and frees a name its holder gave up.
 */
export const PUBLISH = `
if redis.call('EXISTS', KEYS[6]) == 1 then
  local back = false
  if ARGV[4] == 'leave' then
    -- Rejoined already (only REJOIN writes this node's member entries after a reap): it goes out.
    local raw = redis.call('HGET', KEYS[3], ARGV[6])
    back = raw ~= false and cjson.decode(raw).node == ARGV[5]
    if not back then return 0 end
  end
  if not back then return redis.error_reply('REAPED this node was counted gone and has not rejoined yet') end
end
-- A leave from a node whose name another node now holds (taken over with its token) is stale:
-- the name is back, so nobody is told it left, and the holder's member entry stays (returns 0).
if ARGV[4] == 'leave' then
  local holder = redis.call('HGET', ARGV[12] .. ARGV[6], 'node')
  if holder and holder ~= ARGV[5] then return 0 end
end
local id = redis.call('INCR', KEYS[1])
redis.call('XADD', KEYS[2], 'MAXLEN', '~', ARGV[2], id .. '-0', 'd', ARGV[1])
redis.call('PUBLISH', ARGV[3], id .. ' ' .. ARGV[1])
local t = ARGV[4]
if t == 'message' or t == 'action' or t == 'private' or t == 'topic' then return id end
local function free(key)
  local c = ARGV[12] .. key
  if redis.call('HGET', c, 'node') == ARGV[5] then
    redis.call('DEL', c)
    redis.call('SREM', ARGV[13] .. ARGV[5], key)
  end
end
if t == 'ban' then
  redis.call('HSET', KEYS[4], id, ARGV[1])
  return id
elseif t == 'unban' then
  for _, b in ipairs(cjson.decode(ARGV[1]).e.ids) do redis.call('HDEL', KEYS[4], string.format('%d', b)) end
  return id
elseif t == 'mute' then
  redis.call('HSET', KEYS[5], ARGV[6], ARGV[1])
  return id
elseif t == 'unmute' then
  redis.call('HDEL', KEYS[5], ARGV[6])
  return id
end
local raw = redis.call('HGET', KEYS[3], ARGV[6])
if t == 'join' then
  local m
  if raw then m = cjson.decode(raw) else m = { name = ARGV[7], rooms = {}, keys = {}, at = id } end
  m.node = ARGV[5]
  if ARGV[14] ~= '' then m.address = ARGV[14] end
  if ARGV[15] ~= '' then m.account = ARGV[15] end
  local found = false
  for _, k in ipairs(m.keys) do if k == ARGV[9] then found = true end end
  if not found then
    table.insert(m.rooms, ARGV[8])
    table.insert(m.keys, ARGV[9])
  end
  redis.call('HSET', KEYS[3], ARGV[6], cjson.encode(m))
elseif (t == 'part' or t == 'kick') and raw and ARGV[9] ~= '' then
  local m = cjson.decode(raw)
  local rooms, keys = {}, {}
  for i, k in ipairs(m.keys) do
    if k ~= ARGV[9] then
      table.insert(rooms, m.rooms[i])
      table.insert(keys, k)
    end
  end
  m.rooms = rooms
  m.keys = keys
  redis.call('HSET', KEYS[3], ARGV[6], cjson.encode(m))
elseif t == 'leave' then
  redis.call('HDEL', KEYS[3], ARGV[6])
  free(ARGV[6])
elseif t == 'nick' then
  if raw then
    local m = cjson.decode(raw)
    m.name = ARGV[11]
    redis.call('HDEL', KEYS[3], ARGV[6])
    redis.call('HSET', KEYS[3], ARGV[10], cjson.encode(m))
  end
  if ARGV[6] ~= ARGV[10] then free(ARGV[6]) end
end
return id
`;

/**
 * KEYS: claim key, this node's claim set, seq, log, members, this node's reaped mark. ARGV:
 * node, token, presented token, name key, maxlen, channel, claims-set prefix. Returns 'ok',
 * 'taken', or 'down' (this node was counted dead and has not rejoined yet). A presented
 * token that matches the holder's takes the name over: the holder (on a dead or cut node) is
 * announced as gone in the same step. This node's own claim is stale (a join Redis refused).
 */
export const CLAIM =
  EMIT +
  `
if redis.call('EXISTS', KEYS[6]) == 1 then return 'down' end
local cur = redis.call('HMGET', KEYS[1], 'node', 'token')
-- A claim of this very node is stale: the node asks only for names none of its users holds.
if cur[1] and cur[1] ~= ARGV[1] and not (ARGV[3] ~= '' and cur[2] == ARGV[3]) then return 'taken' end
if cur[1] then
  redis.call('SREM', ARGV[7] .. cur[1], ARGV[4])
  if cur[1] ~= ARGV[1] then
    -- Marked with the node that held it: that node ends its session without a leave of its own.
    local origin = cjson.encode({ node = '', session = 0, replaced = cur[1] })
    leave_of(KEYS[3], KEYS[4], ARGV[5], ARGV[6], KEYS[5], ARGV[4], 'timeout', origin)
  end
end
redis.call('HSET', KEYS[1], 'node', ARGV[1], 'token', ARGV[2])
redis.call('SADD', KEYS[2], ARGV[4])
return 'ok'
`;

/** KEYS: claim key. ARGV: node, token. A claim this node holds now answers to `token` alone. */
export const RETOKEN = `
if redis.call('HGET', KEYS[1], 'node') ~= ARGV[1] then return 0 end
redis.call('HSET', KEYS[1], 'token', ARGV[2])
return 1
`;

/** KEYS: claim key, node's claim set. ARGV: node, name key. Frees a claim this node holds. */
export const RELEASE = `
if redis.call('HGET', KEYS[1], 'node') == ARGV[1] then redis.call('DEL', KEYS[1]) end
redis.call('SREM', KEYS[2], ARGV[2])
return 1
`;

/**
 * KEYS: seq, log, members, nodes, the dead node's claim set, its heartbeat key, its reaped
 * mark. ARGV: dead node, maxlen, channel, claim prefix, leave reason, '1' when another node
 * reaps it ('0': the node itself, starting or stopping). Announces every user of a dead node as
 * gone and frees its names, at once. Returns how many users it announced, or -1 when the node
 * beat again meanwhile (nothing done). Another node's reap marks the dead one: if it was only
 * cut off, it learns so at its next heartbeat and rejoins (REJOIN).
 */
export const REAP =
  EMIT +
  `
if ARGV[6] == '1' then
  if redis.call('EXISTS', KEYS[6]) == 1 then return -1 end
  redis.call('INCR', KEYS[7])
else
  redis.call('DEL', KEYS[7])
end
local n = 0
local all = redis.call('HGETALL', KEYS[3])
for i = 1, #all, 2 do
  local m = cjson.decode(all[i + 1])
  if m.node == ARGV[1] then
    leave_of(KEYS[1], KEYS[2], ARGV[2], ARGV[3], KEYS[3], all[i], ARGV[5])
    n = n + 1
  end
end
for _, key in ipairs(redis.call('SMEMBERS', KEYS[5])) do
  local c = ARGV[4] .. key
  if redis.call('HGET', c, 'node') == ARGV[1] then redis.call('DEL', c) end
end
redis.call('DEL', KEYS[5])
redis.call('SREM', KEYS[4], ARGV[1])
return n
`;

/**
 * KEYS: seq, log, members, this node's claim set, its reaped mark. ARGV: node, maxlen, channel,
 * claim prefix, users (JSON: [{key, name, token, rooms, keys, address, account}], this node's
 * users). A node counted dead while it lived (cut off from Redis) takes its users back: each
 * name still free is claimed again, entered in the members, and announced with a join per room
 * (the first one \`connected\`), new ids from the one sequence; a name someone else holds now is
 * left alone. The mark stays until the node has ended the sessions whose name was taken
 * (UNMARK), so a reply lost on the way runs it again: a user already back (its member entry
 * this node's: after a reap only this script writes one) is not announced twice. Returns
 * {the id before, the mark, the taken users' member entries (key, JSON, ...)}; {-1} when the
 * node is not marked.
 */
export const REJOIN =
  EMIT +
  `
local mark = redis.call('GET', KEYS[5])
if not mark then return { -1 } end
local before = tonumber(redis.call('GET', KEYS[1]) or '0')
local taken = {}
for _, u in ipairs(cjson.decode(ARGV[5])) do
  local c = ARGV[4] .. u.key
  local holder = redis.call('HGET', c, 'node')
  local raw = redis.call('HGET', KEYS[3], u.key)
  if holder and holder ~= ARGV[1] then
    table.insert(taken, u.key)
    table.insert(taken, raw or '')
  elseif not (holder and raw and cjson.decode(raw).node == ARGV[1]) then
    redis.call('HSET', c, 'node', ARGV[1], 'token', u.token)
    redis.call('SADD', KEYS[4], u.key)
    local m = { name = u.name, node = ARGV[1], rooms = {}, keys = {}, address = u.address }
    local o = { node = ARGV[1], session = 0, address = u.address }
    if u.account ~= '' then
      m.account = u.account
      o.account = u.account
    end
    for i, room in ipairs(u.rooms) do
      local e = { type = 'join', room = room, name = u.name, ts = now_ms() }
      if i == 1 then e.connected = true end
      local id = emit(KEYS[1], KEYS[2], ARGV[2], ARGV[3], cjson.encode({ e = e, o = o }))
      if i == 1 then m.at = id end
      table.insert(m.rooms, room)
      table.insert(m.keys, u.keys[i])
    end
    if #m.rooms == 0 then
      m.rooms = nil
      m.keys = nil
    end
    local enc = cjson.encode(m)
    if not m.rooms then enc = string.sub(enc, 1, -2) .. ',"rooms":[],"keys":[]}' end
    redis.call('HSET', KEYS[3], u.key, enc)
  end
end
return { before, mark, taken }
`;

/**
 * KEYS: this node's reaped mark. ARGV: the mark REJOIN saw. Clears it, unless another reap
 * came since (then the node rejoins again).
 */
export const UNMARK = `
if redis.call('GET', KEYS[1]) == ARGV[1] then redis.call('DEL', KEYS[1]) end
return 1
`;

/**
 * KEYS: seq, epoch, members, bans, mutes. ARGV: lowest last id (the node's history), a fresh
 * epoch. Starts the log's numbering past what this node stored, sets an epoch if there is none,
 * and returns {epoch, seq, members, bans, mutes, 1 if the epoch is new} as one consistent snapshot.
 */
export const SNAPSHOT = `
local seq = tonumber(redis.call('GET', KEYS[1]) or '0')
if seq < tonumber(ARGV[1]) then
  seq = tonumber(ARGV[1])
  redis.call('SET', KEYS[1], seq)
end
local fresh = redis.call('SET', KEYS[2], ARGV[2], 'NX')
local epoch = redis.call('GET', KEYS[2])
return { epoch, tostring(seq), redis.call('HGETALL', KEYS[3]), redis.call('HGETALL', KEYS[4]),
  redis.call('HGETALL', KEYS[5]), fresh and 1 or 0 }
`;
