import type { Redis } from 'ioredis';
import type { Random } from './random.ts';

/** The list the gateway writes to: `<prefix>tyk-system-analytics`, or its `_0`…`_9` shard. */
export const analyticsList = (prefix: string, shard?: number): string =>
  `${prefix}tyk-system-analytics${shard === undefined ? '' : `_${shard}`}`;

export interface PushOptions {
  /** Spread over the ten `_0`…`_9` lists, as the gateway does with multiple analytics keys. */
  spread?: boolean;
  /** Picks each flush's shard when spreading (the gateway uses rand.Intn(10)); else shards rotate. */
  random?: Random;
  /** Records per flush (one pipeline, one list). */
  flushSize?: number;
  /** TTL the gateway sets on a list that has none. */
  expireSeconds?: number;
}

/**
 * Pushes encoded records the way the gateway's analytics worker flushes them: per flush, one list
 * (a random shard when spreading), one pipeline of RPUSHes, then — if the list has no TTL —
 * EXPIRE it. Returns how many records went to each list.
 */
export async function pushGatewayRecords(
  redis: Redis,
  prefix: string,
  records: readonly Uint8Array[],
  opts: PushOptions = {},
): Promise<Record<string, number>> {
  const flushSize = opts.flushSize ?? 100;
  const perList: Record<string, number> = {};
  for (let at = 0, flush = 0; at < records.length; at += flushSize, flush++) {
    const shard = opts.spread ? (opts.random ? opts.random.int(0, 9) : flush % 10) : undefined;
    const list = analyticsList(prefix, shard);
    const chunk = records.slice(at, at + flushSize);
    const pipeline = redis.pipeline();
    for (const bytes of chunk)
      pipeline.rpush(list, Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length));
    pipeline.ttl(list);
    const results = (await pipeline.exec()) ?? [];
    for (const [err] of results) if (err) throw err;
    const ttl = results.at(-1)?.[1];
    if (ttl === -1) await redis.expire(list, opts.expireSeconds ?? 60);
    perList[list] = (perList[list] ?? 0) + chunk.length;
  }
  return perList;
}
