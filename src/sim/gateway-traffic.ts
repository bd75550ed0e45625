import { encodeGatewayRecord } from '../record/gateway-encoder.ts';
import type { AnalyticsRecord } from '../record/record.ts';
import { type Random, seededRandom } from './random.ts';

export interface TrafficOptions {
  /** Organisation of every record (Tyk org ids are Mongo object ids). */
  orgId?: string;
  /** Distinct API keys (key hashes), besides the unauthenticated `00000000`. */
  keys?: number;
  apis?: number;
  oauthClients?: number;
  /** Timestamp of the first record, Unix ms. */
  startMs: number;
  /** Spacing of timestamps (ms per record; 1000/rate for a real-time stream). */
  intervalMs?: number;
  /** Bytes of base64 RawRequest + RawResponse per record (default 40: records of ~800 bytes, most of it the gateway's fixed map). */
  rawBytes?: number;
}

/** One generated record and its bytes exactly as the gateway would RPUSH them. */
export interface SyntheticRecord {
  record: AnalyticsRecord;
  bytes: Buffer;
}

interface Api {
  id: string;
  name: string;
  host: string;
  /** Each endpoint with the methods it serves (a real API does not take DELETE on /search). */
  endpoints: { path: string; methods: string[] }[];
}

const hexId = (r: Random, length: number): string => {
  let s = '';
  for (let i = 0; i < length; i++) s += '0123456789abcdef'[r.int(0, 15)];
  return s;
};
const NAMES = ['payments', 'users', 'orders', 'catalog', 'search', 'billing', 'shipping', 'auth', 'reports'];
const ENDPOINTS = ['', '/{id}', '/{id}/items', '/search', '/export', '/health', '/v2/{id}', '/{id}/history'];
const WRITE_METHODS = ['POST', 'POST', 'PUT', 'DELETE', 'PATCH'];
/** Skewed pick: a few keys, APIs and endpoints carry most traffic, as in real gateways. */
const popular = <T>(r: Random, items: readonly T[]): T =>
  items[Math.floor(r.next() ** 2 * items.length)] as T;
// Weighted like ordinary API traffic: mostly 2xx, some client errors, a few redirects and 5xx.
const CODES = [
  200, 200, 200, 200, 200, 200, 200, 200, 200, 201, 204, 200, 304, 301, 400, 401, 403, 404, 429, 500,
];
const REASON: Record<number, string> = { 200: 'OK', 201: 'Created', 204: 'No Content', 404: 'Not Found' };

function catalogue(r: Random, opts: TrafficOptions) {
  const apis: Api[] = Array.from({ length: opts.apis ?? 5 }, (_, i) => {
    const name = `${NAMES[i % NAMES.length]}${i >= NAMES.length ? `-${i}` : ''}`;
    const count = r.int(3, 6);
    return {
      id: hexId(r, 32),
      name,
      host: `${name}.api.example.com`,
      endpoints: Array.from({ length: count }, (_, j) => ({
        path: `/${name}${ENDPOINTS[j % ENDPOINTS.length]}`,
        methods: r.chance(0.5) ? ['GET'] : ['GET', r.pick(WRITE_METHODS)],
      })),
    };
  });
  const keys = Array.from({ length: opts.keys ?? 20 }, () => hexId(r, 8));
  const clients = Array.from({ length: opts.oauthClients ?? 3 }, () => ({
    id: hexId(r, 32),
    tokens: Array.from({ length: 3 }, () => hexId(r, 8)),
  }));
  return { apis, keys, clients };
}

/** The base64 of `text` cut or padded so that the base64 is about `bytes` long (as a capped raw dump). */
const base64Of = (text: string, bytes: number): string => {
  const plain = Math.max(0, Math.floor((bytes * 3) / 4));
  return Buffer.from(text.slice(0, plain).padEnd(plain, ' ')).toString('base64');
};

/**
 * Deterministic (for a seed) endless stream of realistic gateway records: several APIs and paths,
 * a mix of key hashes, the unauthenticated key and OAuth clients, 2xx–5xx codes, long-tailed
 * latencies, a few TCP-stats and GraphQL records, and raw request/response fields.
 */
export function* syntheticRecords(seed: number, opts: TrafficOptions): Generator<SyntheticRecord> {
  const r = seededRandom(seed);
  const { apis, keys, clients } = catalogue(r, opts);
  const orgId = opts.orgId ?? '5e9d9544a1dcd60001d0ed20';
  const rawBytes = opts.rawBytes ?? 40;
  for (let i = 0; ; i++) {
    const api = popular(r, apis);
    const { path, methods } = popular(r, api.endpoints);
    const method = r.pick(methods);
    const client = clients.length > 0 && r.chance(0.15) ? popular(r, clients) : undefined;
    const apiKey = client
      ? r.pick(client.tokens)
      : r.chance(0.1) || keys.length === 0
        ? '00000000'
        : popular(r, keys);
    const upstream = Math.round(Math.exp(r.next() * 6.5)) + r.int(0, 5);
    const gateway = r.int(0, 4);
    const responseCode = r.chance(0.005) ? -1 : r.pick(CODES);
    const record: AnalyticsRecord = {
      orgId,
      apiId: api.id,
      apiName: api.name,
      path,
      method,
      apiKey,
      oauthId: client?.id ?? '',
      responseCode,
      requestTime: upstream + gateway,
      latencyTotal: upstream + gateway,
      latencyUpstream: upstream,
      timestampMs: opts.startMs + Math.floor(i * (opts.intervalMs ?? 1)),
      trackPath: r.chance(0.95),
      isGraphQL: r.chance(0.01),
      isMCP: false,
    };
    const request = `${method} ${path.replaceAll('{id}', String(r.int(1, 99999)))} HTTP/1.1\r\nHost: ${api.host}\r\nUser-Agent: sim/1.0\r\n\r\n`;
    const response = `HTTP/1.1 ${responseCode} ${REASON[responseCode] ?? 'Status'}\r\nContent-Type: application/json\r\n\r\n{"ok":true}`;
    const bytes = encodeGatewayRecord(record, {
      host: api.host,
      userAgent: 'sim/1.0',
      ipAddress: `10.${r.int(0, 255)}.${r.int(0, 255)}.${r.int(1, 254)}`,
      contentLength: method === 'GET' ? 0 : r.int(10, 2000),
      rawRequest: base64Of(request, rawBytes * 0.4),
      rawResponse: base64Of(response, rawBytes * 0.6),
      tags: r.chance(0.2) ? ['beta'] : [],
    });
    yield { record, bytes };
  }
}

/** The first `count` records of `syntheticRecords(seed, opts)`. */
export function takeRecords(seed: number, opts: TrafficOptions, count: number): SyntheticRecord[] {
  const out: SyntheticRecord[] = [];
  for (const item of syntheticRecords(seed, opts)) {
    if (out.length >= count) break;
    out.push(item);
  }
  return out;
}
