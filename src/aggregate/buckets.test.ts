import { describe, expect, it } from 'vitest';
import { seededRandom } from '../sim/random.ts';
import {
  bucketOf,
  dayOfDate,
  firstDayOfMonth,
  firstDayOfWeek,
  HourBuckets,
  hourBucketOf,
  monthOfDay,
  type PlanSegment,
  planRange,
  weekOfDay,
} from './buckets.ts';
import { TimeZone } from './time-zone.ts';

const H = 3_600_000;

describe('bucketOf', () => {
  it('uses UTC hours in UTC, with 23:59:59.999 and 00:00 in different days', () => {
    const tz = new TimeZone('UTC');
    const late = bucketOf(Date.UTC(2024, 0, 1, 23, 59, 59, 999), tz);
    const midnight = bucketOf(Date.UTC(2024, 0, 2), tz);
    expect(late.hour).toBe(Date.UTC(2024, 0, 1, 23));
    expect(midnight.hour).toBe(Date.UTC(2024, 0, 2));
    expect(midnight.day - late.day).toBe(1);
  });

  it('starts buckets at :30 past each UTC hour in Asia/Kolkata (+05:30), and :15 in Kathmandu (+05:45)', () => {
    const kolkata = new TimeZone('Asia/Kolkata');
    expect(bucketOf(Date.UTC(2024, 5, 1, 10, 29), kolkata).hour).toBe(Date.UTC(2024, 5, 1, 9, 30));
    expect(bucketOf(Date.UTC(2024, 5, 1, 10, 30), kolkata).hour).toBe(Date.UTC(2024, 5, 1, 10, 30));
    // local midnight of 2 June is 18:30Z on 1 June
    expect(bucketOf(Date.UTC(2024, 5, 1, 18, 30), kolkata).day).toBe(dayOfDate(2024, 6, 2));
    expect(bucketOf(Date.UTC(2024, 5, 1, 18, 29, 59, 999), kolkata).day).toBe(dayOfDate(2024, 6, 1));
    const kathmandu = new TimeZone('Asia/Kathmandu');
    expect(bucketOf(Date.UTC(2024, 5, 1, 10, 20), kathmandu).hour).toBe(Date.UTC(2024, 5, 1, 10, 15));
  });

  it('keeps every local day boundary a bucket boundary across DST changes', () => {
    const ny = new TimeZone('America/New_York');
    // 2024-03-10 02:00 local jumps to 03:00; the day has 23 hours.
    const start = ny.startOfLocalDay(dayOfDate(2024, 3, 10) ?? 0);
    const end = ny.startOfLocalDay((dayOfDate(2024, 3, 10) ?? 0) + 1);
    expect(end - start).toBe(23 * H);
    const buckets = new Set<number>();
    for (let t = start; t < end; t += 60_000) {
      const b = bucketOf(t, ny);
      expect(b.day).toBe(dayOfDate(2024, 3, 10));
      buckets.add(b.hour);
    }
    expect(buckets.size).toBe(23);
    expect(bucketOf(end, ny).day).toBe((dayOfDate(2024, 3, 10) ?? 0) + 1);
    // 2024-11-03 has 25 hours.
    const fallStart = ny.startOfLocalDay(dayOfDate(2024, 11, 3) ?? 0);
    expect(ny.startOfLocalDay((dayOfDate(2024, 11, 3) ?? 0) + 1) - fallStart).toBe(25 * H);
  });
});

describe('HourBuckets (the remembering hourBucketOf)', () => {
  it('gives hourBucketOf for instants jumping around DST changes and odd offsets', () => {
    const r = seededRandom(11);
    const cases: [string, number][] = [
      ['UTC', Date.UTC(2024, 5, 1)],
      ['America/New_York', Date.UTC(2024, 2, 10, 7)], // spring forward
      ['America/New_York', Date.UTC(2024, 10, 3, 6)], // fall back
      ['Asia/Kathmandu', Date.UTC(2024, 0, 1)], // +05:45
      ['Australia/Lord_Howe', Date.UTC(2024, 3, 6, 15)], // a 30-minute DST change
      ['Africa/Monrovia', Date.UTC(1971, 5, 1)], // -00:44:30: buckets not on 15-minute marks
    ];
    for (const [zone, around] of cases) {
      const tz = new TimeZone(zone);
      const memo = new HourBuckets(tz);
      let t = around;
      for (let i = 0; i < 5000; i++) {
        // Small steps either way, sometimes a jump: all within 3 hours of the change.
        t = r.chance(0.8) ? t + r.int(-900_000, 900_000) : around + r.int(-3 * H, 3 * H);
        expect(memo.of(t)).toBe(hourBucketOf(t, tz));
      }
    }
  });

  it('never carries a bucket across an offset change, even one in the middle of an hour', () => {
    // No real zone changes its offset mid-hour by a non-hour amount; a made-up one does.
    const change = Date.UTC(2024, 0, 1, 0, 30);
    const zone = new (class extends TimeZone {
      override offsetAt(utcMs: number): number {
        return utcMs >= change ? 20 * 60_000 : 0;
      }
    })('UTC');
    const memo = new HourBuckets(zone);
    expect(memo.of(change - 20 * 60_000)).toBe(Date.UTC(2024, 0, 1, 0, 0));
    expect(memo.of(change + 10 * 60_000)).toBe(Date.UTC(2024, 0, 1, 0, 40));
    expect(memo.of(change - 5 * 60_000)).toBe(Date.UTC(2024, 0, 1, 0, 0));
  });
});

