/**
 * Decode + aggregate throughput on one core: keymeter's decoder (WebAssembly fast path, ADR 0006)
 * vs plain msgpackr.unpack, both feeding the same aggregation the Redis drainer uses (pages added
 * to one group aggregate); the exact TypeScript decoder alone is measured beside them. Run: npm run bench:ingest-decode
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { isDeepStrictEqual } from 'node:util';
import { unpack } from 'msgpackr';
import { type AggregateOptions, BatchAggregator } from '../src/aggregate/aggregate.ts';
import { TimeZone } from '../src/aggregate/time-zone.ts';
import { addEntries, type EntryReader, prepareBatch } from '../src/ingest/prepare-batch.ts';
import { FastMsgpackDecoder } from '../src/record/fast-msgpack-decoder.ts';
import { recordFromGoObject } from '../src/record/msgpack-decoder.ts';
import { type DecodeResult, emptyRecord, type RecordReader } from '../src/record/record.ts';
import { WasmGatewayDecoder } from '../src/record/wasm-decoder.ts';
import { takeRecords } from '../src/sim/gateway-traffic.ts';

export interface DecodeBenchOptions {
  /** Distinct encoded records cycled through (default 20 000). */
  records?: number;
  /** Records per page, as the drainer reads them (default 10 000, its page size). */
  batchSize?: number;
  /** Pages per group commit (default 10; under a backlog the drainer's groups hold up to 25, or 1 s of pages). */
  groupPages?: number;
  /** Timed rounds per contender process: at least this many and at least 2 s (default 5). */
  rounds?: number;
  /**
   * Untimed rounds first: at least this many and at least 1 s (default 3). A drainer runs for
   * hours, so its steady state is what counts.
   */
  warmup?: number;
  /** Processes per contender, run alternately (default 3). */
  passes?: number;
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
  groupPages: number;
  avgRecordBytes: number;
  /** keymeter's decoder + the drainer's aggregation (pages into one group aggregate). */
  fast: Throughput;
  /** The exact TypeScript decoder alone (the fast path's fallback) + the same aggregation. */
  exact: Throughput;
  /** msgpackr.unpack + recordFromGoObject + the same aggregation. */
  baseline: Throughput;
  ratio: number;
  /** Distinct hour rows per batch: the aggregation's cost grows with it. */
  hourRowsPerBatch: number;
  /** The aggregation alone over already-decoded records. */
  aggregateOnly: Throughput;
  /** The same without aggregation, to show where the time goes. */
  decodeOnly: { fast: Throughput; exact: Throughput; baseline: Throughput; ratio: number };
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

const CONTENDERS = [
  'fast',
  'exact',
  'baseline',
  'fast-decode',
  'exact-decode',
  'baseline-decode',
  'aggregate-only',
] as const;
type Contender = (typeof CONTENDERS)[number];

interface Setup {
  n: number;
  batchSize: number;
  buffers: Buffer[];
  batches: Buffer[][];
  agg: AggregateOptions;
  readFast: EntryReader<Uint8Array>;
  readExact: EntryReader<Uint8Array>;
  readBaseline: EntryReader<Uint8Array>;
}

function setup(opts: DecodeBenchOptions): Setup {
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
  // keymeter's drain path: decode into one reused record, aggregate it at once (decode-batch.ts).
  const reader = (decoder: RecordReader): EntryReader<Uint8Array> => {
    const into = emptyRecord();
    return (bytes) => decoder.read(bytes, into) ?? into;
  };
  const readBaseline: EntryReader<Uint8Array> = (bytes) => {
    const r = baselineDecode(bytes);
    return r.ok ? r.record : r.reason;
  };
  return {
    n,
    batchSize,
    buffers,
    batches,
    agg: { tz: new TimeZone('UTC'), trackAllPaths: true },
    readFast: reader(new WasmGatewayDecoder()),
    readExact: reader(new FastMsgpackDecoder()),
    readBaseline,
  };
}

/** Runs one contender for warm-up + timed rounds in this process; records/s per round. */
function timeContender(name: Contender, opts: DecodeBenchOptions): Throughput {
  const { n, buffers, batches, agg, readFast, readExact, readBaseline } = setup(opts);
  // As the drainer does it under a backlog (decode-batch.ts): a group's pages (the pool's pages in
  // turn) added to one aggregate, sized as there, and finished once. Each returns records done.
  const group = opts.groupPages ?? 10;
  const grouped =
    <T>(pages: T[][], read: EntryReader<T>) =>
    (): number => {
      const acc = new BatchAggregator(agg, 4096);
      let records = 0;
      for (let page = 0; page < group; page++) {
        const entries = pages[page % pages.length] ?? [];
        addEntries(acc, entries, read);
        records += entries.length;
      }
      acc.finish();
      return records;
    };
  const withAggregation = (read: EntryReader<Uint8Array>) => grouped(batches, read);
  const decodeOnly = (read: EntryReader<Uint8Array>) => () => {
    for (const b of buffers) read(b);
    return n;
  };
  const decoded = batches.map((batch) => batch.map(baselineDecode));
  const contender = {
    fast: withAggregation(readFast),
    exact: withAggregation(readExact),
    baseline: withAggregation(readBaseline),
    'fast-decode': decodeOnly(readFast),
    'exact-decode': decodeOnly(readExact),
    'baseline-decode': decodeOnly(readBaseline),
    'aggregate-only': grouped(decoded, (r: DecodeResult) => (r.ok ? r.record : r.reason)),
  }[name];
  const timed = (minRounds: number, minSeconds: number): number[] => {
    const rates: number[] = [];
    const start = process.hrtime.bigint();
    while (rates.length < minRounds || Number(process.hrtime.bigint() - start) / 1e9 < minSeconds) {
      const t0 = process.hrtime.bigint();
      const records = contender();
      rates.push(records / (Number(process.hrtime.bigint() - t0) / 1e9));
    }
    return rates;
  };
  timed(opts.warmup ?? 3, 1);
  const rounds = timed(opts.rounds ?? 5, 2);
  return { recordsPerSec: median(rounds), rounds };
}

