import type { AggregateBatch } from '../../aggregate/aggregate.ts';
import { firstDayOfWeek, weekOfDay } from '../../aggregate/buckets.ts';
import { DAY_MS } from '../../aggregate/time-zone.ts';

/** The partitioned aggregate tables: agg_hour by UTC month, agg_day and agg_week by calendar year. */
export type PartitionedTable = 'agg_hour' | 'agg_day' | 'agg_week';

/** One range partition: rows with from <= bucket < to. */
export interface Partition {
  table: PartitionedTable;
  name: string;
  from: number;
  to: number;
}

const pad = (n: number, width: number): string => String(n).padStart(width, '0');

/** The monthly agg_hour partition holding an hour bucket (UTC ms). */
export function hourPartition(bucketMs: number): Partition {
  const d = new Date(bucketMs);
  const y = d.getUTCFullYear();
  const m = d.getUTCMonth();
  return {
    table: 'agg_hour',
    name: `agg_hour_p${pad(y, 4)}${pad(m + 1, 2)}`,
    from: Date.UTC(y, m, 1),
    to: Date.UTC(y, m + 1, 1),
  };
}

/** The yearly agg_day partition holding a local day number. */
export function dayPartition(day: number): Partition {
  const y = new Date(day * DAY_MS).getUTCFullYear();
  return {
    table: 'agg_day',
    name: `agg_day_p${pad(y, 4)}`,
    from: Date.UTC(y, 0, 1) / DAY_MS,
    to: Date.UTC(y + 1, 0, 1) / DAY_MS,
  };
}

/**
 * The yearly agg_week partition holding a week key: the weeks whose Monday lies in that year,
 * from the first Monday on or after 1 January to the next year's (as migration 002 computes).
 */
export function weekPartition(week: number): Partition {
  const y = new Date(firstDayOfWeek(week) * DAY_MS).getUTCFullYear();
  const firstWeekOf = (year: number): number => weekOfDay(Date.UTC(year, 0, 1) / DAY_MS + 6);
  return { table: 'agg_week', name: `agg_week_p${pad(y, 4)}`, from: firstWeekOf(y), to: firstWeekOf(y + 1) };
}

const NAME = /^agg_(hour|day|week)_p(\d{4,})$/;

/** Reads a partition back from its name (names are ours: only the store creates partitions). */
export function partitionFromName(name: string): Partition | undefined {
  const m = NAME.exec(name);
  if (!m?.[2]) return undefined;
  const digits = m[2];
  if (m[1] === 'day') return dayPartition(Date.UTC(Number(digits), 0, 1) / DAY_MS);
  if (m[1] === 'week') return weekPartition(weekOfDay(Date.UTC(Number(digits), 0, 1) / DAY_MS + 6));
  const y = Number(digits.slice(0, -2));
  const month = Number(digits.slice(-2)) - 1;
  return hourPartition(Date.UTC(y, month, 1));
}

/** Every partition a batch writes into. */
export function partitionsFor(batch: AggregateBatch): Partition[] {
  const out = new Map<string, Partition>();
  for (const r of batch.hours) {
    const p = hourPartition(r.bucket);
    out.set(p.name, p);
  }
  for (const r of batch.days) {
    const p = dayPartition(r.bucket);
    out.set(p.name, p);
  }
  for (const r of batch.weeks) {
    const p = weekPartition(r.bucket);
    out.set(p.name, p);
  }
  return [...out.values()];
}

/** The partitions to have ready before traffic needs them: this and the next two months, this and next year
 * (days and weeks). */
export function partitionsAhead(nowMs: number): Partition[] {
  const d = new Date(nowMs);
  const y = d.getUTCFullYear();
  const m = d.getUTCMonth();
  return [
    ...[0, 1, 2].map((i) => hourPartition(Date.UTC(y, m + i, 1))),
    ...[0, 1].map((i) => dayPartition(Date.UTC(y + i, 0, 1) / DAY_MS)),
    ...[0, 1].map((i) => weekPartition(weekOfDay(Date.UTC(y + i, 0, 1) / DAY_MS + 6))),
  ];
}
