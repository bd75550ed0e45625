import type { AnalyticsRecord } from '../record/record.ts';
import { seededRandom } from '../sim/random.ts';

/** The demo's cast: APIs with their endpoints, keys (incl. the unauthenticated one) and OAuth clients. */
export const DEMO_APIS = [
  {
    id: '79fc7cb80df940cc5089772200bd4926',
    name: 'httpbin',
    paths: ['/get', '/post', '/anything', '/status/500'],
  },
  {
    id: '41351a6a94094da05f75146a695a16f6',
    name: 'payments',
    paths: ['/charges', '/refunds', '/customers/{id}'],
  },
  { id: '1793db2cbb724ad54da582ce3191d383', name: 'search', paths: ['/search', '/suggest'] },
] as const;
export const DEMO_KEYS = ['7f3c3ca87376cabe', 'a1b2c3d4e5f60718', '9e8d7c6b5a493827', '00000000'] as const;
export const DEMO_CLIENTS = ['27b35a9ed46e429eb2361e440cc4005c', '5f0c8a1e2b3d4c6e8f9a0b1c2d3e4f50'] as const;

/**
 * `count` records spread over the `days` days before `endMs`, for organisation `orgId`: a
 * daily rhythm, mostly 2xx with some 3xx/4xx/5xx, latencies that depend on the endpoint.
 */
export function demoRecords(
  orgId: string,
  endMs: number,
  days: number,
  count: number,
  seed = 42,
): AnalyticsRecord[] {
  const rng = seededRandom(seed);
  const r = rng.next;
  const out: AnalyticsRecord[] = [];
  const span = days * 86_400_000;
  for (let i = 0; i < count; i++) {
    const api = rng.pick(DEMO_APIS);
    const path = rng.pick(api.paths);
    const viaOAuth = r() < 0.25;
    const roll = r();
    const responseCode =
      path === '/status/500'
        ? 500
        : roll < 0.8
          ? 200
          : roll < 0.86
            ? 201
            : roll < 0.9
              ? 304
              : roll < 0.96
                ? 404
                : 503;
    const base = 40 + api.paths.indexOf(path as never) * 35;
    const upstream = Math.round(base * (0.5 + r() * 1.5));
    const total = upstream + 1 + Math.floor(r() * 6);
    out.push({
      orgId,
      apiId: api.id,
      apiName: api.name,
      path,
      method: path === '/post' || path === '/charges' || path === '/refunds' ? 'POST' : 'GET',
      apiKey: viaOAuth ? '' : rng.pick(DEMO_KEYS),
      oauthId: viaOAuth ? rng.pick(DEMO_CLIENTS) : '',
      responseCode,
      requestTime: total,
      latencyTotal: total,
      latencyUpstream: upstream,
      timestampMs: endMs - Math.floor(r() * span),
      trackPath: true,
      isGraphQL: false,
      isMCP: false,
    });
  }
  return out;
}
