// The `codes` column holds a row's response-code counts as JSON text: `{"200":120,"404":3}`.
// Every commit writes it for every row and merges it into every row that exists already, so on
// SQLite (where the merge is a JS function) both run thousands of times per commit. Built and
// merged by hand, they cost a fraction of JSON.stringify(Object.fromEntries(…)) and a
// JSON.parse/JSON.stringify round trip (measured ≈3.2 and ≈3.7 µs per row).

/** A code → count map as the column's JSON text, codes ascending. */
export function codesJson(codes: Map<number, number>): string {
  const keys = [...codes.keys()].sort((a, b) => a - b);
  let out = '{';
  for (let i = 0; i < keys.length; i++) {
    const k = keys[i] as number;
    out += `${i === 0 ? '' : ','}"${k}":${codes.get(k) as number}`;
  }
  return `${out}}`;
}

const codes: number[] = [];
const counts: number[] = [];

/**
 * Sums two `codes` texts code by code. Texts in codesJson's shape are scanned directly; anything
 * else (whitespace, fractions — nothing keymeter writes) goes through JSON.parse, so every valid
 * text merges correctly.
 */
export function mergeCodesJson(a: string, b: string): string {
  codes.length = 0;
  counts.length = 0;
  if (!scanInto(a) || !scanInto(b)) return mergeParsed(a, b);
  const merged = new Map<number, number>();
  for (let i = 0; i < codes.length; i++) {
    const k = codes[i] as number;
    merged.set(k, (merged.get(k) ?? 0) + (counts[i] as number));
  }
  return codesJson(merged);
}

/** Appends the entries of a `{"<int>":<digits>,…}` text to codes/counts; false if it has another shape. */
function scanInto(s: string): boolean {
  const n = s.length;
  if (n < 2 || s.charCodeAt(0) !== 0x7b || s.charCodeAt(n - 1) !== 0x7d) return false;
  let i = 1;
  if (i === n - 1) return true; // {}
  for (;;) {
    if (s.charCodeAt(i) !== 0x22) return false; // "
    i++;
    const negative = s.charCodeAt(i) === 0x2d; // -
    if (negative) i++;
    const keyStart = i;
    let key = 0;
    for (let c = s.charCodeAt(i); c >= 0x30 && c <= 0x39; c = s.charCodeAt(++i)) key = key * 10 + (c - 0x30);
    // Digits only, no leading zero (so that the text is the number's own spelling), at most 15.
    const keyLength = i - keyStart;
    if (keyLength === 0 || keyLength > 15 || (keyLength > 1 && s.charCodeAt(keyStart) === 0x30)) return false;
    if (s.charCodeAt(i) !== 0x22 || s.charCodeAt(i + 1) !== 0x3a) return false; // ":
    i += 2;
    const valueStart = i;
    let value = 0;
    for (let c = s.charCodeAt(i); c >= 0x30 && c <= 0x39; c = s.charCodeAt(++i))
      value = value * 10 + (c - 0x30);
    if (i === valueStart || i - valueStart > 15) return false;
    codes.push(negative ? -key : key);
    counts.push(value);
    const c = s.charCodeAt(i);
    if (c === 0x7d) return i === n - 1; // }
    if (c !== 0x2c) return false; // ,
    i++;
  }
}

function mergeParsed(a: string, b: string): string {
  const merged = new Map<number, number>();
  for (const text of [a, b]) {
    for (const [k, v] of Object.entries(JSON.parse(text) as Record<string, number>)) {
      merged.set(Number(k), (merged.get(Number(k)) ?? 0) + v);
    }
  }
  return codesJson(merged);
}
