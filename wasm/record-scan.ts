// The fast path of the gateway-record decoder, in AssemblyScript compiled to WebAssembly
// (`npm run build:wasm`; ADR 0006). It handles the records gateways actually write and says
// "not mine" (BAD) for anything else — an invalid record, an unusual encoding, a string too
// long to intern — and the caller then runs the exact TypeScript decoder (FastMsgpackDecoder),
// which gives the verdict and the reason. So this code may be stricter than the decoder, never
// looser: when it accepts a record, its values are the exact decoder's.
//
// Memory layout (fixed; exported, so src/record/wasm-decoder.ts reads it from the module):
//   OUT    result of the last scan (i32 slots below, the timestamp as f64 at OUT_TIME)
//   LENS   per intern slot: byte length + 1 (0 = empty)
//   SEEN   per intern slot: number of the last record that used it
//   ARENA  per intern slot: SLOT_BYTES bytes of the string
//   INPUT  the record being scanned (INPUT_CAP bytes, plus slack for 8-byte key loads)

export const OUT: usize = 65536;
export const OUT_TIME: usize = OUT + 128;
export const SLOTS: u32 = 16384;
export const SLOT_BYTES: u32 = 128;
export const LENS: usize = OUT + 1024;
const SEEN: usize = LENS + (<usize>SLOTS << 2);
export const ARENA: usize = SEEN + (<usize>SLOTS << 2);
export const INPUT: usize = 3 << 20;

// i32 result slots (index into OUT). Strings are intern slots, -1 for '' (nil or absent).
export const ORG = 0;
export const API_ID = 1;
export const API_NAME = 2;
export const PATH = 3;
export const METHOD = 4;
export const KEY = 5;
export const OAUTH = 6;
export const CODE = 7;
export const REQ_TIME = 8;
export const LAT_TOTAL = 9;
export const LAT_UPSTREAM = 10;
/** Bit 0 TrackPath, bit 1 GraphQLStats.IsGraphQL, bit 2 MCPStats.IsMCP. */
export const FLAGS = 11;
/** How many intern slots this record (re)filled, then their numbers. */
export const FRESH_COUNT = 12;
export const FRESH = 13;

// Top-level fields that are not strings (string fields use their result slot as id).
const F_CODE = 7;
const F_REQ_TIME = 8;
const F_LATENCY = 9;
const F_TIME = 10;
const F_TRACK = 11;
const F_GQL = 12;
const F_MCP = 13;

const BAD: i32 = -2;
/** Stricter than the exact decoder's 100: deeper records are left to it. */
const MAX_DEPTH: i32 = 32;
const MAX_SAFE: i64 = 9007199254740991;
const MAX_DURATION: i64 = 2147483647;
const MAX_TIMESTAMP_MS: f64 = 253402300799999;

let seq: u32 = 0;
/** Set by readInt. */
let int: i64 = 0;

@inline function out(slot: i32, v: i32): void {
  store<i32>(OUT + (<usize>slot << 2), v);
}

@inline function be16(p: usize): u32 {
  return (<u32>load<u8>(p) << 8) | <u32>load<u8>(p + 1);
}

@inline function be32(p: usize): u32 {
  return bswap<u32>(load<u32>(p));
}

/** Position after `size` more bytes from `p`, or 0 past the end (positions are never 0). */
@inline function span(p: usize, size: u64, end: usize): usize {
  return <u64>p + size <= <u64>end ? p + <usize>size : 0;
}

