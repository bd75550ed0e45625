import type { TimeZone } from '../aggregate/time-zone.ts';

const pad = (n: number, width = 2): string => String(n).padStart(width, '0');

/**
 * Formats an instant as Go's time.RFC3339Nano would in the given zone, at millisecond
 * precision: trailing fractional zeros trimmed, `Z` for a zero offset, `±hh:mm` otherwise.
 */
export function formatLastHit(utcMs: number, tz: TimeZone): string {
  const offsetMs = tz.offsetAt(utcMs);
  const d = new Date(utcMs + offsetMs);
  const ms = d.getUTCMilliseconds();
  const fraction = ms === 0 ? '' : `.${pad(ms, 3).replace(/0+$/, '')}`;
  const offsetMin = Math.round(offsetMs / 60_000);
  const sign = offsetMin < 0 ? '-' : '+';
  const abs = Math.abs(offsetMin);
  const zone = offsetMin === 0 ? 'Z' : `${sign}${pad(Math.floor(abs / 60))}:${pad(abs % 60)}`;
  return (
    `${pad(d.getUTCFullYear(), 4)}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}` +
    `T${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}${fraction}${zone}`
  );
}
