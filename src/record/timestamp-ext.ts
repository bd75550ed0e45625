/**
 * Unix ms of a timestamp-extension payload, computed with exactly msgpackr's arithmetic (and its
 * `new Date(x).getTime()` clipping) so that both decoders agree to the millisecond.
 */
export function timestampExtMs(d: Uint8Array, s: number, length: number): number {
  const at = (i: number) => d[s + i] as number;
  let ms: number;
  if (length === 4) ms = (at(0) * 0x1000000 + (at(1) << 16) + (at(2) << 8) + at(3)) * 1000;
  else if (length === 8) {
    ms =
      ((at(0) << 22) + (at(1) << 14) + (at(2) << 6) + (at(3) >> 2)) / 1000000 +
      ((at(3) & 0x3) * 0x100000000 + at(4) * 0x1000000 + (at(5) << 16) + (at(6) << 8) + at(7)) * 1000;
  } else if (length === 12) {
    ms =
      ((at(0) << 24) + (at(1) << 16) + (at(2) << 8) + at(3)) / 1000000 +
      ((at(4) & 0x80 ? -0x1000000000000 : 0) +
        at(6) * 0x10000000000 +
        at(7) * 0x100000000 +
        at(8) * 0x1000000 +
        (at(9) << 16) +
        (at(10) << 8) +
        at(11)) *
        1000;
  } else return Number.NaN;
  return Math.abs(ms) > 8.64e15 || !Number.isFinite(ms) ? Number.NaN : Math.trunc(ms) + 0;
}
