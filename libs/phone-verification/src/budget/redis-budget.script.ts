/**
 * The one Lua script behind shared budgets: every operation on a day's
 * counters runs in it, atomically.
 *
 * A day is one hash, `<namespace>:budget:{<day>}`: a field per scope
 * (`s:global`, `s:key:<HMAC>`), a generation (`_gen`, set when the hash is
 * created) and a marker per unsettled reservation (`r:<id>`). One key, so an
 * eviction or a restart takes all of it or none, and a cluster keeps it in
 * one slot.
 *
 * Every call names the generation the caller last saw. A hash that is gone
 * (or re-created by someone else) while the caller had seen one means the
 * counter was lost (evicted, or a restart without persistence): each scope
 * is raised to at least the count the caller last saw ("floors"), and the
 * loss is reported so it can be logged and shown.
 *
 * Markers make every operation safe to repeat: a reservation that timed out
 * for us but ran later, a release retried after an outage, a unit counted
 * here while Redis was away and added on its return, none is counted twice.
 *
 * A hash created by a replica with a usage ledger is *unseeded* (`_unseeded`)
 * until a `seed` raises it to the ledger's count of the day: reservations on
 * it answer -1 ("seed first") instead of counting from zero.
 *
 * KEYS[1]: the day's hash.
 * ARGV: expiry (ms since epoch), generation seen ('' if none), a new
 * generation, reservation id, operation, whether a new hash must be seeded
 * ('1' or '0'), then per scope: field, cap, floor.
 * Operations: `reserve`; `keep` and `release` (settle a reservation);
 * `absorb-kept`, `absorb-pending`, `absorb-released` (a reservation counted
 * here while Redis was away, in that state now); `read`; `seed` (raise each
 * scope to its floor: the usage ledger's count of a re-created day).
 * Returns: {first full scope (1-based), 0, or -1 (unseeded: seed first),
 * generation, lost (0/1), created (0/1: the day's hash was made by this
 * call), counts…}.
 */
export const BUDGET_SCRIPT = `
local h = KEYS[1]
local gen = redis.call('HGET', h, '_gen')
local lost = 0
local created = 0
if not gen then
  gen = ARGV[3]
  redis.call('HSET', h, '_gen', gen)
  created = 1
  if ARGV[2] ~= '' then lost = 1 end
  if ARGV[6] == '1' then redis.call('HSET', h, '_unseeded', 1) end
elseif ARGV[2] ~= '' and gen ~= ARGV[2] then
  lost = 1
end
local n = (#ARGV - 6) / 3
local function field(i) return ARGV[7 + i * 3] end
local function count(i) return tonumber(redis.call('HGET', h, field(i)) or '0') end
local function add(delta)
  for i = 0, n - 1 do
    local c = count(i) + delta
    if c < 0 then c = 0 end
    redis.call('HSET', h, field(i), c)
  end
end
if lost == 1 or ARGV[5] == 'seed' then
  for i = 0, n - 1 do
    local floor = tonumber(ARGV[9 + i * 3])
    if floor > count(i) then redis.call('HSET', h, field(i), floor) end
  end
end
if ARGV[5] == 'seed' then redis.call('HDEL', h, '_unseeded') end
local unseeded = redis.call('HEXISTS', h, '_unseeded') == 1
redis.call('PEXPIREAT', h, ARGV[1])
local op = ARGV[5]
local marker = 'r:' .. ARGV[4]
local held = redis.call('HEXISTS', h, marker) == 1
local full = 0
if op == 'reserve' and not held and unseeded then
  full = -1
elseif op == 'reserve' and not held then
  for i = 0, n - 1 do
    if full == 0 and count(i) >= tonumber(ARGV[8 + i * 3]) then full = i + 1 end
  end
  if full == 0 then
    add(1)
    redis.call('HSET', h, marker, 1)
  end
elseif op == 'keep' or (op == 'absorb-kept' and held) then
  redis.call('HDEL', h, marker)
elseif op == 'absorb-kept' then
  add(1)
elseif op == 'absorb-pending' and not held then
  add(1)
  redis.call('HSET', h, marker, 1)
elseif (op == 'release' or op == 'absorb-released') and held then
  redis.call('HDEL', h, marker)
  add(-1)
end
local reply = {full, gen, lost, created}
for i = 0, n - 1 do reply[5 + i] = count(i) end
return reply`;
