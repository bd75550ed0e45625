/**
 * The exact, mergeable counters behind one analytics row. Everything the API shows is derived
 * from these; averages are always Σ / hits, never averages of averages.
 */
export interface Counters {
  hits: number;
  /** 200 ≤ code < 300 */
  success: number;
  /** code ≥ 400 */
  error: number;
  sumRequestTime: number;
  sumLatency: number;
  sumUpstream: number;
  maxLatency: number;
  maxUpstream: number;
  /** Minimum over non-error records (code < 400); null while the row has none. */
  minLatencyOk: number | null;
  minUpstreamOk: number | null;
  /** Minimum over all records: the fallback for rows made only of errors. */
  minLatencyAll: number;
  minUpstreamAll: number;
  /** Latest record timestamp (Unix ms) and the API name that record carried. */
  lastHitMs: number;
  apiName: string;
  /** Count of every response code seen. A Map: integer-keyed objects take V8's slow paths. */
  codes: Map<number, number>;
}

export interface CounterSample {
  responseCode: number;
  requestTime: number;
  latencyTotal: number;
  latencyUpstream: number;
  timestampMs: number;
  apiName: string;
}

export function countersOf(s: CounterSample): Counters {
  const ok = s.responseCode < 400;
  const codes = new Map<number, number>();
  codes.set(s.responseCode, 1);
  return {
    hits: 1,
    success: s.responseCode >= 200 && s.responseCode < 300 ? 1 : 0,
    error: ok ? 0 : 1,
    sumRequestTime: s.requestTime,
    sumLatency: s.latencyTotal,
    sumUpstream: s.latencyUpstream,
    maxLatency: s.latencyTotal,
    maxUpstream: s.latencyUpstream,
    minLatencyOk: ok ? s.latencyTotal : null,
    minUpstreamOk: ok ? s.latencyUpstream : null,
    minLatencyAll: s.latencyTotal,
    minUpstreamAll: s.latencyUpstream,
    lastHitMs: s.timestampMs,
    apiName: s.apiName,
    codes,
  };
}

/** Adds one record to counters in place: the per-record hot path, allocation-free for known codes. */
export function addSample(c: Counters, s: CounterSample): void {
  const ok = s.responseCode < 400;
  c.hits++;
  if (s.responseCode >= 200 && s.responseCode < 300) c.success++;
  if (!ok) c.error++;
  c.sumRequestTime += s.requestTime;
  c.sumLatency += s.latencyTotal;
  c.sumUpstream += s.latencyUpstream;
  if (s.latencyTotal > c.maxLatency) c.maxLatency = s.latencyTotal;
  if (s.latencyUpstream > c.maxUpstream) c.maxUpstream = s.latencyUpstream;
  if (ok) {
    if (c.minLatencyOk === null || s.latencyTotal < c.minLatencyOk) c.minLatencyOk = s.latencyTotal;
    if (c.minUpstreamOk === null || s.latencyUpstream < c.minUpstreamOk) c.minUpstreamOk = s.latencyUpstream;
  }
  if (s.latencyTotal < c.minLatencyAll) c.minLatencyAll = s.latencyTotal;
  if (s.latencyUpstream < c.minUpstreamAll) c.minUpstreamAll = s.latencyUpstream;
  if (s.timestampMs > c.lastHitMs || (s.timestampMs === c.lastHitMs && s.apiName > c.apiName)) {
    c.lastHitMs = s.timestampMs;
    c.apiName = s.apiName;
  }
  c.codes.set(s.responseCode, (c.codes.get(s.responseCode) ?? 0) + 1);
}

const minNullable = (a: number | null, b: number | null): number | null =>
  a === null ? b : b === null ? a : Math.min(a, b);

/** Whether `b`'s last hit wins over `a`'s; ties go to the larger name so merging is commutative. */
const laterHit = (a: Counters, b: Counters): boolean =>
  b.lastHitMs > a.lastHitMs || (b.lastHitMs === a.lastHitMs && b.apiName > a.apiName);

/** Adds `b` into `a` in place (the aggregation hot path) and returns `a`. */
export function mergeInto(a: Counters, b: Counters): Counters {
  a.hits += b.hits;
  a.success += b.success;
  a.error += b.error;
  a.sumRequestTime += b.sumRequestTime;
  a.sumLatency += b.sumLatency;
  a.sumUpstream += b.sumUpstream;
  a.maxLatency = Math.max(a.maxLatency, b.maxLatency);
  a.maxUpstream = Math.max(a.maxUpstream, b.maxUpstream);
  a.minLatencyOk = minNullable(a.minLatencyOk, b.minLatencyOk);
  a.minUpstreamOk = minNullable(a.minUpstreamOk, b.minUpstreamOk);
  a.minLatencyAll = Math.min(a.minLatencyAll, b.minLatencyAll);
  a.minUpstreamAll = Math.min(a.minUpstreamAll, b.minUpstreamAll);
  if (laterHit(a, b)) {
    a.lastHitMs = b.lastHitMs;
    a.apiName = b.apiName;
  }
  for (const [code, n] of b.codes) a.codes.set(code, (a.codes.get(code) ?? 0) + n);
  return a;
}

/** A deep copy, built field by field: object spread is a slow path in V8's hot loops. */
export const cloneCounters = (c: Counters): Counters => ({
  hits: c.hits,
  success: c.success,
  error: c.error,
  sumRequestTime: c.sumRequestTime,
  sumLatency: c.sumLatency,
  sumUpstream: c.sumUpstream,
  maxLatency: c.maxLatency,
  maxUpstream: c.maxUpstream,
  minLatencyOk: c.minLatencyOk,
  minUpstreamOk: c.minUpstreamOk,
  minLatencyAll: c.minLatencyAll,
  minUpstreamAll: c.minUpstreamAll,
  lastHitMs: c.lastHitMs,
  apiName: c.apiName,
  codes: new Map(c.codes),
});

/** The figures a seed-endpoint row shows, derived from counters with the spec's algebra. */
export interface Metrics {
  hits: number;
  success: number;
  error: number;
  lastHitMs: number;
  requestTime: number;
  latency: number;
  upstreamLatency: number;
  maxUpstreamLatency: number;
  minUpstreamLatency: number;
  maxLatency: number;
  minLatency: number;
}

export function metricsOf(c: Omit<Counters, 'codes'>): Metrics {
  return {
    hits: c.hits,
    success: c.success,
    error: c.error,
    lastHitMs: c.lastHitMs,
    requestTime: c.sumRequestTime / c.hits,
    latency: c.sumLatency / c.hits,
    upstreamLatency: c.sumUpstream / c.hits,
    maxUpstreamLatency: c.maxUpstream,
    minUpstreamLatency: c.minUpstreamOk ?? c.minUpstreamAll,
    maxLatency: c.maxLatency,
    minLatency: c.minLatencyOk ?? c.minLatencyAll,
  };
}
