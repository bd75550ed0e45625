import { dayOfDate } from '../aggregate/buckets.ts';
import { TykError } from './tyk-error.ts';

export interface DateParams {
  sd: string;
  sm: string;
  sy: string;
  ed: string;
  em: string;
  ey: string;
}

const DIGITS = /^\d{1,4}$/;

function day(d: string, m: string, y: string, which: 'start' | 'end'): number {
  if (!DIGITS.test(d) || !DIGITS.test(m) || !DIGITS.test(y)) {
    throw new TykError(400, `Invalid ${which} date ${d}/${m}/${y}: day, month and year must be numbers`);
  }
  const n = dayOfDate(Number(y), Number(m), Number(d));
  if (n === undefined) {
    throw new TykError(400, `Invalid ${which} date ${d}/${m}/${y}: no such calendar date (years 1970-9999)`);
  }
  return n;
}

/** The seed routes' `/{sd}/{sm}/{sy}/{ed}/{em}/{ey}` as an inclusive range of local days. */
export function parseDateRange(p: DateParams): { startDay: number; endDay: number } {
  const startDay = day(p.sd, p.sm, p.sy, 'start');
  const endDay = day(p.ed, p.em, p.ey, 'end');
  if (endDay < startDay) throw new TykError(400, 'Invalid date range: the end date is before the start date');
  return { startDay, endDay };
}

/** `p`: absent → 1; any integer allowed (≤ 0 means every row); anything else → 400. */
export function parsePage(raw: unknown): number {
  if (raw === undefined) return 1;
  if (typeof raw !== 'string' || !/^[+-]?\d{1,9}$/.test(raw)) {
    throw new TykError(400, 'Invalid page: p must be an integer');
  }
  return Number(raw);
}
