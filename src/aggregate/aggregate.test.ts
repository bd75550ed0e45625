import { describe, expect, it } from 'vitest';
import { expectedRow, rec } from '../../test/helpers/records.ts';
import type { AnalyticsRecord } from '../record/record.ts';
import { aggregateBatch, aggregateHours } from './aggregate.ts';
import { type Counters, cloneCounters, countersOf, mergeInto, metricsOf } from './counters.ts';
import { TimeZone } from './time-zone.ts';

const opts = { tz: new TimeZone('UTC'), trackAllPaths: true };

const sample = (n: number, seed = 1): AnalyticsRecord[] =>
  Array.from({ length: n }, (_, i) => {
    const x = (i * 7919 + seed * 104_729) % 10_007;
    return rec({
      responseCode: [200, 204, 301, 404, 500, 100][x % 6] ?? 200,
      requestTime: x % 977,
      latencyTotal: x % 613,
      latencyUpstream: x % 401,
      timestampMs: Date.UTC(2024, 0, 1) + x * 61_000,
    });
  });

describe('counter algebra', () => {
  it('merging per-record counters in any order equals the direct calculation', () => {
    const records = sample(500);
    const want = expectedRow(records);
    for (const order of [
      records,
      [...records].reverse(),
      [...records].sort((a, b) => a.latencyTotal - b.latencyTotal),
    ]) {
      const [first, ...rest] = order.map(countersOf) as [Counters, ...Counters[]];
      const total = rest.reduce(mergeInto, cloneCounters(first));
      expect(metricsOf(total)).toEqual(want);
    }
  });

  it('merging partial sums equals one sum (associativity: no averages of averages)', () => {
    const records = sample(300, 3);
    const parts = [records.slice(0, 1), records.slice(1, 120), records.slice(120)].map((part) => {
      const [first, ...rest] = part.map(countersOf) as [Counters, ...Counters[]];
      return rest.reduce(mergeInto, cloneCounters(first));
    });
    const [a, b, c] = parts as [Counters, Counters, Counters];
    expect(metricsOf(mergeInto(mergeInto(cloneCounters(a), b), c))).toEqual(expectedRow(records));
    expect(metricsOf(mergeInto(a, mergeInto(c, b))).latency).toBe(expectedRow(records).latency);
  });

  it('counts every response code', () => {
    const [row] = aggregateHours(
      [rec({ responseCode: 200 }), rec({ responseCode: 200 }), rec({ responseCode: 418 })],
      opts,
    );
    expect(Object.fromEntries(row?.counters.codes ?? [])).toEqual({ '200': 2, '418': 1 });
  });
});

describe('aggregate rows', () => {
  it('puts a record in the bucket of its own timestamp, not its batch', () => {
    const rows = aggregateHours(
      [rec({ timestampMs: Date.UTC(2024, 0, 1, 5, 59) }), rec({ timestampMs: Date.UTC(2024, 0, 1, 6) })],
      opts,
    );
    expect(rows.map((r) => r.bucket).sort()).toEqual([Date.UTC(2024, 0, 1, 5), Date.UTC(2024, 0, 1, 6)]);
  });

  it('writes a key row and an OAuth row for a record carrying both, and nothing for one carrying neither', () => {
    const rows = aggregateHours([rec({ apiKey: 'k', oauthId: 'c' }), rec({ apiKey: '', oauthId: '' })], opts);
    expect(rows.map((r) => [r.kind, r.subject])).toEqual([
      ['key', 'k'],
      ['oauth', 'c'],
    ]);
  });

  it('leaves out TCP-stats (-1), GraphQL and MCP records, and untracked paths when asked', () => {
    expect(
      aggregateHours([rec({ responseCode: -1 }), rec({ isGraphQL: true }), rec({ isMCP: true })], opts),
    ).toEqual([]);
    expect(aggregateHours([rec({ trackPath: false })], { ...opts, trackAllPaths: false })).toEqual([]);
    expect(aggregateHours([rec({ trackPath: false })], opts)).toHaveLength(1);
  });

  it('rolls hours up into days and months exactly', () => {
    const records = sample(400, 7);
    const batch = aggregateBatch(records, opts);
    const hits = (rows: { counters: Counters }[]) => rows.reduce((n, r) => n + r.counters.hits, 0);
    expect(hits(batch.hours)).toBe(400);
    expect(hits(batch.days)).toBe(400);
    expect(hits(batch.months)).toBe(400);
    expect(batch.months.length).toBeLessThanOrEqual(batch.days.length);
  });
});
