import { createHash } from 'node:crypto';
import type { ChainableCommander, Redis } from 'ioredis';

/** A Lua script run by SHA, falling back to EVAL after a Redis restart emptied the script cache. */
export interface LuaScript {
  lua: string;
  sha: string;
}

const script = (lua: string): LuaScript => ({ lua, sha: createHash('sha1').update(lua).digest('hex') });

export async function runScript(
  redis: Redis,
  s: LuaScript,
  keys: string[],
  args: Array<string | number>,
): Promise<unknown> {
  return (await runScriptThen(redis, s, keys, args, () => {}))[0];
}

/**
 * Runs a script and, in the same round trip, the commands `then` queues behind it; returns every
 * reply in order (the script's first) and throws the first error.
 */
export async function runScriptThen(
  redis: Redis,
  s: LuaScript,
  keys: string[],
  args: Array<string | number>,
  then: (pipe: ChainableCommander) => void,
): Promise<unknown[]> {
  const run = async (command: 'EVALSHA' | 'EVAL') => {
    const pipe = redis.pipeline();
    pipe.callBuffer(command, [command === 'EVAL' ? s.lua : s.sha, keys.length, ...keys, ...args]);
    then(pipe);
    const replies = (await pipe.exec()) ?? [];
    const err = replies.find(([e]) => e)?.[0];
    if (err) throw err;
    return replies.map(([, r]) => r);
  };
  try {
    return await run('EVALSHA');
  } catch (err) {
    if (!String((err as Error).message).startsWith('NOSCRIPT')) throw err;
    return run('EVAL');
  }
}

/**
 * Claims up to ARGV[1] entries from the gateway lists into this batch's own segment keys and
 * registers the batch in the index, all in one atomic step. Idempotent per batch id: a claim
 * resent after a dropped connection reports what the first run took instead of taking more.
 * Entries are moved inside Redis (`RENAME` of a whole list, else `LMOVE` one by one: no copy
 * through Lua strings) and not returned: the caller reads its segments natively, in the same
 * round trip.
 * KEYS: index, the n gateway lists, then the n segment keys (same order).
 * ARGV: max entries, list TTL (s), owner, batch id, first list position (rotates for fairness).
 * Reply: {pos, count, pos, count, …}.
 */
export const CLAIM = script(`
local n = (#KEYS - 1) / 2
local layout = {}
local existing = redis.call('HGET', KEYS[1], ARGV[4])
if existing then
  local bar = string.find(existing, '|', 1, true)
  for pos, count in string.gmatch(string.sub(existing, bar + 1), '(%d+):(%d+)') do
    layout[#layout + 1] = tonumber(pos)
    layout[#layout + 1] = tonumber(count)
  end
  return layout
end
local remaining = tonumber(ARGV[1])
local ttl = tonumber(ARGV[2])
local parts = {}
for k = 0, n - 1 do
  if remaining <= 0 then break end
  local pos = (tonumber(ARGV[5]) + k) % n
  local list = KEYS[2 + pos]
  local seg = KEYS[n + 2 + pos]
  if redis.call('TYPE', list).ok == 'list' then
    local len = redis.call('LLEN', list)
    local moved
    if len <= remaining then
      -- The whole list moves in O(1); it must not keep the gateway's TTL under our name.
      redis.call('RENAME', list, seg)
      redis.call('PERSIST', seg)
      moved = len
    else
      for j = 1, remaining do redis.call('LMOVE', list, seg, 'LEFT', 'RIGHT') end
      moved = remaining
      -- Re-arm the TTL after the trim, as Tyk Pump does.
      redis.call('EXPIRE', list, ttl)
    end
    layout[#layout + 1] = pos
    layout[#layout + 1] = moved
    parts[#parts + 1] = pos .. ':' .. moved
    remaining = remaining - moved
  end
end
if #parts > 0 then
  redis.call('HSET', KEYS[1], ARGV[4], ARGV[3] .. '|' .. table.concat(parts, ','))
end
return layout
`);

/**
 * Takes over a batch whose owner is gone: rewrites its owner if the index still holds the value
 * the caller saw (or already the new one: a resent takeover), and returns its entries.
 * KEYS: index, the batch's segment keys in layout order. ARGV: batch id, value seen, new value.
 * Reply: nil when someone else finished or took it; else one array of entries per segment.
 */
export const TAKEOVER = script(`
local cur = redis.call('HGET', KEYS[1], ARGV[1])
if cur ~= ARGV[2] and cur ~= ARGV[3] then return false end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[3])
local out = {}
for i = 2, #KEYS do out[#out + 1] = redis.call('LRANGE', KEYS[i], 0, -1) end
return out
`);

/** Forgets a committed batch: its segments and its index entry. KEYS: index, segments. ARGV: batch id. */
export const FINISH = script(`
redis.call('HDEL', KEYS[1], ARGV[1])
if #KEYS > 1 then redis.call('DEL', unpack(KEYS, 2)) end
return 1
`);
