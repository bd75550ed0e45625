const HOUR_MS = 3_600_000;
const DAY_MS = 86_400_000;
/** Every real-world offset change happens on a 15-minute boundary, so offsets are cached per slot. */
const SLOT_MS = 900_000;

/**
 * A time zone's offset function with a per-15-minute cache: the aggregation hot path asks for
 * the offset of every record, and Intl is far too slow to call that often.
 */
export class TimeZone {
  readonly name: string;
  private readonly fmt: Intl.DateTimeFormat | undefined;
  private readonly cache = new Map<number, number>();

  constructor(name: string) {
    this.name = name;
    // Throws RangeError for an unknown zone; config turns that into a message.
    const fmt = new Intl.DateTimeFormat('en-US', {
      timeZone: name,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    const fixedUtc = name === 'UTC' || name === 'Etc/UTC' || name === 'GMT' || name === 'Etc/GMT';
    this.fmt = fixedUtc ? undefined : fmt;
  }

  /** Offset from UTC in ms at the instant `utcMs` (local = utc + offset). */
  offsetAt(utcMs: number): number {
    if (this.fmt === undefined) return 0;
    const slot = Math.floor(utcMs / SLOT_MS);
    // Records arrive roughly in time order: most fall in the slot of the one before.
    if (slot === this.lastSlot) return this.lastOffset;
    let offset = this.cache.get(slot);
    if (offset === undefined) {
      offset = this.computeOffset(slot * SLOT_MS);
      if (this.cache.size > 100_000) this.cache.clear();
      this.cache.set(slot, offset);
    }
    this.lastSlot = slot;
    this.lastOffset = offset;
    return offset;
  }

  private lastSlot = Number.NaN;
  private lastOffset = 0;

  private computeOffset(utcMs: number): number {
    const parts: Record<string, number> = {};
    for (const p of (this.fmt as Intl.DateTimeFormat).formatToParts(utcMs)) {
      if (p.type !== 'literal') parts[p.type] = Number(p.value);
    }
    const local = Date.UTC(
      parts.year ?? 0,
      (parts.month ?? 1) - 1,
      parts.day ?? 1,
      parts.hour ?? 0,
      parts.minute ?? 0,
      parts.second ?? 0,
    );
    return local - (utcMs - (utcMs % 1000));
  }

  /**
   * The UTC instant of local midnight starting the given local calendar day (days since
   * 1970-01-01 in local terms). Two passes settle the offset across a DST change.
   */
  startOfLocalDay(localDay: number): number {
    const localMs = localDay * DAY_MS;
    let utc = localMs - this.offsetAt(localMs);
    utc = localMs - this.offsetAt(utc);
    return utc;
  }
}

export { DAY_MS, HOUR_MS, SLOT_MS };