/** Position after the value at `p`, or 0 if it is anything the exact decoder should judge. */
function skip(p: usize, end: usize, depth: i32): usize {
  if (p >= end) return 0;
  const t = <u32>load<u8>(p);
  if (t < 0x80 || t >= 0xe0) return p + 1;
  if (t >= 0xa0 && t < 0xc0) return span(p + 1, t & 0x1f, end);
  if (t < 0x90) return entries(p + 1, end, t & 0x0f, true, depth);
  if (t < 0xa0) return entries(p + 1, end, t & 0x0f, false, depth);
  switch (t) {
    case 0xc0:
    case 0xc2:
    case 0xc3:
      return p + 1;
    case 0xcc:
    case 0xd0:
      return span(p, 2, end);
    case 0xcd:
    case 0xd1:
      return span(p, 3, end);
    case 0xca:
    case 0xce:
    case 0xd2:
      return span(p, 5, end);
    case 0xcb:
    case 0xcf:
    case 0xd3:
      return span(p, 9, end);
    case 0xc4:
    case 0xd9:
      return p + 2 > end ? 0 : span(p + 2, load<u8>(p + 1), end);
    case 0xc5:
    case 0xda:
      return p + 3 > end ? 0 : span(p + 3, be16(p + 1), end);
    case 0xc6:
    case 0xdb:
      return p + 5 > end ? 0 : span(p + 5, be32(p + 1), end);
    case 0xd4:
    case 0xd5:
    case 0xd6:
    case 0xd7:
    case 0xd8:
      // Only the timestamp extension (-1) is valid, as in the exact decoder.
      return p + 2 > end || load<u8>(p + 1) !== 0xff ? 0 : span(p + 2, 1 << (t - 0xd4), end);
    case 0xc7:
      return p + 3 > end || load<u8>(p + 2) !== 0xff ? 0 : span(p + 3, load<u8>(p + 1), end);
    case 0xc8:
      return p + 4 > end || load<u8>(p + 3) !== 0xff ? 0 : span(p + 4, be16(p + 1), end);
    case 0xc9:
      return p + 6 > end || load<u8>(p + 5) !== 0xff ? 0 : span(p + 6, be32(p + 1), end);
    case 0xdc:
      return p + 3 > end ? 0 : entries(p + 3, end, be16(p + 1), false, depth);
    case 0xdd:
      return p + 5 > end ? 0 : entries(p + 5, end, be32(p + 1), false, depth);
    case 0xde:
      return p + 3 > end ? 0 : entries(p + 3, end, be16(p + 1), true, depth);
    case 0xdf:
      return p + 5 > end ? 0 : entries(p + 5, end, be32(p + 1), true, depth);
    default:
      return 0; // 0xc1
  }
}

/** Map keys: strings and scalars, as the exact decoder allows. */
function skipKey(p: usize, end: usize): usize {
  if (p >= end) return 0;
  const t = <u32>load<u8>(p);
  if (t >= 0xa0 && t < 0xc0) return span(p + 1, t & 0x1f, end);
  const scalar =
    t < 0x80 || t >= 0xe0 || (t >= 0xca && t <= 0xd3) || t === 0xc0 || t === 0xc2 || t === 0xc3;
  return scalar || (t >= 0xd9 && t <= 0xdb) ? skip(p, end, 0) : 0;
}

function entries(p: usize, end: usize, count: u32, isMap: bool, depth: i32): usize {
  if (depth >= MAX_DEPTH) return 0;
  let q = p;
  for (let i: u32 = 0; i < count; i++) {
    if (isMap) {
      const k = <u32>load<u8>(q);
      q = q < end && k >= 0xa0 && k < 0xc0 ? span(q + 1, k & 0x1f, end) : skipKey(q, end);
      if (q === 0) return 0;
    }
    q = skipCommon(q, end, depth + 1);
    if (q === 0) return 0;
  }
  return q;
}

/** skip, with the values gateways write most (small ints, bools, nil, short strings) inline. */
@inline function skipCommon(p: usize, end: usize, depth: i32): usize {
  const v = <u32>load<u8>(p);
  if (p < end && (v < 0x80 || v >= 0xe0 || v === 0xc0 || v === 0xc2 || v === 0xc3)) return p + 1;
  if (p < end && v >= 0xa0 && v < 0xc0) return span(p + 1, v & 0x1f, end);
  return skip(p, end, depth);
}

// ---- keys: compared as little-endian words (keys are at most 12 bytes; loads may read past a
// key into the rest of the record or the slack after INPUT, and the mask drops those bytes).

