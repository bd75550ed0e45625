import { Packr } from 'msgpackr';
import type { AnalyticsRecord } from './record.ts';

/** Extra fields a real gateway record carries; filled with plausible values when absent. */
export interface GatewayExtras {
  host?: string;
  contentLength?: number;
  userAgent?: string;
  ipAddress?: string;
  rawRequest?: string;
  rawResponse?: string;
  alias?: string;
  apiVersion?: string;
  tags?: string[];
}

const packr = new Packr({ useRecords: false, variableMapSize: true });

/**
 * The gateway's own msgpack shape for one record: a map keyed by Go field names, every field
 * present, `time.Time` as `[unix_seconds, nanoseconds]`. Field order follows the Go struct.
 */
export function gatewayObject(r: AnalyticsRecord, x: GatewayExtras = {}): Record<string, unknown> {
  const sec = Math.floor(r.timestampMs / 1000);
  const nsec = (r.timestampMs - sec * 1000) * 1_000_000;
  const day = new Date(r.timestampMs);
  return {
    Method: r.method,
    Host: x.host ?? 'api.example.com',
    Path: r.path,
    RawPath: r.path,
    ContentLength: x.contentLength ?? 0,
    UserAgent: x.userAgent ?? 'curl/8.5.0',
    Day: day.getUTCDate(),
    Month: day.getUTCMonth() + 1,
    Year: day.getUTCFullYear(),
    Hour: day.getUTCHours(),
    ResponseCode: r.responseCode,
    APIKey: r.apiKey,
    TimeStamp: [sec, nsec],
    APIVersion: x.apiVersion ?? 'Default',
    APIName: r.apiName,
    APIID: r.apiId,
    OrgID: r.orgId,
    OauthID: r.oauthId,
    RequestTime: r.requestTime,
    Latency: {
      Total: r.latencyTotal,
      Upstream: r.latencyUpstream,
      Gateway: r.latencyTotal - r.latencyUpstream,
    },
    RawRequest: x.rawRequest ?? '',
    RawResponse: x.rawResponse ?? '',
    IPAddress: x.ipAddress ?? '10.0.0.1',
    Geo: {
      Country: { ISOCode: '' },
      City: { GeoNameID: 0, Names: {} },
      Location: { Latitude: 0, Longitude: 0, TimeZone: '' },
    },
    Network: { OpenConnections: 0, ClosedConnection: 0, BytesIn: 0, BytesOut: 0 },
    Tags: x.tags ?? [],
    Alias: x.alias ?? '',
    TrackPath: r.trackPath,
    ExpireAt: [sec + 7 * 86_400, 0],
    ApiSchema: '',
    GraphQLStats: { IsGraphQL: r.isGraphQL, Types: {}, RootFields: [], HasErrors: false, OperationType: 0 },
    MCPStats: { IsMCP: r.isMCP, JSONRPCMethod: '', PrimitiveType: '', PrimitiveName: '' },
    CollectionName: '',
  };
}

/** Encodes one record exactly as the gateway puts it on the Redis list. */
export const encodeGatewayRecord = (r: AnalyticsRecord, x?: GatewayExtras): Buffer =>
  packr.pack(gatewayObject(r, x));

/** Encodes a msgpack array of gateway records (the HTTP ingest body form). */
export const encodeGatewayArray = (rs: AnalyticsRecord[]): Buffer =>
  packr.pack(rs.map((r) => gatewayObject(r)));
