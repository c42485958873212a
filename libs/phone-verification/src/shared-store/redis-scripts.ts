/**
 * The Lua scripts the library runs in Redis: each is atomic, so no
 * interleaving of instances can break the rule it enforces.
 */

/** A lease's holder and its ms to live, in one round trip. KEYS: lease. */
export const LEASE_STATE = `
return {redis.call('GET', KEYS[1]), redis.call('PTTL', KEYS[1])}`;

/**
 * Ends a lease only if this caller still holds it: replaced by a short-lived
 * "released" marker, or deleted when the marker is empty.
 * KEYS: lease; ARGV: token, marker, marker ttl ms.
 */
export const RELEASE_LEASE = `
if redis.call('GET', KEYS[1]) == ARGV[1] then
  if ARGV[2] == '' then return redis.call('DEL', KEYS[1]) end
  redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[3])
  return 1
end
return 0`;

/**
 * Reserves one unit in every budget, or none: returns 0 when all had room
 * (and counts one in each), else the 1-based index of the first one spent.
 * KEYS: the budget counters; ARGV: expiry (ms since epoch), then each cap.
 */
export const RESERVE_BUDGET = `
for i = 1, #KEYS do
  local spent = tonumber(redis.call('GET', KEYS[i]) or '0')
  if spent >= tonumber(ARGV[i + 1]) then return i end
end
for i = 1, #KEYS do
  redis.call('INCR', KEYS[i])
  redis.call('PEXPIREAT', KEYS[i], ARGV[1])
end
return 0`;

/** Gives one unit back to every budget that has one. KEYS: the counters. */
export const RELEASE_BUDGET = `
for i = 1, #KEYS do
  if tonumber(redis.call('GET', KEYS[i]) or '0') > 0 then
    redis.call('DECR', KEYS[i])
  end
end
return 0`;

/** Reads the counters. KEYS: the counters. */
export const READ_BUDGET = `
local spent = {}
for i = 1, #KEYS do
  spent[i] = tonumber(redis.call('GET', KEYS[i]) or '0')
end
return spent`;
