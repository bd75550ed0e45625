import type { AnalyticsRecord } from '../../src/record/record.ts';

/** A valid counted record; tests override what they care about. */
export function rec(overrides: Partial<AnalyticsRecord> = {}): AnalyticsRecord {
  return {
    orgId: 'org-a',
    apiId: 'api-1',
    apiName: 'httpbin',
    path: '/get',
    method: 'GET',
    apiKey: 'key-1',
    oauthId: '',
    responseCode: 200,
    requestTime: 100,
    latencyTotal: 100,
    latencyUpstream: 90,
    timestampMs: Date.UTC(2024, 0, 15, 12, 0, 0),
    trackPath: true,
    isGraphQL: false,
    isMCP: false,
    ...overrides,
  };
}

/** Independent reference for the seed row of one endpoint: the spec's table, computed naively. */
export function expectedRow(records: AnalyticsRecord[]) {
  const hits = records.length;
  const ok = records.filter((r) => r.responseCode < 400);
  const minOver = (rs: AnalyticsRecord[], f: (r: AnalyticsRecord) => number) => Math.min(...rs.map(f));
  const pool = ok.length > 0 ? ok : records;
  return {
    hits,
    success: records.filter((r) => r.responseCode >= 200 && r.responseCode < 300).length,
    error: records.filter((r) => r.responseCode >= 400).length,
    lastHitMs: Math.max(...records.map((r) => r.timestampMs)),
    requestTime: records.reduce((s, r) => s + r.requestTime, 0) / hits,
    latency: records.reduce((s, r) => s + r.latencyTotal, 0) / hits,
    upstreamLatency: records.reduce((s, r) => s + r.latencyUpstream, 0) / hits,
    maxUpstreamLatency: Math.max(...records.map((r) => r.latencyUpstream)),
    minUpstreamLatency: minOver(pool, (r) => r.latencyUpstream),
    maxLatency: Math.max(...records.map((r) => r.latencyTotal)),
    minLatency: minOver(pool, (r) => r.latencyTotal),
  };
}
