import type { FastifyInstance } from 'fastify';
import { TimeZone } from '../../src/aggregate/time-zone.ts';
import { sha256Hex } from '../../src/api/auth.ts';
import type { Report } from '../../src/api/endpoint-report.ts';
import { type AppDeps, buildApp } from '../../src/app.ts';
import { encodeGatewayArray } from '../../src/record/gateway-encoder.ts';
import type { AnalyticsRecord } from '../../src/record/record.ts';
import type { Store } from '../../src/store/store.ts';

/** Any response body of the API: a report, an envelope, or an admin object. */
export type Body = Partial<Report> & {
  Status?: string;
  Message?: string;
  Meta?:
    | { accepted?: number; rejected?: number; errors?: Array<{ index: number; reason: string }> }
    | string
    | null;
} & Record<string, unknown>;

/** The body of POST /ingest/records (or its error envelope). */
export interface IngestBody {
  Status: string;
  Message: string;
  Meta: { accepted: number; rejected: number; errors: Array<{ index: number; reason: string }> } | null;
}

export const ADMIN_SECRET = 'test-admin-secret-0123456789';

export interface TestApp {
  app: FastifyInstance;
  store: Store;
  admin: { 'admin-auth': string };
  /** Creates an organisation with the given id through the admin API. */
  createOrg(id: string): Promise<void>;
  /** Creates a user through the admin API and returns its access key. */
  createUser(orgId: string | null, permissions?: Record<string, string>, active?: boolean): Promise<string>;
  /** Posts JSON records to /ingest/records; returns the parsed response. */
  ingestJson(records: unknown[]): Promise<{ statusCode: number; body: IngestBody }>;
  /** Posts records to /ingest/records in the gateway's msgpack encoding. */
  ingestMsgpack(records: AnalyticsRecord[]): Promise<{ statusCode: number; body: IngestBody }>;
  /** GET with an access key; returns status and parsed body. */
  get(
    url: string,
    key?: string,
  ): Promise<{ statusCode: number; body: Body; raw: string; contentType: unknown }>;
  close(): Promise<void>;
}

let users = 0;

export async function testApp(store: Store, config: Partial<AppDeps['config']> = {}): Promise<TestApp> {
  const app = buildApp({
    store,
    config: {
      pageSize: 10,
      timeZone: new TimeZone('UTC'),
      trackAllPaths: true,
      ingestMaxBytes: 1024 * 1024,
      ...config,
    },
    adminSecretSha256: sha256Hex(ADMIN_SECRET),
    clock: () => Date.UTC(2024, 0, 1),
  });
  await app.ready();
  const admin = { 'admin-auth': ADMIN_SECRET };
  return {
    app,
    store,
    admin,
    async createOrg(id) {
      const r = await app.inject({
        method: 'POST',
        url: '/admin/organisations',
        headers: admin,
        payload: { id, owner_name: `Owner ${id}` },
      });
      if (r.statusCode !== 200) throw new Error(`createOrg: ${r.statusCode} ${r.body}`);
    },
    async createUser(orgId, permissions = { analytics: 'read' }, active = true) {
      const r = await app.inject({
        method: 'POST',
        url: '/admin/users',
        headers: admin,
        payload: {
          ...(orgId === null ? {} : { org_id: orgId }),
          first_name: 'Test',
          last_name: 'User',
          email_address: `user${process.pid}-${users++}@example.com`,
          active,
          user_permissions: permissions,
        },
      });
      if (r.statusCode !== 200) throw new Error(`createUser: ${r.statusCode} ${r.body}`);
      return r.json().Message as string;
    },
    async ingestJson(records) {
      const r = await app.inject({
        method: 'POST',
        url: '/ingest/records',
        headers: admin,
        payload: records,
      });
      return { statusCode: r.statusCode, body: r.json() };
    },
    async ingestMsgpack(records) {
      const r = await app.inject({
        method: 'POST',
        url: '/ingest/records',
        headers: { ...admin, 'content-type': 'application/msgpack' },
        payload: encodeGatewayArray(records),
      });
      return { statusCode: r.statusCode, body: r.json() };
    },
    async get(url, key) {
      const r = await app.inject({
        method: 'GET',
        url,
        headers: key === undefined ? {} : { authorization: key },
      });
      return {
        statusCode: r.statusCode,
        body: r.json(),
        raw: r.body,
        contentType: r.headers['content-type'],
      };
    },
    async close() {
      await app.close();
      await store.close();
    },
  };
}
