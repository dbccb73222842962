/**
 * The Redis registry's Lua scripts, run by EVALSHA as named commands: each keeps one step atomic so
 * that no key is left without an expiry and nothing lands after a generation's terminal event.
 * Keys per generation: info hash, events stream, viewers (a sorted set of viewer leases), and the
 * owner's lease (a key the running process keeps refreshing; when it lapses, that process is gone).
 */
import type { Redis } from 'ioredis';

// KEYS: info, lease. ARGV: running ttl, lease seconds, then field, value, ...
const CREATE = `
if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
redis.call('HSET', KEYS[1], unpack(ARGV, 3))
redis.call('EXPIRE', KEYS[1], ARGV[1])
redis.call('SET', KEYS[2], '1', 'EX', ARGV[2])
return 1`;

// KEYS: info, events, viewers, lease. ARGV: type, data, terminal status ('' if none), ttl, running ttl, lease seconds.
const APPEND = `
if redis.call('HGET', KEYS[1], 'status') ~= 'running' then
  return redis.error_reply('NOTRUNNING generation is unknown or has already finished')
end
local id = redis.call('XADD', KEYS[2], '*', 't', ARGV[1], 'd', ARGV[2])
if ARGV[3] ~= '' then
  redis.call('HSET', KEYS[1], 'status', ARGV[3])
  redis.call('EXPIRE', KEYS[1], ARGV[4])
  redis.call('EXPIRE', KEYS[2], ARGV[4])
  redis.call('EXPIRE', KEYS[3], ARGV[4])
  redis.call('DEL', KEYS[4])
else
  if redis.call('TTL', KEYS[2]) < 0 then redis.call('EXPIRE', KEYS[2], ARGV[5]) end
  redis.call('SET', KEYS[4], '1', 'EX', ARGV[6])
end
return id`;

// Viewers are a sorted set of viewer tokens scored by their lease's expiry (ms, Redis's clock): a viewer
// whose process died stops counting once its lease lapses, without anyone detaching it. Each viewer
// script starts with NOW, Redis's time in milliseconds.
const NOW = `
local time = redis.call('TIME')
local now = time[1] * 1000 + math.floor(time[2] / 1000)`;

// KEYS: viewers. ARGV: token, lease ms, running ttl.
const ATTACH = `${NOW}
redis.call('ZADD', KEYS[1], now + ARGV[2], ARGV[1])
if redis.call('TTL', KEYS[1]) < 0 then redis.call('EXPIRE', KEYS[1], ARGV[3]) end
return redis.call('ZCARD', KEYS[1])`;

// KEYS: viewers. ARGV: token, lease ms. Extends a lease still held (a detached viewer is not brought back).
const RENEW_VIEWER = `${NOW}
if not redis.call('ZSCORE', KEYS[1], ARGV[1]) then return 0 end
redis.call('ZADD', KEYS[1], 'XX', now + ARGV[2], ARGV[1])
return 1`;

// KEYS: viewers. ARGV: token.
const DETACH = `
return redis.call('ZREM', KEYS[1], ARGV[1])`;

// KEYS: viewers. The viewers whose lease holds.
const COUNT_VIEWERS = `${NOW}
return redis.call('ZCOUNT', KEYS[1], '(' .. now, '+inf')`;

// KEYS: viewers, info. ARGV: channel, id. Drops lapsed viewer leases; when that leaves a running,
// non-detached generation without viewers, its viewers' processes are gone: request its cancel, as the
// last viewer leaving would have (recorded, then published, as CANCEL does). Returns the leases dropped.
const SWEEP_VIEWERS = `${NOW}
local dropped = redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
if dropped > 0 and redis.call('ZCARD', KEYS[1]) == 0
  and redis.call('HGET', KEYS[2], 'status') == 'running' and redis.call('HGET', KEYS[2], 'detached') == '0' then
  redis.call('HSET', KEYS[2], 'cancel', '1')
  redis.call('PUBLISH', ARGV[1], ARGV[2])
end
return dropped`;

// KEYS: info, lease. 1 while the generation exists and, if running, its owner's lease holds.
const ALIVE = `
local status = redis.call('HGET', KEYS[1], 'status')
if not status then return 0 end
if status == 'running' and redis.call('EXISTS', KEYS[2]) == 0 then return 0 end
return 1`;

// KEYS: info. ARGV: channel, id. Records the request (read back by the owner's lease renewal, in case
// the Pub/Sub message is missed during a reconnect), then publishes it.
const CANCEL = `
if redis.call('HGET', KEYS[1], 'status') == 'running' then redis.call('HSET', KEYS[1], 'cancel', '1') end
return redis.call('PUBLISH', ARGV[1], ARGV[2])`;

export interface RegistryScripts {
  requestCancel(info: string, channel: string, id: string): Promise<number>;
  createGeneration(
    info: string,
    lease: string,
    runningTtl: number,
    leaseSeconds: number,
    ...fields: string[]
  ): Promise<number>;
  appendEvent(
    ...args: [info: string, events: string, viewers: string, lease: string, ...argv: (string | number)[]]
  ): Promise<string>;
  attachViewer(viewers: string, token: string, leaseMs: number, runningTtl: number): Promise<number>;
  renewViewer(viewers: string, token: string, leaseMs: number): Promise<number>;
  detachViewer(viewers: string, token: string): Promise<number>;
  countViewers(viewers: string): Promise<number>;
  sweepViewers(viewers: string, info: string, channel: string, id: string): Promise<number>;
  generationAlive(info: string, lease: string): Promise<number>;
}

/** Registers the scripts as commands on `redis` and returns it typed with them. */
export function defineScripts(redis: Redis): RegistryScripts {
  redis.defineCommand('createGeneration', { numberOfKeys: 2, lua: CREATE });
  redis.defineCommand('appendEvent', { numberOfKeys: 4, lua: APPEND });
  redis.defineCommand('attachViewer', { numberOfKeys: 1, lua: ATTACH });
  redis.defineCommand('renewViewer', { numberOfKeys: 1, lua: RENEW_VIEWER });
  redis.defineCommand('detachViewer', { numberOfKeys: 1, lua: DETACH });
  redis.defineCommand('countViewers', { numberOfKeys: 1, lua: COUNT_VIEWERS });
  redis.defineCommand('sweepViewers', { numberOfKeys: 2, lua: SWEEP_VIEWERS });
  redis.defineCommand('generationAlive', { numberOfKeys: 2, lua: ALIVE });
  redis.defineCommand('requestCancel', { numberOfKeys: 1, lua: CANCEL });
  return redis as unknown as RegistryScripts;
}
