/**
 * The Redis backend's Lua scripts: each runs atomically on the model's three keys (all with the model's
 * hash tag, so one Cluster slot), takes its clock from Redis (`TIME`), and applies the same rules as
 * books.ts, line for line. Keys: H (the books), Q (waiting tickets by arrival), L (client leases).
 */

/** ARGV[1..10]: tokens, requests, periodMs, boundaryMs, adaptive (0|1), decrease, increase, hold, floor, ttlMs. */
const PRELUDE = `
local H, Q, L = KEYS[1], KEYS[2], KEYS[3]
local T, R, P, B = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4])
local AE, DEC, INC, HOLD, FLOOR = ARGV[5] == '1', tonumber(ARGV[6]), tonumber(ARGV[7]), tonumber(ARGV[8]), tonumber(ARGV[9])
local TTL = tonumber(ARGV[10])
local clock = redis.call('TIME')
local now = tonumber(clock[1]) * 1000 + math.floor(tonumber(clock[2]) / 1000)
local v = redis.call('HMGET', H, 'tokens', 'requests', 'refillAt', 'factor', 'throttledAt', 'factorAt', 'reserved', 'throttles', 'decreasedAt')
local b
if v[3] then
  b = { tokens = tonumber(v[1]), requests = tonumber(v[2]), refillAt = tonumber(v[3]), factor = tonumber(v[4]),
        throttledAt = tonumber(v[5]), factorAt = tonumber(v[6]), reserved = tonumber(v[7]), throttles = tonumber(v[8]),
        decreasedAt = tonumber(v[9]) or 0 }
else
  b = { tokens = T, requests = R, refillAt = now, factor = 1, throttledAt = 0, factorAt = now, reserved = 0, throttles = 0,
        decreasedAt = now - P }
end
-- refresh: the factor recovers after the hold, then both buckets refill
if AE and b.factor < 1 then
  local from = math.max(b.factorAt, b.throttledAt + HOLD * P)
  if now > from then
    b.factor = math.min(1, b.factor + (now - from) * INC / P)
    b.factorAt = now
  end
end
if now > b.refillAt then
  local elapsed = now - b.refillAt
  local tcap, rcap = T * b.factor, R * b.factor
  b.tokens = math.min(tcap, b.tokens + elapsed * tcap / P)
  b.requests = math.min(rcap, b.requests + elapsed * rcap / P)
  b.refillAt = now
end
local function save()
  redis.call('HSET', H, 'tokens', tostring(b.tokens), 'requests', tostring(b.requests), 'refillAt', tostring(b.refillAt),
    'factor', tostring(b.factor), 'throttledAt', tostring(b.throttledAt), 'factorAt', tostring(b.factorAt),
    'reserved', tostring(b.reserved), 'throttles', tostring(b.throttles), 'decreasedAt', tostring(b.decreasedAt),
    'limits', table.concat({ ARGV[1], ARGV[2], ARGV[3], ARGV[4], ARGV[5], ARGV[6], ARGV[7], ARGV[8], ARGV[9] }, ','))
  redis.call('PEXPIRE', H, TTL)
end
local function waitFor(cost)
  local hold = math.max(0, b.refillAt - now)
  local wait = 0
  if T > 0 then
    local cap = T * b.factor
    local need = math.min(cost, cap)
    if b.tokens < need then wait = math.max(wait, (need - b.tokens) * P / cap) end
  end
  if R > 0 then
    local cap = R * b.factor
    local need = math.min(1, cap)
    if b.requests < need then wait = math.max(wait, (need - b.requests) * P / cap) end
  end
  if wait == 0 then return 0 end
  return math.ceil(wait + hold)
end
`;

/** ARGV[11..14]: cost, ticket ('' on arrival), client id, lease ms. Returns {admitted, waitMs (-1: not first), ticket}. */
export const ADMIT = `${PRELUDE}
local cost, ticket, client, lease = tonumber(ARGV[11]), ARGV[12], ARGV[13], tonumber(ARGV[14])
redis.call('HSET', L, client, now + lease)
redis.call('PEXPIRE', L, TTL)
-- tickets of clients that stopped polling (a crashed process) leave the head of the line
for i = 1, 100 do
  local head = redis.call('ZRANGE', Q, 0, 0)[1]
  if not head then break end
  local alive = tonumber(redis.call('HGET', L, string.match(head, ':(.*)$')) or '0')
  if alive >= now then break end
  redis.call('ZREM', Q, head)
end
local first
if ticket == '' then
  first = redis.call('ZCARD', Q) == 0
else
  if not redis.call('ZSCORE', Q, ticket) then redis.call('ZADD', Q, tonumber(string.match(ticket, '^(%d+):')), ticket) end
  first = redis.call('ZRANGE', Q, 0, 0)[1] == ticket
end
local wait = waitFor(cost)
if first and wait == 0 then
  if ticket ~= '' then redis.call('ZREM', Q, ticket) end
  local full = (T > 0 and b.tokens >= T * b.factor) or (R > 0 and b.requests >= R * b.factor)
  if T > 0 then b.tokens = b.tokens - cost end
  if R > 0 then b.requests = b.requests - 1 end
  b.reserved = b.reserved + cost
  if full then b.refillAt = math.max(b.refillAt, now + B) end
  save()
  return {1, 0, ''}
end
if ticket == '' then
  local seq = redis.call('HINCRBY', H, 'seq', 1)
  ticket = seq .. ':' .. client
  redis.call('ZADD', Q, seq, ticket)
end
redis.call('PEXPIRE', Q, TTL)
save()
if redis.call('ZRANGE', Q, 0, 0)[1] ~= ticket then wait = -1 end
return {0, wait, ticket}
`;

/** ARGV[11..12]: tokens given back (negative: taken), tokens leaving the reserved count. */
export const ADJUST = `${PRELUDE}
if T > 0 then b.tokens = math.min(T * b.factor, b.tokens + tonumber(ARGV[11])) end
b.reserved = math.max(0, b.reserved - tonumber(ARGV[12]))
save()
return 1
`;

/** ARGV[11]: the throttled call's cost. Returns ms until it may retry. */
export const THROTTLED = `${PRELUDE}
local cost = tonumber(ARGV[11])
b.throttles = b.throttles + 1
if AE then
  if now - b.decreasedAt >= P then
    b.factor = math.max(FLOOR, b.factor * DEC)
    b.decreasedAt = now
  end
  b.throttledAt = now
  b.factorAt = now
end
local retry = 0
if T > 0 then
  b.tokens = math.min(b.tokens, 0) - cost
  retry = math.max(retry, -b.tokens * P / (T * b.factor))
end
if R > 0 then
  b.requests = math.min(b.requests, 0) - 1
  retry = math.max(retry, -b.requests * P / (R * b.factor))
end
save()
return math.ceil(retry + math.max(0, b.refillAt - now))
`;

/** Returns the books as strings: tokens, requests, reserved, factor, throttles, waiting. */
export const SNAPSHOT = `${PRELUDE}
return {tostring(b.tokens), tostring(b.requests), tostring(b.reserved), tostring(b.factor), tostring(b.throttles),
  redis.call('ZCARD', Q)}
`;
