import { type FieldNames, recordFromObject } from './from-object.ts';
import type { DecodeResult } from './record.ts';
import { parseRfc3339 } from './rfc3339.ts';

/** Tyk's JSON tags for AnalyticsRecord. */
const JSON_NAMES: FieldNames = {
  orgId: 'org_id',
  apiId: 'api_id',
  apiName: 'api_name',
  path: 'path',
  method: 'method',
  apiKey: 'api_key',
  oauthId: 'oauth_id',
  responseCode: 'response_code',
  requestTime: 'request_time',
  latency: 'latency',
  latencyTotal: 'total',
  latencyUpstream: 'upstream',
  timestamp: 'timestamp',
  trackPath: 'track_path',
  graphQLStats: 'graphql_stats',
  isGraphQL: 'is_graphql',
  mcpStats: 'mcp_stats',
  isMCP: 'is_mcp',
};

/** Decodes one record in Tyk's JSON form (already parsed); never throws for bad input. */
export const decodeJsonRecord = (value: unknown): DecodeResult =>
  recordFromObject(value, JSON_NAMES, parseRfc3339);