@inline function lo(p: usize, len: u32): u64 {
  const w = load<u64>(p);
  return len >= 8 ? w : w & ((<u64>1 << (<u64>len << 3)) - 1);
}

@inline function hi(p: usize, len: u32): u32 {
  const w = load<u32>(p + 8);
  return len >= 12 ? w : w & ((<u32>1 << ((len - 8) << 3)) - 1);
}

/** Which top-level field the key `[p, p + len)` names, or -1. */
@inline function topField(p: usize, len: u32): i32 {
  if (len < 4 || len > 12) return -1;
  const a = lo(p, len);
  switch (len) {
    case 4:
      return a === 0x68746150 ? PATH : -1;
    case 5:
      return a === 0x444967724f ? ORG : a === 0x4449495041 ? API_ID : -1;
    case 6:
      return a === 0x646f6874654d ? METHOD : a === 0x79654b495041 ? KEY : -1;
    case 7:
      if (a === 0x656d614e495041) return API_NAME;
      if (a === 0x4449687475614f) return OAUTH;
      return a === 0x79636e6574614c ? F_LATENCY : -1;
    case 8:
      return a === 0x737461745350434d ? F_MCP : -1;
    case 9: {
      const b = hi(p, len);
      if (a === 0x6d617453656d6954 && b === 0x70) return F_TIME;
      return a === 0x7461506b63617254 && b === 0x68 ? F_TRACK : -1;
    }
    case 11:
      return a === 0x5474736575716552 && hi(p, len) === 0x656d69 ? F_REQ_TIME : -1;
    case 12: {
      const b = hi(p, len);
      if (a === 0x65736e6f70736552 && b === 0x65646f43) return F_CODE;
      return a === 0x534c516870617247 && b === 0x73746174 ? F_GQL : -1;
    }
    default:
      return -1;
  }
}

// ---- values

/** Reads an integer within ±(2^53-1) into `int`; returns the next position or 0 (floats too). */
function readInt(p: usize, end: usize): usize {
  if (p >= end) return 0;
  const t = <u32>load<u8>(p);
  if (t < 0x80) {
    int = t;
    return p + 1;
  }
  if (t >= 0xe0) {
    int = <i64>t - 256;
    return p + 1;
  }
  switch (t) {
    case 0xcc:
      if (p + 2 > end) return 0;
      int = load<u8>(p + 1);
      return p + 2;
    case 0xcd:
      if (p + 3 > end) return 0;
      int = be16(p + 1);
      return p + 3;
    case 0xce:
      if (p + 5 > end) return 0;
      int = be32(p + 1);
      return p + 5;
    case 0xd0:
      if (p + 2 > end) return 0;
      int = load<i8>(p + 1);
      return p + 2;
    case 0xd1:
      if (p + 3 > end) return 0;
      int = <i16>be16(p + 1);
      return p + 3;
    case 0xd2:
      if (p + 5 > end) return 0;
      int = <i32>be32(p + 1);
      return p + 5;
    case 0xcf:
    case 0xd3: {
      if (p + 9 > end) return 0;
      const v = bswap<u64>(load<u64>(p + 1));
      if (t === 0xcf ? v > <u64>MAX_SAFE : <i64>v > MAX_SAFE || <i64>v < -MAX_SAFE) return 0;
      int = <i64>v;
      return p + 9;
    }
    default:
      return 0;
  }
}

/** A duration field (whole ms within ±(2^31-1)); nil is 0. Stores it in result slot `slot`. */
function readDuration(p: usize, end: usize, slot: i32): usize {
  if (p < end && load<u8>(p) === 0xc0) {
    out(slot, 0);
    return p + 1;
  }
  const q = readInt(p, end);
  if (q === 0 || int > MAX_DURATION || int < -MAX_DURATION) return 0;
  out(slot, <i32>int);
  return q;
}

/** A boolean (nil is false) into bit `bit` of FLAGS. */
function readBool(p: usize, end: usize, bit: i32): usize {
  if (p >= end) return 0;
  const t = load<u8>(p);
  if (t === 0xc3) out(FLAGS, load<i32>(OUT + (FLAGS << 2)) | (1 << bit));
  else if (t !== 0xc2 && t !== 0xc0) return 0;
  return p + 1;
}

