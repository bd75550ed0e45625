import { unpack } from 'msgpackr';
import type { AggregateOptions } from '../src/aggregate/aggregate.ts';
import { TimeZone } from '../src/aggregate/time-zone.ts';
import { prepareBatch } from '../src/ingest/prepare-batch.ts';
import { decodeMsgpackRecord, recordFromGoObject } from '../src/record/msgpack-decoder.ts';

/**
 * Decode + aggregate speed on one core: the production decoder vs plain `msgpackr.unpack` feeding
 * the same record mapping and aggregation. Used until bench/ingest-decode.ts (the fast decoder's
 * own benchmark) is available; with the msgpackr-based decoder the ratio is about 1.
 */
export async function measureDecodeAggregate(
  pool: Buffer[],
): Promise<{ fastRecPerSec: number; msgpackrRecPerSec: number; ratio: number }> {
  const opts: AggregateOptions = { tz: new TimeZone('UTC'), trackAllPaths: true };
  const entries = Array.from({ length: 200_000 }, (_, i) => pool[i % pool.length] as Buffer);
  // Both paths share the JIT: alternate them and keep each one's best of three rounds.
  const once = (f: () => void) => {
    const t0 = performance.now();
    f();
    return entries.length / ((performance.now() - t0) / 1000);
  };
  const decodeFast = () => prepareBatch(entries.map(decodeMsgpackRecord), opts);
  const decodePlain = () =>
    prepareBatch(
      entries.map((e) => recordFromGoObject(unpack(e))),
      opts,
    );
  let fast = 0;
  let plain = 0;
  for (let round = 0; round < 4; round++) {
    const f = once(decodeFast);
    const p = once(decodePlain);
    if (round === 0) continue; // warm-up
    fast = Math.max(fast, f);
    plain = Math.max(plain, p);
  }
  return { fastRecPerSec: fast, msgpackrRecPerSec: plain, ratio: fast / plain };
}
