import { describe, expect, it } from 'vitest';
import { rec } from '../../test/helpers/records.ts';
import type { AnalyticsRecord } from '../record/record.ts';
import { seededRandom } from '../sim/random.ts';
import { type AggregateRow, BatchAggregator, rollUp } from './aggregate.ts';
import { bucketOf } from './buckets.ts';
import { type Counters, cloneCounters, countersOf, mergeInto } from './counters.ts';
import { TimeZone } from './time-zone.ts';

// The typed-array row tables against a naive reference: one string key per row, counters merged
// with the object algebra of counters.ts. Same rows, same counters, whatever the traffic.

type Level = 'hour' | 'day' | 'week' | 'month';

function reference(records: AnalyticsRecord[], tz: TimeZone): Map<string, Counters> {
  const rows = new Map<string, Counters>();
  const add = (key: string, c: Counters) => {
    const have = rows.get(key);
    if (have) mergeInto(have, c);
    else rows.set(key, cloneCounters(c));
  };
  for (const r of records) {
    if (r.responseCode === -1 || r.isGraphQL || r.isMCP) continue;
    const at = bucketOf(r.timestampMs, tz);
    for (const [kind, subject] of [
      ['key', r.apiKey],
      ['oauth', r.oauthId],
    ] as const) {
      if (subject === '') continue;
      const id = [kind, subject, r.orgId, r.apiId, r.path, r.method].join('|');
      for (const [level, bucket] of [
        ['hour', at.hour],
        ['day', at.day],
        ['week', at.week],
        ['month', at.month],
      ] as const) {
        add(`${level}|${id}|${bucket}`, countersOf(r));
      }
    }
  }
  return rows;
}

function flatten(
  batch: Record<'hours' | 'days' | 'weeks' | 'months', AggregateRow[]>,
): Map<string, Counters> {
  const out = new Map<string, Counters>();
  for (const [level, rows] of [
    ['hour', batch.hours],
    ['day', batch.days],
    ['week', batch.weeks],
    ['month', batch.months],
  ] as Array<[Level, AggregateRow[]]>) {
    for (const r of rows) {
      const key = `${level}|${[r.kind, r.subject, r.orgId, r.apiId, r.path, r.method].join('|')}|${r.bucket}`;
      expect(out.has(key), `row listed twice: ${key}`).toBe(false);
      out.set(key, r.counters);
    }
  }
  return out;
}

function traffic(seed: number, n: number): AnalyticsRecord[] {
  const r = seededRandom(seed);
  const start = Date.UTC(2024, 2, 30);
  return Array.from({ length: n }, () =>
    rec({
      orgId: r.pick(['org-a', 'org-b']),
      apiId: r.pick(['api-1', 'api-2', 'api-3']),
      apiName: r.pick(['alpha', 'beta', 'gamma']),
      path: `/p/${r.int(0, 40)}`,
      method: r.pick(['GET', 'POST']),
      apiKey: r.chance(0.8) ? `key-${r.int(0, 30)}` : '',
      oauthId: r.chance(0.3) ? `client-${r.int(0, 4)}` : '',
      // Many distinct codes per row: more than the eight a row keeps inline.
      responseCode: r.pick([200, 201, 204, 301, 304, 400, 401, 404, 429, 500, 502, 503, -1]),
      requestTime: r.int(0, 5000),
      latencyTotal: r.int(0, 4000),
      latencyUpstream: r.int(0, 3000),
      // Whole seconds over three days across a DST change: ties on last_hit happen.
      timestampMs: start + r.int(0, 3 * 86_400) * 1000,
      isGraphQL: r.chance(0.02),
    }),
  );
}

describe('BatchAggregator (typed-array rows)', () => {
  for (const zone of ['UTC', 'Europe/Berlin', 'Asia/Kolkata']) {
    it(`equals the naive reference on mixed traffic (${zone})`, () => {
      const tz = new TimeZone(zone);
      const records = traffic(zone.length, 6000);
      const acc = new BatchAggregator({ tz, trackAllPaths: true });
      for (const r of records) acc.add(r);
      const got = flatten(acc.finish());
      const want = reference(records, tz);
      expect(got.size).toBe(want.size);
      expect(got.size).toBeGreaterThan(1000); // the tables grew many times over
      for (const [key, counters] of want) expect(got.get(key), key).toEqual(counters);
    });
  }

  it('rolls prebuilt hour rows up exactly, merging rows listed more than once', () => {
    const tz = new TimeZone('Europe/Berlin');
    const records = traffic(7, 3000);
    const halves = [records.slice(0, 1500), records.slice(1500)].map((part) => {
      const acc = new BatchAggregator({ tz, trackAllPaths: true });
      for (const r of part) acc.add(r);
      return acc.hourRows();
    });
    const got = flatten(rollUp(halves.flat(), tz));
    const want = reference(records, tz);
    expect(got.size).toBe(want.size);
    for (const [key, counters] of want) expect(got.get(key), key).toEqual(counters);
  });
});