/** One contender in a fresh process, so no contender's types pollute another's JIT feedback. */
function inChild(name: Contender, opts: DecodeBenchOptions): Promise<Throughput> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', fileURLToPath(import.meta.url), '--child', name, JSON.stringify(opts)],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      out += d;
    });
    child.once('exit', (code) =>
      code === 0 ? resolve(JSON.parse(out) as Throughput) : reject(new Error(`${name} child exited ${code}`)),
    );
  });
}

/**
 * Measures decode(+aggregate) throughput. Each contender runs in processes of its own (a
 * production process only ever runs one of them), alternating `passes` times so that machine
 * noise hits them alike; the figure is the median over all their rounds.
 */
export async function measureDecode(opts: DecodeBenchOptions = {}): Promise<DecodeMeasurement> {
  const s = setup(opts);
  // Same input, same result, or the comparison is meaningless.
  const a = prepareBatch(s.buffers, s.readFast, s.agg);
  const b = prepareBatch(s.buffers, s.readBaseline, s.agg);
  const c = prepareBatch(s.buffers, s.readExact, s.agg);
  if (a.accepted !== s.n || !isDeepStrictEqual(a, b) || !isDeepStrictEqual(a, c)) {
    throw new Error('keymeter, exact and baseline pipelines disagree');
  }
  const rounds = new Map<Contender, number[]>(CONTENDERS.map((c) => [c, []]));
  for (let pass = 0; pass < (opts.passes ?? 3); pass++) {
    for (const c of CONTENDERS) rounds.get(c)?.push(...(await inChild(c, opts)).rounds);
  }
  const t = (c: Contender): Throughput => {
    const r = rounds.get(c) ?? [];
    return { recordsPerSec: median(r), rounds: r };
  };
  return {
    records: s.n,
    batchSize: s.batchSize,
    groupPages: opts.groupPages ?? 10,
    avgRecordBytes: s.buffers.reduce((sum, x) => sum + x.length, 0) / s.n,
    fast: t('fast'),
    exact: t('exact'),
    baseline: t('baseline'),
    ratio: t('fast').recordsPerSec / t('baseline').recordsPerSec,
    aggregateOnly: t('aggregate-only'),
    hourRowsPerBatch:
      s.batches.reduce((sum, batch) => sum + prepareBatch(batch, s.readFast, s.agg).batch.hours.length, 0) /
      s.batches.length,
    decodeOnly: {
      fast: t('fast-decode'),
      exact: t('exact-decode'),
      baseline: t('baseline-decode'),
      ratio: t('fast-decode').recordsPerSec / t('baseline-decode').recordsPerSec,
    },
  };
}

const fmt = (x: number) => `${Math.round(x).toLocaleString('en-US')} rec/s`;

if (process.argv[2] === '--child') {
  const opts = JSON.parse(process.argv[4] ?? '{}') as DecodeBenchOptions;
  process.stdout.write(JSON.stringify(timeContender(process.argv[3] as Contender, opts)));
} else if (import.meta.url === `file://${process.argv[1]}`) {
  const rawBytes = Number(process.argv[2] ?? 40);
  const m = await measureDecode({ rawBytes });
  console.log(
    `${m.records} gateway records, ${m.avgRecordBytes.toFixed(0)} bytes avg, one core; each contender in its own processes, 3 passes of ≥ 2 s (≥ 5 rounds) after ≥ 1 s of warm-up, median`,
  );
  console.log(
    `decode + aggregate (groups of ${m.groupPages} pages of ${m.batchSize}, as the drainer commits a backlog; ${m.hourRowsPerBatch.toFixed(0)} hour rows per page):`,
  );
  console.log(`  keymeter decoder      : ${fmt(m.fast.recordsPerSec)}`);
  console.log(`  msgpackr.unpack       : ${fmt(m.baseline.recordsPerSec)}`);
  console.log(`  ratio                 : ${m.ratio.toFixed(2)}x`);
  console.log(`  (exact TS decoder    : ${fmt(m.exact.recordsPerSec)})`);
  console.log(`  (aggregation alone   : ${fmt(m.aggregateOnly.recordsPerSec)})`);
  console.log(`decode only:`);
  console.log(`  keymeter decoder      : ${fmt(m.decodeOnly.fast.recordsPerSec)}`);
  console.log(`  msgpackr.unpack       : ${fmt(m.decodeOnly.baseline.recordsPerSec)}`);
  console.log(`  ratio                 : ${m.decodeOnly.ratio.toFixed(2)}x`);
  console.log(`  (exact TS decoder    : ${fmt(m.decodeOnly.exact.recordsPerSec)})`);
}
