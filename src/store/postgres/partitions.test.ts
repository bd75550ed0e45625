import { describe, expect, it } from 'vitest';
import { weekOfDay } from '../../aggregate/buckets.ts';
import {
  dayPartition,
  hourPartition,
  partitionFromName,
  partitionsAhead,
  weekPartition,
} from './partitions.ts';
import { chunkSizes } from './pg-dialect.ts';

describe('partitions', () => {
  it('puts an hour bucket in its UTC month and a local day in its year', () => {
    // +05:30 hour buckets start at :30 past a UTC hour; the last one of a month stays in that month.
    expect(hourPartition(Date.UTC(2024, 0, 31, 23, 30))).toEqual({
      table: 'agg_hour',
      name: 'agg_hour_p202401',
      from: Date.UTC(2024, 0, 1),
      to: Date.UTC(2024, 1, 1),
    });
    expect(dayPartition(Date.UTC(2024, 11, 31) / 86_400_000)).toMatchObject({
      name: 'agg_day_p2024',
      from: Date.UTC(2024, 0, 1) / 86_400_000,
      to: Date.UTC(2025, 0, 1) / 86_400_000,
    });
  });

  it('puts a week in the year of its Monday', () => {
    const day = (y: number, m: number, d: number) => Date.UTC(y, m - 1, d) / 86_400_000;
    // Mon 30 Dec 2024 – Sun 5 Jan 2025 belongs to 2024; 2025's first week starts Mon 6 Jan.
    expect(weekPartition(weekOfDay(day(2025, 1, 5)))).toEqual({
      table: 'agg_week',
      name: 'agg_week_p2024',
      from: weekOfDay(day(2024, 1, 1)), // 1 Jan 2024 was a Monday
      to: weekOfDay(day(2025, 1, 6)),
    });
    expect(weekPartition(weekOfDay(day(2025, 1, 6))).name).toBe('agg_week_p2025');
    expect(weekPartition(weekOfDay(day(2025, 12, 28))).to).toBe(weekOfDay(day(2026, 1, 5)));
  });

  it('reads partitions back from their names', () => {
    for (const p of partitionsAhead(Date.UTC(2024, 10, 20))) expect(partitionFromName(p.name)).toEqual(p);
    expect(partitionsAhead(Date.UTC(2024, 10, 20)).map((p) => p.name)).toEqual([
      'agg_hour_p202411',
      'agg_hour_p202412',
      'agg_hour_p202501',
      'agg_day_p2024',
      'agg_day_p2025',
      'agg_week_p2024',
      'agg_week_p2025',
    ]);
    expect(partitionFromName('agg_hour')).toBeUndefined();
  });

  it('splits rows into a few fixed statement sizes', () => {
    expect(chunkSizes(0)).toEqual([]);
    expect(chunkSizes(1)).toEqual([1]);
    expect(chunkSizes(1237)).toEqual([500, 500, 128, 64, 32, 8, 4, 1]);
    for (const n of [3, 499, 500, 501, 9999]) expect(chunkSizes(n).reduce((a, b) => a + b, 0)).toBe(n);
  });
});
