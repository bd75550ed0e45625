/**
 * Decode + aggregate throughput on one core: keymeter's fast decoder vs plain msgpackr.unpack,
 * both feeding the same prepareBatch() aggregation the Redis drainer uses. Run: npm run bench:ingest-decode
 */
import { isDeepStrictEqual } from 'node:util';
import { unpack } from 'msgpackr';
import type { AggregateOptions } from '../src/aggregate/aggregate.ts';
import { TimeZone } from '../src/aggregate/time-zone.ts';
import { type EntryReader, prepareBatch, prepareResults } from '../src/ingest/prepare-batch.ts';
import { FastMsgpackDecoder } from '../src/record/fast-msgpack-decoder.ts';
import { recordFromGoObject } from '../src/record/msgpack-decoder.ts';
import { type DecodeResult, emptyRecord } from '../src/record/record.ts';
import { takeRecords } from '../src/sim/gateway-traffic.ts';

export interface DecodeBenchOptions {
  /** Distinct encoded records cycled through (default 20 000). */
  records?: number;
  /** Records per prepareBatch call: one drained batch (default 10 000, the drainer's claim size). */
  batchSize?: number;
  /** Timed rounds per decoder; the median is reported (default 7). */
  rounds?: number;
  /** Untimed rounds first (default 2). */
  warmup?: number;
  /** Base64 raw request+response bytes per record (default 40: ~800-byte records). */
  rawBytes?: number;
  seed?: number;
}

export interface Throughput {
  /** Median records/s over the rounds. */
  recordsPerSec: number;
  rounds: number[];
}

export interface DecodeMeasurement {
  records: number;
  batchSize: number;
  avgRecordBytes: number;
  /** Fast decoder + prepareBatch. */
  fast: Throughput;
  /** msgpackr.unpack + recordFromGoObject + prepareBatch. */
  baseline: Throughput;
  ratio: number;
  /** Distinct hour rows per batch: the aggregation's cost grows with it. */
  hourRowsPerBatch: number;
  /** prepareBatch alone over already-decoded records. */
  aggregateOnly: Throughput;
  /** The same without aggregation, to show where the time goes. */
  decodeOnly: { fast: Throughput; baseline: Throughput; ratio: number };
}

function baselineDecode(bytes: Uint8Array): DecodeResult {
  try {
    return recordFromGoObject(unpack(bytes));
  } catch (err) {
    return { ok: false, reason: String(err) };
  }
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] as number;
};

/** Measures decode(+aggregate) throughput; both decoders run interleaved in the same process. */
export function measureDecode(opts: DecodeBenchOptions = {}): DecodeMeasurement {
  const n = opts.records ?? 20_000;
  const batchSize = opts.batchSize ?? 10_000;
  const generated = takeRecords(
    opts.seed ?? 1,
    { startMs: Date.UTC(2024, 5, 1), intervalMs: 10, rawBytes: opts.rawBytes ?? 40 },
    n,
  );
  const buffers = generated.map((g) => g.bytes);
  const batches: Buffer[][] = [];
  for (let i = 0; i < n; i += batchSize) batches.push(buffers.slice(i, i + batchSize));
  const agg: AggregateOptions = { tz: new TimeZone('UTC'), trackAllPaths: true };
  // keymeter's drain path: decode into one reused record, aggregate it at once (decode-batch.ts).
  const decoder = new FastMsgpackDecoder();
  const into = emptyRecord();
  const readFast: EntryReader<Uint8Array> = (bytes) => decoder.read(bytes, into) ?? into;
  const readBaseline: EntryReader<Uint8Array> = (bytes) => {
    const r = baselineDecode(bytes);
    return r.ok ? r.record : r.reason;
  };

  const withAggregation = (read: EntryReader<Uint8Array>) => () => {
    let accepted = 0;
    for (const batch of batches) accepted += prepareBatch(batch, read, agg).accepted;
    return accepted;
  };
  const decodeOnly = (read: EntryReader<Uint8Array>) => () => {
    let accepted = 0;
    for (const b of buffers) if (typeof read(b) !== 'string') accepted++;
    return accepted;
  };
  // Same input, same result, or the comparison is meaningless.
  const a = prepareBatch(buffers, readFast, agg);
  const b = prepareBatch(buffers, readBaseline, agg);
  if (a.accepted !== n || !isDeepStrictEqual(a, b)) throw new Error('fast and baseline pipelines disagree');

  const decodedBatches = batches.map((batch) => batch.map(baselineDecode));
  const aggregateOnly = () => {
    let accepted = 0;
    for (const results of decodedBatches) accepted += prepareResults(results, agg).accepted;
    return accepted;
  };

  /** Runs the contenders interleaved round by round, so machine noise hits them alike. */
  const run = (contenders: (() => number)[]): Throughput[] => {
    const times: number[][] = contenders.map(() => []);
    const rounds = opts.rounds ?? 7;
    for (let round = 0; round < (opts.warmup ?? 2) + rounds; round++) {
      contenders.forEach((contender, i) => {
        const t0 = process.hrtime.bigint();
        contender();
        const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
        if (round >= (opts.warmup ?? 2)) times[i]?.push(n / seconds);
      });
    }
    return times.map((t) => ({ recordsPerSec: median(t), rounds: t }));
  };
  const [fastAgg, baseAgg, aggOnly] = run([
    withAggregation(readFast),
    withAggregation(readBaseline),
    aggregateOnly,
  ]) as [Throughput, Throughput, Throughput];
  const [fastOnly, baseOnly] = run([decodeOnly(readFast), decodeOnly(readBaseline)]) as [
    Throughput,
    Throughput,
  ];
  return {
    records: n,
    batchSize,
    avgRecordBytes: buffers.reduce((s, x) => s + x.length, 0) / n,
    fast: fastAgg,
    baseline: baseAgg,
    ratio: fastAgg.recordsPerSec / baseAgg.recordsPerSec,
    aggregateOnly: aggOnly,
    hourRowsPerBatch:
      batches.reduce((sum, batch) => sum + prepareBatch(batch, readFast, agg).batch.hours.length, 0) /
      batches.length,
    decodeOnly: {
      fast: fastOnly,
      baseline: baseOnly,
      ratio: fastOnly.recordsPerSec / baseOnly.recordsPerSec,
    },
  };
}

const fmt = (x: number) => `${Math.round(x).toLocaleString('en-US')} rec/s`;

if (import.meta.url === `file://${process.argv[1]}`) {
  const rawBytes = Number(process.argv[2] ?? 40);
  const m = measureDecode({ rawBytes });
  console.log(
    `${m.records} gateway records, ${m.avgRecordBytes.toFixed(0)} bytes avg, one core, median of 7 rounds`,
  );
  console.log(
    `decode + aggregate (prepareBatch, batches of ${m.batchSize}, ${m.hourRowsPerBatch.toFixed(0)} hour rows each):`,
  );
  console.log(`  keymeter fast decoder : ${fmt(m.fast.recordsPerSec)}`);
  console.log(`  msgpackr.unpack       : ${fmt(m.baseline.recordsPerSec)}`);
  console.log(`  ratio                 : ${m.ratio.toFixed(2)}x`);
  console.log(`  (prepareBatch alone  : ${fmt(m.aggregateOnly.recordsPerSec)})`);
  console.log(`decode only:`);
  console.log(`  keymeter fast decoder : ${fmt(m.decodeOnly.fast.recordsPerSec)}`);
  console.log(`  msgpackr.unpack       : ${fmt(m.decodeOnly.baseline.recordsPerSec)}`);
  console.log(`  ratio                 : ${m.decodeOnly.ratio.toFixed(2)}x`);
}