describe('calendar helpers', () => {
  it('validates dates, including leap days', () => {
    expect(dayOfDate(2024, 2, 29)).toBe(Date.UTC(2024, 1, 29) / 86_400_000);
    expect(dayOfDate(2023, 2, 29)).toBeUndefined();
    expect(dayOfDate(2000, 2, 29)).toBeDefined();
    expect(dayOfDate(1900, 2, 29)).toBeUndefined();
    expect(dayOfDate(2024, 4, 31)).toBeUndefined();
    expect(dayOfDate(2024, 0, 1)).toBeUndefined();
  });

  it('maps days to months and back', () => {
    const d = dayOfDate(2024, 2, 29) ?? 0;
    expect(monthOfDay(d)).toBe(2024 * 12 + 1);
    expect(firstDayOfMonth(monthOfDay(d))).toBe(dayOfDate(2024, 2, 1));
  });
});

describe('weeks', () => {
  const d = (y: number, m: number, day: number) => dayOfDate(y, m, day) ?? 0;

  it('runs Monday to Sunday: 1970-01-01 (a Thursday) is in week 0, which starts on Monday 1969-12-29', () => {
    expect(weekOfDay(0)).toBe(0);
    expect(firstDayOfWeek(0)).toBe(-3);
    expect(weekOfDay(3)).toBe(0); // Sunday 1970-01-04
    expect(weekOfDay(4)).toBe(1); // Monday 1970-01-05
    expect(weekOfDay(-4)).toBe(-1); // Sunday 1969-12-28
    for (let day = d(2023, 1, 1); day < d(2026, 1, 1); day++) {
      const week = weekOfDay(day);
      expect(new Date(firstDayOfWeek(week) * 86_400_000).getUTCDay()).toBe(1);
      expect(day - firstDayOfWeek(week)).toBeGreaterThanOrEqual(0);
      expect(day - firstDayOfWeek(week)).toBeLessThan(7);
    }
  });

  it('keeps ISO weeks whole across a year boundary', () => {
    // ISO week 1 of 2025 runs from Monday 2024-12-30 to Sunday 2025-01-05.
    expect(weekOfDay(d(2024, 12, 30))).toBe(weekOfDay(d(2025, 1, 5)));
    expect(weekOfDay(d(2024, 12, 29))).toBe(weekOfDay(d(2024, 12, 30)) - 1);
    expect(firstDayOfWeek(weekOfDay(d(2025, 1, 1)))).toBe(d(2024, 12, 30));
  });

  it('gives each local day the week of its local date, in a DST zone and a +05:30 zone', () => {
    const ny = new TimeZone('America/New_York');
    // Sunday 2024-03-10 (23 hours) and Monday 2024-03-11, local midnight to local midnight.
    const sunday = d(2024, 3, 10);
    expect(bucketOf(ny.startOfLocalDay(sunday + 1) - 1, ny).week).toBe(weekOfDay(sunday));
    expect(bucketOf(ny.startOfLocalDay(sunday + 1), ny).week).toBe(weekOfDay(sunday) + 1);
    const kolkata = new TimeZone('Asia/Kolkata');
    // Monday 2024-06-03 starts at 18:30Z on Sunday 2 June.
    expect(bucketOf(Date.UTC(2024, 5, 2, 18, 29, 59, 999), kolkata).week).toBe(weekOfDay(d(2024, 6, 2)));
    expect(bucketOf(Date.UTC(2024, 5, 2, 18, 30), kolkata).week).toBe(weekOfDay(d(2024, 6, 3)));
    expect(weekOfDay(d(2024, 6, 3))).toBe(weekOfDay(d(2024, 6, 2)) + 1);
  });
});