/** Map header at `p`: sets `int` to the entry count and returns the first entry, or 0. */
function mapHead(p: usize, end: usize): usize {
  if (p >= end) return 0;
  const t = <u32>load<u8>(p);
  if ((t & 0xf0) === 0x80) {
    int = t & 0x0f;
    return p + 1;
  }
  if (t === 0xde && p + 3 <= end) {
    int = be16(p + 1);
    return p + 3;
  }
  if (t === 0xdf && p + 5 <= end) {
    int = be32(p + 1);
    return p + 5;
  }
  return 0;
}

/** A short string key at `p`: sets `int` to its length and returns its first byte, or 0. */
function keyHead(p: usize, end: usize): usize {
  if (p >= end) return 0;
  const t = <u32>load<u8>(p);
  if (t >= 0xa0 && t < 0xc0) {
    int = t & 0x1f;
    return p + 1;
  }
  if (t === 0xd9 && p + 2 <= end) {
    int = load<u8>(p + 1);
    return p + 2;
  }
  return 0; // other key encodings: the exact decoder
}

/**
 * Latency / GraphQLStats / MCPStats: nil, or a map whose wanted keys are read and the rest
 * skipped. `which` is the top-level field. Returns the next position or 0.
 */
function readNested(p: usize, end: usize, which: i32): usize {
  if (p < end && load<u8>(p) === 0xc0) return p + 1;
  let q = mapHead(p, end);
  if (q === 0) return 0;
  const count = <u32>int;
  let seen: u32 = 0;
  for (let i: u32 = 0; i < count; i++) {
    const k = keyHead(q, end);
    if (k === 0) return 0;
    const len = <u32>int;
    q = span(k, len, end);
    if (q === 0) return 0;
    let id = -1;
    if (which === F_LATENCY) {
      if (len === 5 && lo(k, 5) === 0x6c61746f54) id = LAT_TOTAL;
      else if (len === 8 && lo(k, 8) === 0x6d61657274737055) id = LAT_UPSTREAM;
    } else if (which === F_GQL) {
      if (len === 9 && lo(k, 9) === 0x5168706172477349 && hi(k, 9) === 0x4c) id = 1;
    } else if (len === 5 && lo(k, 5) === 0x50434d7349) id = 2;
    if (id < 0) {
      q = skipCommon(q, end, 2);
    } else {
      // A repeated wanted key: the exact decoder's last-wins rule decides.
      if (seen & (1 << id)) return 0;
      seen |= 1 << id;
      q = which === F_LATENCY ? readDuration(q, end, id) : readBool(q, end, id);
    }
    if (q === 0) return 0;
  }
  return q;
}

/** `[unix_seconds, nanoseconds]` into OUT_TIME as Unix ms, within the valid range. */
function readTime(p: usize, end: usize): usize {
  if (p >= end || load<u8>(p) !== 0x92) return 0;
  let q = readInt(p + 1, end);
  if (q === 0) return 0;
  const sec = int;
  q = readInt(q, end);
  if (q === 0 || int < 0 || int > 999999999) return 0;
  const ms = <f64>sec * 1000 + Math.floor(<f64>int / 1000000);
  if (!(ms >= 0 && ms <= MAX_TIMESTAMP_MS)) return 0;
  store<f64>(OUT_TIME, ms);
  return q;
}

// ---- strings

@inline function sameBytes(a: usize, b: usize, len: u32): bool {
  let i: u32 = 0;
  for (; i + 8 <= len; i += 8) if (load<u64>(a + i) !== load<u64>(b + i)) return false;
  for (; i < len; i++) if (load<u8>(a + i) !== load<u8>(b + i)) return false;
  return true;
}

/**
 * The intern slot holding the string `[p, p + len)`, filling it on a miss (and listing it in
 * FRESH so that the caller decodes it once); -1 for ''. BAD for strings longer than a slot, and
 * when the slot already holds another string of this same record.
 */
