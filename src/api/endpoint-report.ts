import { type Metrics, metricsOf } from '../aggregate/counters.ts';
import type { TimeZone } from '../aggregate/time-zone.ts';
import type { EndpointTotals } from '../store/store.ts';
import { formatLastHit } from './last-hit.ts';

/** One row of the seed endpoints' `data`, in Tyk's field order. */
export interface ReportRow {
  id: {
    day: 0;
    month: 0;
    year: 0;
    hour: 0;
    code: 0;
    path: string;
    key: '';
    alias: '';
    url: '';
    iso_country: '';
    api_id: string;
    api_name: string;
  };
  hits: number;
  success: number;
  error: number;
  last_hit: string;
  request_time: number;
  latency: number;
  upstream_latency: number;
  max_upstream_latency: number;
  min_upstream_latency: number;
  max_latency: number;
  min_latency: number;
}

export interface Report {
  data: ReportRow[];
  pages: number;
}

type Ranked = { totals: EndpointTotals; m: Metrics };

/** hits desc, last_hit desc, then api_id and path ascending (SPEC §1). */
function byRank(a: Ranked, b: Ranked): number {
  return (
    b.m.hits - a.m.hits ||
    b.m.lastHitMs - a.m.lastHitMs ||
    (a.totals.apiId < b.totals.apiId ? -1 : a.totals.apiId > b.totals.apiId ? 1 : 0) ||
    (a.totals.path < b.totals.path ? -1 : a.totals.path > b.totals.path ? 1 : 0)
  );
}

function toRow({ totals, m }: Ranked, tz: TimeZone): ReportRow {
  return {
    id: {
      day: 0,
      month: 0,
      year: 0,
      hour: 0,
      code: 0,
      path: totals.path,
      key: '',
      alias: '',
      url: '',
      iso_country: '',
      api_id: totals.apiId,
      api_name: totals.counters.apiName,
    },
    hits: m.hits,
    success: m.success,
    error: m.error,
    last_hit: formatLastHit(m.lastHitMs, tz),
    request_time: m.requestTime,
    latency: m.latency,
    upstream_latency: m.upstreamLatency,
    max_upstream_latency: m.maxUpstreamLatency,
    min_upstream_latency: m.minUpstreamLatency,
    max_latency: m.maxLatency,
    min_latency: m.minLatency,
  };
}

/**
 * Orders and pages endpoint totals the way Tyk does: page ≥ 1 gives that page (empty past the
 * end) and `pages` = ceil(rows / pageSize); page ≤ 0 gives every row and `pages: 0`.
 */
export function buildReport(totals: EndpointTotals[], page: number, pageSize: number, tz: TimeZone): Report {
  const ranked = totals.map((t) => ({ totals: t, m: metricsOf(t.counters) })).sort(byRank);
  if (page <= 0) return { data: ranked.map((r) => toRow(r, tz)), pages: 0 };
  const start = (page - 1) * pageSize;
  return {
    data: ranked.slice(start, start + pageSize).map((r) => toRow(r, tz)),
    pages: Math.ceil(ranked.length / pageSize),
  };
}
