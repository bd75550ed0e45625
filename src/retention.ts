import { bucketOf, weekOfDay } from './aggregate/buckets.ts';
import type { TimeZone } from './aggregate/time-zone.ts';
import type { RetentionCutoff } from './store/store.ts';

const DAY_MS = 86_400_000;

/**
 * Cut-offs for keeping `days` whole local days before today. Weeks and months are kept
 * while any of their days is kept, so such a row is only deleted once all of its days have expired.
 */
export function retentionCutoff(nowMs: number, days: number, tz: TimeZone): RetentionCutoff {
  const today = bucketOf(nowMs, tz).day;
  const firstKeptDay = today - days;
  const hour = tz.startOfLocalDay(firstKeptDay);
  return { hour, day: firstKeptDay, week: weekOfDay(firstKeptDay), month: bucketOf(hour, tz).month };
}

/** How long committed batch ids are remembered: far longer than any in-flight batch can live. */
export const BATCH_ID_MEMORY_MS = 30 * DAY_MS;
