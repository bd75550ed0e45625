import { randomBytes } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { bucketOf } from '../aggregate/buckets.ts';
import { sha256Hex } from '../api/auth.ts';
import { buildApp } from '../app.ts';
import type { Config } from '../config.ts';
import { encodeGatewayArray } from '../record/gateway-encoder.ts';
import type { Store } from '../store/store.ts';
import { DEMO_CLIENTS, DEMO_KEYS, demoRecords } from './traffic.ts';

export interface DemoResult {
  app: FastifyInstance;
  baseUrl: string;
  /** curl commands that return non-empty results. */
  commands: string[];
  urls: string[];
  accessKey: string;
  records: number;
}

const ddmmyyyy = (day: number): string => {
  const d = new Date(day * 86_400_000);
  return `${d.getUTCDate()}/${d.getUTCMonth() + 1}/${d.getUTCFullYear()}`;
};

/**
 * Starts keymeter on `store`, provisions an organisation and a user through the admin API, and
 * loads a week of synthetic traffic through POST /ingest/records in the gateway's msgpack form.
 */
export async function runDemo(store: Store, config: Config, records = 20_000): Promise<DemoResult> {
  const adminSecret = randomBytes(18).toString('base64url');
  const app = buildApp({ store, config, adminSecretSha256: sha256Hex(adminSecret), clock: Date.now });
  await app.listen({ host: config.host, port: config.port });
  const address = app.server.address();
  const port = typeof address === 'object' && address !== null ? address.port : config.port;
  const baseUrl = `http://${config.host}:${port}`;
  const admin = { 'admin-auth': adminSecret, 'content-type': 'application/json' };
  const post = async (path: string, body: unknown, headers: Record<string, string> = admin) => {
    const res = await fetch(`${baseUrl}${path}`, {
      method: 'POST',
      headers,
      body: body instanceof Uint8Array ? body : JSON.stringify(body),
    });
    const json = (await res.json()) as { Message: string };
    if (!res.ok) throw new Error(`${path}: ${res.status} ${json.Message}`);
    return json;
  };

  await post('/admin/organisations', { owner_name: 'Demo Company', id: 'demo-org' });
  const { Message: accessKey } = await post('/admin/users', {
    org_id: 'demo-org',
    first_name: 'Demo',
    last_name: 'User',
    email_address: `demo-${Date.now()}@example.com`,
    active: true,
    user_permissions: { analytics: 'read' },
  });
  const now = Date.now();
  const traffic = demoRecords('demo-org', now, 7, records);
  for (let i = 0; i < traffic.length; i += 5000) {
    await post('/ingest/records', encodeGatewayArray(traffic.slice(i, i + 5000)), {
      'admin-auth': adminSecret,
      'content-type': 'application/msgpack',
    });
  }

  const today = bucketOf(now, config.timeZone).day;
  const range = `${ddmmyyyy(today - 7)}/${ddmmyyyy(today)}`;
  const urls = [
    `${baseUrl}/api/activity/keys/endpoint/${DEMO_KEYS[0]}/${range}`,
    `${baseUrl}/api/activity/keys/endpoint/${DEMO_KEYS[3]}/${range}?p=0`,
    `${baseUrl}/api/activity/oauthid/endpoint/${DEMO_CLIENTS[0]}/${range}`,
  ];
  const commands = urls.map((u) => `curl -s '${u}' -H 'authorization: ${accessKey}'`);
  return { app, baseUrl, commands, urls, accessKey, records: traffic.length };
}
