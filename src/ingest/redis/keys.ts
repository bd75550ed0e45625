/** The list names a Tyk gateway writes analytics to (SPEC §3): the base list and its ten shards. */
export function gatewayLists(prefix: string): string[] {
  const base = `${prefix}tyk-system-analytics`;
  return [base, ...Array.from({ length: 10 }, (_, i) => `${base}_${i}`)];
}

/**
 * keymeter's own keys. They start with `keymeter:`, which no gateway list name does (gateways write
 * `<prefix>tyk-system-analytics[_n]`), and embed the prefix so that deployments sharing one Redis
 * with different prefixes never see each other's in-flight batches.
 */
export interface DrainKeys {
  /** Gateway lists, in a fixed order: a batch's layout refers to them by position. */
  lists: string[];
  /** Hash: batch id → `<owner>|<listIndex>:<count>,…` for every batch claimed and not yet finished. */
  index: string;
  /** A claimed batch's entries taken from list `listIndex` (a Redis list, no TTL). */
  segment(batchId: string, listIndex: number): string;
  /** String with a TTL that an instance refreshes while it is alive. */
  lease(instanceId: string): string;
}

export function drainKeys(prefix: string): DrainKeys {
  const own = `keymeter:${prefix}:`;
  return {
    lists: gatewayLists(prefix),
    index: `${own}inflight`,
    segment: (batchId, listIndex) => `${own}inflight:${batchId}:${listIndex}`,
    lease: (instanceId) => `${own}lease:${instanceId}`,
  };
}

/** Which list positions a batch took, and how many entries from each, in entry order. */
export type Layout = Array<{ list: number; count: number }>;

export const formatIndexValue = (owner: string, layout: Layout): string =>
  `${owner}|${layout.map((s) => `${s.list}:${s.count}`).join(',')}`;

/** Parses an index value; undefined when it is not one of ours (never throws). */
export function parseIndexValue(value: string): { owner: string; layout: Layout } | undefined {
  const bar = value.lastIndexOf('|');
  if (bar <= 0) return undefined;
  const layout: Layout = [];
  for (const part of value.slice(bar + 1).split(',')) {
    const [list, count] = part.split(':').map(Number);
    if (!Number.isInteger(list) || !Number.isInteger(count)) return undefined;
    layout.push({ list: list as number, count: count as number });
  }
  return { owner: value.slice(0, bar), layout };
}
