import { DAY_MS, HOUR_MS, SLOT_MS, type TimeZone } from './time-zone.ts';

/** Where one instant falls: its hourly bucket and the local day and month containing it. */
export interface BucketOf {
  /** UTC ms of the bucket start: the local hour floor, so local day boundaries are bucket boundaries. */
  hour: number;
  /** Local calendar day as days since 1970-01-01. */
  day: number;
  /** Local ISO week (Monday to Sunday) as weeks since the one starting Monday 1969-12-29. */
  week: number;
  /** Local calendar month as year * 12 + (month - 1). */
  month: number;
}

const floorMod = (a: number, n: number): number => ((a % n) + n) % n;

/** Just the hourly bucket start of an instant (the per-record hot path). */
export function hourBucketOf(utcMs: number, tz: TimeZone): number {
  return utcMs - floorMod(utcMs + tz.offsetAt(utcMs), HOUR_MS);
}

/**
 * `hourBucketOf` for a stream of instants that are mostly close in time (a drained batch): it
 * remembers the last bucket and the stretch of time it covers, so most instants cost two
 * comparisons instead of two floating-point remainders and an offset lookup.
 */
export class HourBuckets {
  // The last answer holds for [from, to): inside its hour and inside one 15-minute slot, over
  // which the zone's offset is constant (TimeZone's own caching rests on the same fact).
  private from = 0;
  private to = 0;
  private bucket = 0;

  constructor(private readonly tz: TimeZone) {}

  of(utcMs: number): number {
    if (utcMs >= this.from && utcMs < this.to) return this.bucket;
    const bucket = hourBucketOf(utcMs, this.tz);
    const slot = Math.floor(utcMs / SLOT_MS) * SLOT_MS;
    this.bucket = bucket;
    this.from = Math.max(bucket, slot);
    this.to = Math.min(bucket + HOUR_MS, slot + SLOT_MS);
    return bucket;
  }
}

export function bucketOf(utcMs: number, tz: TimeZone): BucketOf {
  const local = utcMs + tz.offsetAt(utcMs);
  const hour = utcMs - floorMod(local, HOUR_MS);
  const day = Math.floor(local / DAY_MS);
  return { hour, day, week: weekOfDay(day), month: monthOfDay(day) };
}

/** Local month key of a local day number. */
export function monthOfDay(day: number): number {
  const d = new Date(day * DAY_MS);
  return d.getUTCFullYear() * 12 + d.getUTCMonth();
}

/** First local day (days since epoch) of a month key. */
export function firstDayOfMonth(month: number): number {
  return Date.UTC(Math.floor(month / 12), month % 12, 1) / DAY_MS;
}

/** Local day number of a calendar date; undefined when the date does not exist. */
export function dayOfDate(year: number, month: number, day: number): number | undefined {
  if (!Number.isInteger(year) || !Number.isInteger(month) || !Number.isInteger(day)) return undefined;
  if (year < 1970 || year > 9999 || month < 1 || month > 12 || day < 1) return undefined;
  const ms = Date.UTC(year, month - 1, day);
  const d = new Date(ms);
  if (d.getUTCMonth() !== month - 1 || d.getUTCDate() !== day) return undefined;
  return ms / DAY_MS;
}

/**
 * Local week key of a local day number: weeks run Monday to Sunday, and 1970-01-01 (day 0) was
 * a Thursday, so week 0 is Monday 1969-12-29 (day -3) to Sunday 1970-01-04 (day 3).
 */
export const weekOfDay = (day: number): number => Math.floor((day + 3) / 7);

/** First local day (a Monday) of a week key. */
export const firstDayOfWeek = (week: number): number => week * 7 - 3;

/** The roll-up level a segment of a query plan is read from. */
export type PlanLevel = 'days' | 'weeks' | 'months';

/** An inclusive range of buckets of one level: day numbers, week keys or month keys. */
export interface PlanSegment {
  level: PlanLevel;
  from: number;
  to: number;
}

/**
 * Plans an inclusive [startDay, endDay] query over the roll-up tables so that it reads as few
 * rows as possible while covering every day exactly once: whole months from the monthly
 * roll-up, then whole weeks inside the ragged remainders (a week may straddle a month boundary
 * when no whole month lies between), then the ragged days. Segments come in day order.
 */
export function planRange(startDay: number, endDay: number): PlanSegment[] {
  const firstMonth = monthOfDay(startDay) + (firstDayOfMonth(monthOfDay(startDay)) === startDay ? 0 : 1);
  const lastMonth = monthOfDay(endDay + 1) - 1; // last month that ends on or before endDay
  if (firstMonth > lastMonth) return planWeeks(startDay, endDay);
  const monthsStart = firstDayOfMonth(firstMonth);
  const monthsEnd = firstDayOfMonth(lastMonth + 1) - 1;
  return [
    ...planWeeks(startDay, monthsStart - 1),
    { level: 'months', from: firstMonth, to: lastMonth },
    ...planWeeks(monthsEnd + 1, endDay),
  ];
}

/** Whole weeks of [startDay, endDay] plus the ragged days around them (nothing when empty). */
function planWeeks(startDay: number, endDay: number): PlanSegment[] {
  if (startDay > endDay) return [];
  const firstWeek = weekOfDay(startDay + 6); // first week that starts on or after startDay
  const lastWeek = weekOfDay(endDay + 1) - 1; // last week that ends on or before endDay
  if (firstWeek > lastWeek) return [{ level: 'days', from: startDay, to: endDay }];
  const weeksStart = firstDayOfWeek(firstWeek);
  const weeksEnd = firstDayOfWeek(lastWeek + 1) - 1;
  const plan: PlanSegment[] = [];
  if (startDay < weeksStart) plan.push({ level: 'days', from: startDay, to: weeksStart - 1 });
  plan.push({ level: 'weeks', from: firstWeek, to: lastWeek });
  if (weeksEnd < endDay) plan.push({ level: 'days', from: weeksEnd + 1, to: endDay });
  return plan;
}
