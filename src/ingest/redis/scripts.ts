import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';

/** A Lua script run by SHA, falling back to EVAL after a Redis restart emptied the script cache. */
export interface LuaScript {
  lua: string;
  sha: string;
}

const script = (lua: string): LuaScript => ({ lua, sha: createHash('sha1').update(lua).digest('hex') });

/** Runs a script by SHA, or by its text when Redis lost it (after a restart or SCRIPT FLUSH). */
export async function runScript(
  redis: Redis,
  s: LuaScript,
  keys: string[],
  args: Array<string | number>,
): Promise<unknown> {
  const run = (command: 'EVALSHA' | 'EVAL') =>
    redis.callBuffer(command, [command === 'EVAL' ? s.lua : s.sha, keys.length, ...keys, ...args]);
  try {
    return await run('EVALSHA');
  } catch (err) {
    if (!String((err as Error).message).startsWith('NOSCRIPT')) throw err;
    return run('EVAL');
  }
}

/**
 * Claims gateway lists into this claim's own segment keys and registers the claim in the index,
 * in one atomic step. Lists move whole with `RENAME` (O(1), no copying), in rotating order, until
 * the claim holds at least one page; a list longer than the room left in the claim has its head
 * moved instead (`LPOP` with a count, Redis ≥ 6.2) and its TTL re-armed, as Tyk Pump does after a
 * trim. Idempotent per claim id: a claim resent after a dropped connection returns what the first
 * run took instead of taking more.
 * KEYS: index, the n gateway lists, then the n segment keys (same order).
 * ARGV: page size, most entries per claim, list TTL (s), owner, claim id, first list position.
 * Reply: the claim's index value, or nil when every list is empty.
 */
export const CLAIM = script(`
local n = (#KEYS - 1) / 2
local existing = redis.call('HGET', KEYS[1], ARGV[5])
if existing then return existing end
local pageSize = tonumber(ARGV[1])
local room = tonumber(ARGV[2])
local taken = 0
local parts = {}
for k = 0, n - 1 do
  if taken >= pageSize then break end
  local pos = (tonumber(ARGV[6]) + k) % n
  local list = KEYS[2 + pos]
  local seg = KEYS[n + 2 + pos]
  if redis.call('TYPE', list).ok == 'list' then
    local moved = redis.call('LLEN', list)
    if moved <= room - taken then
      -- The whole list moves in O(1); it must not keep the gateway's TTL under our name.
      redis.call('RENAME', list, seg)
      redis.call('PERSIST', seg)
    else
      moved = room - taken
      local left = moved
      while left > 0 do
        local chunk = redis.call('LPOP', list, math.min(left, 1000))
        redis.call('RPUSH', seg, unpack(chunk))
        left = left - #chunk
      end
      redis.call('EXPIRE', list, tonumber(ARGV[3]))
    end
    parts[#parts + 1] = pos .. ':' .. moved
    taken = taken + moved
  end
end
if #parts == 0 then return false end
local value = ARGV[4] .. '|' .. pageSize .. '|0|' .. table.concat(parts, ',')
redis.call('HSET', KEYS[1], ARGV[5], value)
return value
`);

/**
 * Takes over a claim whose owner is gone: rewrites its index value if it still is the one the
 * caller saw (or already the new one: a resent takeover).
 * KEYS: index. ARGV: claim id, value seen, new value. Reply: 1 if taken, 0 if someone else moved.
 */
export const TAKEOVER = script(`
local cur = redis.call('HGET', KEYS[1], ARGV[1])
if cur ~= ARGV[2] and cur ~= ARGV[3] then return 0 end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[3])
return 1
`);

/**
 * Records that a claim's first ARGV[2] pages are committed: the count only ever grows, whoever
 * owns the claim now. Once every page is, forgets the claim: index entry and segments (UNLINK,
 * freed off Redis's main thread).
 * KEYS: index, the claim's segments. ARGV: claim id, pages committed, pages in the claim.
 */
export const FINISH = script(`
local v = redis.call('HGET', KEYS[1], ARGV[1])
if not v then return 0 end
local done = tonumber(ARGV[2])
if done >= tonumber(ARGV[3]) then
  redis.call('HDEL', KEYS[1], ARGV[1])
  if #KEYS > 1 then redis.call('UNLINK', unpack(KEYS, 2)) end
  return 1
end
local owner, size, was, layout = string.match(v, '^(.*)|(%d+)|(%d+)|([^|]*)$')
if owner and tonumber(was) < done then
  redis.call('HSET', KEYS[1], ARGV[1], owner .. '|' .. size .. '|' .. done .. '|' .. layout)
end
return 1
`);
