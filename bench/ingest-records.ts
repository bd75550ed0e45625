import { encodeGatewayRecord } from '../src/record/gateway-encoder.ts';

/**
 * Realistic gateway entries of about 800 bytes: 500 keys, 20 APIs, 50 paths, mixed codes, 2 ms apart,
 * with the user agent, address, alias and tags a gateway carries.
 */
export function benchRecords(n: number): Buffer[] {
  const codes = [200, 200, 200, 201, 204, 304, 400, 401, 404, 429, 500, 502];
  const day = Date.UTC(2024, 5, 1, 12);
  return Array.from({ length: n }, (_, i) => {
    const latency = 3 + ((i * 37) % 800);
    return encodeGatewayRecord(
      {
        orgId: `org-${i % 3}`,
        apiId: `api-${i % 20}`,
        apiName: `service ${i % 20}`,
        path: `/v1/resource-${i % 50}/items`,
        method: ['GET', 'POST', 'PUT', 'DELETE'][i % 4] ?? 'GET',
        apiKey: `${(i % 500).toString(16).padStart(8, '0')}${'a'.repeat(24)}`,
        oauthId: i % 7 === 0 ? `client-${i % 40}` : '',
        responseCode: codes[i % codes.length] ?? 200,
        requestTime: latency,
        latencyTotal: latency,
        latencyUpstream: Math.max(0, latency - 2),
        // Drained seconds after they are made: a batch spans moments, not a whole day.
        timestampMs: day + i * 2,
        trackPath: true,
        isGraphQL: false,
        isMCP: false,
      },
      {
        userAgent: 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0',
        ipAddress: `10.1.${i % 250}.${(i * 7) % 250}`,
        tags: ['key-a1b2c3', `org-${i % 3}`, 'production'],
        alias: `user-${i % 500}@example.com`,
      },
    );
  });
}