function intern(p: usize, len: u32): i32 {
  if (len === 0) return -1;
  if (len > SLOT_BYTES) return BAD;
  let h: u32 = len;
  let i: u32 = 0;
  for (; i + 4 <= len; i += 4) h = (h ^ load<u32>(p + i)) * 0x01000193;
  for (; i < len; i++) h = (h ^ load<u8>(p + i)) * 0x01000193;
  const slot = (h ^ (h >> 15)) & (SLOTS - 1);
  const at = ARENA + (<usize>slot << 7);
  const lenAt = LENS + (<usize>slot << 2);
  const seenAt = SEEN + (<usize>slot << 2);
  if (load<u32>(lenAt) === len + 1 && sameBytes(at, p, len)) {
    store<u32>(seenAt, seq);
    return slot;
  }
  if (load<u32>(seenAt) === seq) return BAD;
  memory.copy(at, p, len);
  store<u32>(lenAt, len + 1);
  store<u32>(seenAt, seq);
  const n = load<i32>(OUT + (FRESH_COUNT << 2));
  out(FRESH + n, slot);
  out(FRESH_COUNT, n + 1);
  return <i32>slot;
}

/** A string field (nil is '') into result slot `slot`. */
function readStr(p: usize, end: usize, slot: i32): usize {
  if (p >= end) return 0;
  const t = <u32>load<u8>(p);
  let start: usize;
  let len: u32;
  if (t >= 0xa0 && t < 0xc0) {
    start = p + 1;
    len = t & 0x1f;
  } else if (t === 0xd9 && p + 2 <= end) {
    start = p + 2;
    len = load<u8>(p + 1);
  } else if (t === 0xda && p + 3 <= end) {
    start = p + 3;
    len = be16(p + 1);
  } else if (t === 0xc0) {
    out(slot, -1);
    return p + 1;
  } else {
    return 0;
  }
  const next = span(start, len, end);
  if (next === 0) return 0;
  const id = intern(start, len);
  if (id === BAD) return 0;
  out(slot, id);
  return next;
}

/**
 * Scans the record of `length` bytes at INPUT. Returns 0 with the result in OUT when it is a
 * valid record this fast path fully understood, BAD otherwise (run the exact decoder).
 */
export function scan(length: u32): i32 {
  seq++;
  for (let s = ORG; s <= FRESH_COUNT; s++) out(s, s <= OAUTH ? -1 : 0);
  const end = INPUT + <usize>length;
  let p = mapHead(INPUT, end);
  if (p === 0) return BAD;
  const count = <u32>int;
  let seen: u32 = 0;
  for (let i: u32 = 0; i < count; i++) {
    const k = keyHead(p, end);
    if (k === 0) return BAD;
    const len = <u32>int;
    p = span(k, len, end);
    if (p === 0) return BAD;
    const field = topField(k, len);
    if (field < 0) {
      p = skipCommon(p, end, 1);
      if (p === 0) return BAD;
      continue;
    }
    if (seen & (1 << field)) return BAD; // repeated: the exact decoder applies last-wins
    seen |= 1 << field;
    if (field <= OAUTH) p = readStr(p, end, field);
    else if (field === F_CODE) {
      p = readInt(p, end);
      if (p !== 0 && (int > 2147483647 || int < -2147483648)) p = 0;
      out(CODE, <i32>int);
    } else if (field === F_REQ_TIME) p = readDuration(p, end, REQ_TIME);
    else if (field === F_TIME) p = readTime(p, end);
    else if (field === F_TRACK) p = readBool(p, end, 0);
    else p = readNested(p, end, field);
    if (p === 0) return BAD;
  }
  if (p !== end) return BAD;
  // A missing ResponseCode or TimeStamp, or an empty OrgID, is an error for the exact decoder.
  if ((seen & (1 << F_CODE)) === 0 || (seen & (1 << F_TIME)) === 0) return BAD;
  return load<i32>(OUT + (ORG << 2)) < 0 ? BAD : 0;
}
