import { DAY_MS, HOUR_MS, type TimeZone } from './time-zone.ts';

/** Where one instant falls: its hourly bucket and the local day and month containing it. */
export interface BucketOf {
  /** UTC ms of the bucket start: the local hour floor, so local day boundaries are bucket boundaries. */
  hour: number;
  /** Local calendar day as days since 1970-01-01. */
  day: number;
  /** Local calendar month as year * 12 + (month - 1). */
  month: number;
}

const floorMod = (a: number, n: number): number => ((a % n) + n) % n;

/** Just the hourly bucket start of an instant (the per-record hot path). */
export function hourBucketOf(utcMs: number, tz: TimeZone): number {
  return utcMs - floorMod(utcMs + tz.offsetAt(utcMs), HOUR_MS);
}

export function bucketOf(utcMs: number, tz: TimeZone): BucketOf {
  const local = utcMs + tz.offsetAt(utcMs);
  const hour = utcMs - floorMod(local, HOUR_MS);
  const day = Math.floor(local / DAY_MS);
  return { hour, day, month: monthOfDay(day) };
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

/** Splits an inclusive local-day range into leading days, whole months and trailing days. */
export interface RangePlan {
  days: Array<[number, number]>;
  months: [number, number] | undefined;
}

/**
 * Plans a [startDay, endDay] query over the roll-up tables: whole months come from the
 * monthly roll-up, the ragged ends from the daily one. Ranges are inclusive on both ends.
 */
export function planRange(startDay: number, endDay: number): RangePlan {
  const firstMonth = monthOfDay(startDay) + (firstDayOfMonth(monthOfDay(startDay)) === startDay ? 0 : 1);
  const lastMonth = monthOfDay(endDay + 1) - 1; // last month that ends on or before endDay
  if (firstMonth > lastMonth) return { days: [[startDay, endDay]], months: undefined };
  const days: Array<[number, number]> = [];
  const monthsStart = firstDayOfMonth(firstMonth);
  const monthsEnd = firstDayOfMonth(lastMonth + 1) - 1;
  if (startDay < monthsStart) days.push([startDay, monthsStart - 1]);
  if (monthsEnd < endDay) days.push([monthsEnd + 1, endDay]);
  return { days, months: [firstMonth, lastMonth] };
}
