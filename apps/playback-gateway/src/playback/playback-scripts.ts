/**
 * Redis scripts that keep the per-account stream limit atomic across gateways: the check and
 * the claim happen in one step, so parallel starts can never overshoot the plan's limit.
 */

/**
 * KEYS: 1 account streams (zset), 2 new playback (hash), 3 session playbacks (set), 4 device playback (string)
 * ARGV: 1 now ms, 2 stale-before ms, 3 limit, 4 playbackId, 5 accountId, 6 deviceId, 7 sessionId,
 *       8 titleId, 9 ttl s, 10 device playback JSON
 * Returns 1 when the stream was admitted, 0 at the limit.
 */
export const START_PLAYBACK = `
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', ARGV[2])
local previous = redis.call('GET', KEYS[4])
if previous then
  local ok, decoded = pcall(cjson.decode, previous)
  if ok and type(decoded) == 'table' and decoded.playbackId then redis.call('ZREM', KEYS[1], decoded.playbackId) end
end
if redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[3]) then return 0 end
redis.call('ZADD', KEYS[1], ARGV[1], ARGV[4])
redis.call('EXPIRE', KEYS[1], tonumber(ARGV[9]) * 2)
redis.call('HSET', KEYS[2], 'accountId', ARGV[5], 'deviceId', ARGV[6], 'sessionId', ARGV[7], 'titleId', ARGV[8], 'state', 'playing', 'positionMs', '0')
redis.call('EXPIRE', KEYS[2], ARGV[9])
redis.call('SADD', KEYS[3], ARGV[4])
redis.call('EXPIRE', KEYS[3], 86400)
redis.call('SET', KEYS[4], ARGV[10], 'EX', ARGV[9])
return 1
`;

/**
 * KEYS: 1 playback (hash), 2 account streams (zset), 3 device playback (string)
 * ARGV: 1 sessionId, 2 playbackId, 3 now ms, 4 stale-before ms, 5 state, 6 positionMs, 7 ttl s, 8 device playback JSON
 * Returns 1 when recorded, 0 when the playback is unknown, someone else's, or already ended.
 */
export const HEARTBEAT = `
if redis.call('HGET', KEYS[1], 'sessionId') ~= ARGV[1] then return 0 end
local score = redis.call('ZSCORE', KEYS[2], ARGV[2])
if not score then return 0 end
if tonumber(score) < tonumber(ARGV[4]) then
  redis.call('ZREM', KEYS[2], ARGV[2])
  return 0
end
redis.call('ZADD', KEYS[2], ARGV[3], ARGV[2])
-- The account's set lives as long as its newest beat: a stream beating for hours keeps its place.
redis.call('EXPIRE', KEYS[2], tonumber(ARGV[7]) * 2)
redis.call('HSET', KEYS[1], 'state', ARGV[5], 'positionMs', ARGV[6])
redis.call('EXPIRE', KEYS[1], ARGV[7])
redis.call('SET', KEYS[3], ARGV[8], 'EX', ARGV[7])
return 1
`;
