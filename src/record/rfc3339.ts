const RFC3339 =
  /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(?:([Zz])|([+-])(\d{2}):(\d{2}))$/;

const daysInMonth = (y: number, m: number): number => new Date(Date.UTC(y, m, 0)).getUTCDate();

/**
 * Parses an RFC 3339 timestamp to Unix milliseconds (sub-millisecond digits truncated), or
 * returns a reason. Stricter than Date.parse, which accepts many non-RFC forms and rolls
 * impossible dates (Feb 30) over into the next month.
 */
export function parseRfc3339(value: unknown): number | string {
  if (typeof value !== 'string') return 'must be an RFC 3339 string';
  const m = RFC3339.exec(value);
  if (!m) return 'is not an RFC 3339 timestamp';
  const [y, mo, d, h, mi, s] = [m[1], m[2], m[3], m[4], m[5], m[6]].map(Number) as [
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  if (mo < 1 || mo > 12 || d < 1 || d > daysInMonth(y, mo) || h > 23 || mi > 59 || s > 60) {
    return 'is not a valid date and time';
  }
  const ms = m[7] ? Number(m[7].slice(0, 3).padEnd(3, '0')) : 0;
  let offsetMin = 0;
  if (!m[8]) {
    const oh = Number(m[10]);
    const om = Number(m[11]);
    if (oh > 23 || om > 59) return 'has an invalid offset';
    offsetMin = (m[9] === '-' ? -1 : 1) * (oh * 60 + om);
  }
  // A leap second (:60) is folded into the following second, as Go does when parsing.
  const utc = Date.UTC(y, mo - 1, d, h, mi, 0, ms) + s * 1000;
  return utc - offsetMin * 60_000;
}
