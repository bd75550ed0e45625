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
  /** Hash: claim id → its index value (formatIndexValue) for every claim not yet finished. */
  index: string;
  /** A claim's entries taken from list `listIndex` (a Redis list, no TTL). */
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

/**
 * A claim: gateway lists moved whole (or the head of a long one) into keymeter's segment keys.
 * Its entries, segments concatenated in layout order, are read and committed in pages of
 * `pageSize`, each under its own batch id (`pageId`); `done` pages are committed and recorded.
 */
export interface Claim {
  batchId: string;
  owner: string;
  layout: Layout;
  pageSize: number;
  /** Entries in the claim, and the pages they make. */
  total: number;
  pages: number;
  done: number;
  /** Written by keymeter before paged claims: one page, committed under the claim's own id. */
  legacy: boolean;
}

/** The batch id page `page` of a claim is committed under. */
export const pageId = (claim: Claim, page: number): string =>
  claim.legacy ? claim.batchId : `${claim.batchId}/${page}`;

const layoutText = (layout: Layout): string => layout.map((s) => `${s.list}:${s.count}`).join(',');

/** The index value of a claim: `<owner>|<pageSize>|<done>|<list>:<count>,…` (legacy: `<owner>|<layout>`). */
export const formatIndexValue = (
  c: Pick<Claim, 'owner' | 'layout' | 'pageSize' | 'done' | 'legacy'>,
): string =>
  c.legacy
    ? `${c.owner}|${layoutText(c.layout)}`
    : `${c.owner}|${c.pageSize}|${c.done}|${layoutText(c.layout)}`;

/** Parses an index value; undefined when it is not one of ours (never throws). */
export function parseIndexValue(batchId: string, value: string): Claim | undefined {
  const parts = value.split('|');
  if (parts.length !== 2 && parts.length !== 4) return undefined;
  const owner = parts[0] ?? '';
  const layout: Layout = [];
  for (const part of (parts[parts.length - 1] ?? '').split(',')) {
    const [list, count] = part.split(':').map(Number);
    if (!Number.isInteger(list) || !Number.isInteger(count)) return undefined;
    layout.push({ list: list as number, count: count as number });
  }
  const total = layout.reduce((sum, s) => sum + s.count, 0);
  const legacy = parts.length === 2;
  const pageSize = legacy ? Math.max(1, total) : Number(parts[1]);
  const done = legacy ? 0 : Number(parts[2]);
  if (owner === '' || !(pageSize >= 1) || !Number.isInteger(pageSize) || !Number.isInteger(done)) {
    return undefined;
  }
  return { batchId, owner, layout, pageSize, total, pages: Math.ceil(total / pageSize), done, legacy };
}
