import type { SqlDialect } from '../sql.ts';

/** PostgreSQL's dialect of the shared upsert and totals SQL. */
export const pgDialect: SqlDialect = {
  placeholder: (n) => `$${n}`,
  // LEAST/GREATEST ignore NULLs in PostgreSQL: null only when both sides are.
  leastNullable: (a, b) => `LEAST(${a}, ${b})`,
  least: (a, b) => `LEAST(${a}, ${b})`,
  greatest: (a, b) => `GREATEST(${a}, ${b})`,
  mergeCodes: (a, b) => `km_merge_codes(${a}, ${b})`,
};

/** Rows per multi-row upsert: 500 × 22 columns stays far below the 65,535 bind-parameter limit. */
export const MAX_ROWS_PER_STATEMENT = 500;

/**
 * Splits n rows into statement sizes: full chunks, then powers of two. Each size is a prepared
 * statement on every connection, so a handful of sizes covers any batch without re-planning.
 */
export function chunkSizes(n: number, max = MAX_ROWS_PER_STATEMENT): number[] {
  const sizes: number[] = [];
  let left = n;
  while (left >= max) {
    sizes.push(max);
    left -= max;
  }
  for (let p = 2 ** Math.floor(Math.log2(max)); p >= 1; p /= 2) {
    if (left >= p) {
      sizes.push(p);
      left -= p;
    }
  }
  return sizes;
}