describe('planRange', () => {
  const d = (y: number, m: number, day: number) => dayOfDate(y, m, day) ?? 0;
  const w = (y: number, m: number, day: number) => weekOfDay(d(y, m, day));
  /** The inclusive day range a segment covers. */
  const daysOf = (s: PlanSegment): [number, number] =>
    s.level === 'days'
      ? [s.from, s.to]
      : s.level === 'weeks'
        ? [firstDayOfWeek(s.from), firstDayOfWeek(s.to + 1) - 1]
        : [firstDayOfMonth(s.from), firstDayOfMonth(s.to + 1) - 1];

  it('uses days only when no whole week or month fits', () => {
    // Saturday 3 Feb 2024 to Sunday 11 Feb: no Monday-to-Sunday week inside.
    expect(planRange(d(2024, 2, 3), d(2024, 2, 10))).toEqual([
      { level: 'days', from: d(2024, 2, 3), to: d(2024, 2, 10) },
    ]);
  });

  it('starts and ends mid-week: ragged days around whole weeks', () => {
    // Wednesday 7 Feb 2024 to Tuesday 27 Feb: Mon 12 – Sun 25 are two whole weeks.
    expect(planRange(d(2024, 2, 7), d(2024, 2, 27))).toEqual([
      { level: 'days', from: d(2024, 2, 7), to: d(2024, 2, 11) },
      { level: 'weeks', from: w(2024, 2, 12), to: w(2024, 2, 19) },
      { level: 'days', from: d(2024, 2, 26), to: d(2024, 2, 27) },
    ]);
  });

  it('lets a week straddle a month boundary when no whole month lies inside the range', () => {
    // Thursday 11 Jan 2024 to Saturday 10 Feb: weeks Mon 15 Jan to Sun 4 Feb, across 1 Feb.
    expect(planRange(d(2024, 1, 11), d(2024, 2, 10))).toEqual([
      { level: 'days', from: d(2024, 1, 11), to: d(2024, 1, 14) },
      { level: 'weeks', from: w(2024, 1, 15), to: w(2024, 1, 29) },
      { level: 'days', from: d(2024, 2, 5), to: d(2024, 2, 10) },
    ]);
  });

  it('uses whole months, then whole weeks inside the remainders, then days, across a year boundary', () => {
    // 15 Nov 2023 (Wed) to 19 Mar 2024 (Tue): Dec, Jan, Feb whole; Mon 20 – Sun 26 Nov and
    // Mon 4 – Sun 17 Mar are whole weeks inside the remainders.
    expect(planRange(d(2023, 11, 15), d(2024, 3, 19))).toEqual([
      { level: 'days', from: d(2023, 11, 15), to: d(2023, 11, 19) },
      { level: 'weeks', from: w(2023, 11, 20), to: w(2023, 11, 20) },
      { level: 'days', from: d(2023, 11, 27), to: d(2023, 11, 30) },
      { level: 'months', from: 2023 * 12 + 11, to: 2024 * 12 + 1 },
      { level: 'days', from: d(2024, 3, 1), to: d(2024, 3, 3) },
      { level: 'weeks', from: w(2024, 3, 4), to: w(2024, 3, 11) },
      { level: 'days', from: d(2024, 3, 18), to: d(2024, 3, 19) },
    ]);
    // A week across New Year when no month is whole: Mon 30 Dec 2024 – Sun 5 Jan 2025.
    expect(planRange(d(2024, 12, 28), d(2025, 1, 6))).toEqual([
      { level: 'days', from: d(2024, 12, 28), to: d(2024, 12, 29) },
      { level: 'weeks', from: w(2024, 12, 30), to: w(2024, 12, 30) },
      { level: 'days', from: d(2025, 1, 6), to: d(2025, 1, 6) },
    ]);
  });

  it('covers every day exactly once, in order, for any start and length', () => {
    for (let s = d(2023, 1, 1); s < d(2024, 12, 31); s += 5) {
      for (const len of [0, 1, 6, 7, 13, 27, 30, 31, 60, 365, 366]) {
        let next = s;
        for (const segment of planRange(s, s + len)) {
          const [a, b] = daysOf(segment);
          expect(a).toBe(next);
          expect(b).toBeGreaterThanOrEqual(a);
          next = b + 1;
        }
        expect(next).toBe(s + len + 1);
      }
    }
  });

  it('reads at most 13 buckets per endpoint for 31 days (instead of 31) and 31 for 366 days', () => {
    const buckets = (s: number, e: number) => planRange(s, e).reduce((n, p) => n + p.to - p.from + 1, 0);
    for (let s = d(2022, 1, 1); s < d(2025, 1, 1); s++) {
      expect(buckets(s, s + 30)).toBeLessThanOrEqual(13);
      expect(buckets(s, s + 365)).toBeLessThanOrEqual(31);
    }
    // Three weeks and ten days: Thursday 4 Jan 2024 + 31 days.
    expect(buckets(d(2024, 1, 4), d(2024, 2, 3))).toBe(13);
  });
});
