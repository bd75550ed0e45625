import { describe, expect, it } from 'vitest';
import { bucketOf, dayOfDate, firstDayOfMonth, monthOfDay, planRange } from './buckets.ts';
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

describe('planRange', () => {
  const d = (y: number, m: number, day: number) => dayOfDate(y, m, day) ?? 0;

  it('uses days only inside one month', () => {
    expect(planRange(d(2024, 2, 3), d(2024, 2, 20))).toEqual({
      days: [[d(2024, 2, 3), d(2024, 2, 20)]],
      months: undefined,
    });
  });

  it('uses whole months and ragged day ends, covering every day exactly once', () => {
    const plan = planRange(d(2023, 11, 15), d(2024, 3, 2));
    expect(plan.months).toEqual([2023 * 12 + 11, 2024 * 12 + 1]);
    expect(plan.days).toEqual([
      [d(2023, 11, 15), d(2023, 11, 30)],
      [d(2024, 3, 1), d(2024, 3, 2)],
    ]);
    for (let s = d(2023, 1, 1); s < d(2024, 12, 31); s += 37) {
      for (const len of [0, 1, 27, 31, 60, 366]) {
        const p = planRange(s, s + len);
        let covered = p.days.reduce((n, [a, b]) => n + b - a + 1, 0);
        if (p.months) covered += firstDayOfMonth(p.months[1] + 1) - firstDayOfMonth(p.months[0]);
        expect(covered).toBe(len + 1);
      }
    }
  });
});
