/**
 * The Redis registry's Lua scripts, run by EVALSHA as named commands: each keeps one step atomic so
 * that no key is left without an expiry and nothing lands after a generation's terminal event.
 * Keys per generation: info hash, events stream, viewers counter, and the owner's lease (a key the
 * running process keeps refreshing; when it lapses, that process is gone).
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

// KEYS: viewers. ARGV: running ttl.
const ATTACH = `
local n = redis.call('INCR', KEYS[1])
if redis.call('TTL', KEYS[1]) < 0 then redis.call('EXPIRE', KEYS[1], ARGV[1]) end
return n`;

// KEYS: viewers. A counter that expired is not brought back (as -1, without expiry) by a late detach.
const DETACH = `
if redis.call('EXISTS', KEYS[1]) == 1 then return redis.call('DECR', KEYS[1]) end
return 0`;

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
  attachViewer(viewers: string, runningTtl: number): Promise<number>;
  detachViewer(viewers: string): Promise<number>;
  generationAlive(info: string, lease: string): Promise<number>;
}

/** Registers the scripts as commands on `redis` and returns it typed with them. */
export function defineScripts(redis: Redis): RegistryScripts {
  redis.defineCommand('createGeneration', { numberOfKeys: 2, lua: CREATE });
  redis.defineCommand('appendEvent', { numberOfKeys: 4, lua: APPEND });
  redis.defineCommand('attachViewer', { numberOfKeys: 1, lua: ATTACH });
  redis.defineCommand('detachViewer', { numberOfKeys: 1, lua: DETACH });
  redis.defineCommand('generationAlive', { numberOfKeys: 2, lua: ALIVE });
  redis.defineCommand('requestCancel', { numberOfKeys: 1, lua: CANCEL });
  return redis as unknown as RegistryScripts;
}
