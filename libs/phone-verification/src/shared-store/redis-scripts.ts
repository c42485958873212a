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
