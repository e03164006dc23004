// Lua scripts of the Redis profile store. Every script touches only one shopper's keys, which
// share a hash tag, so each runs on one Cluster node. Scripts return no nils inside arrays
// (a Lua table stops at the first nil).

/**
 * Load for an update. KEYS: profile, session, seen ids. ARGV: event keys.
 * Returns { profile or '', session or '', 1/0 per event key (already seen) }.
 */
export const LOAD_FOR_UPDATE = `
local out = { redis.call('GET', KEYS[1]) or '', redis.call('GET', KEYS[2]) or '' }
for i = 1, #ARGV do
  out[#out + 1] = redis.call('ZSCORE', KEYS[3], ARGV[i]) and 1 or 0
end
return out
`;

/**
 * Compare-and-set a shopper's profile and session and record the event keys, all or nothing.
 * The profile value is "<rev>:<codec bytes>"; every write bumps rev, so a concurrent writer
 * (another replica, the same process) makes this return -1 and the caller reloads and retries.
 * A shopper whose settings say personalization is off gets nothing written (-2): events accepted
 * from a memory fallback during an outage, or replayed from the journal, never outlive an opt-out.
 * KEYS: profile, session, seen ids, settings.
 * ARGV: expected rev, profile bytes, session mode (k keep, d delete, s set), session JSON,
 *       profile TTL ms, session TTL ms, seen TTL ms, seen max, now ms, event keys...
 */
export const COMPARE_AND_SET = `
local settings = redis.call('GET', KEYS[4])
if settings then
  local ok, parsed = pcall(cjson.decode, settings)
  if ok and type(parsed) == 'table' and parsed.personalization == false then return -2 end
end
local current = redis.call('GET', KEYS[1])
local rev = 0
if current then rev = tonumber(string.match(current, '^(%d+):')) or 0 end
if rev ~= tonumber(ARGV[1]) then return -1 end
local nextRev = rev + 1
redis.call('SET', KEYS[1], nextRev .. ':' .. ARGV[2], 'PX', ARGV[5])
if ARGV[3] == 's' then
  redis.call('SET', KEYS[2], ARGV[4], 'PX', ARGV[6])
elseif ARGV[3] == 'd' then
  redis.call('DEL', KEYS[2])
end
if #ARGV >= 10 then
  for i = 10, #ARGV do redis.call('ZADD', KEYS[3], ARGV[9], ARGV[i]) end
  redis.call('ZREMRANGEBYRANK', KEYS[3], 0, -(tonumber(ARGV[8]) + 1))
  redis.call('PEXPIRE', KEYS[3], ARGV[7])
end
return nextRev
`;
