import { randomBytes } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { AppDeps } from '../app.ts';
import type { Organisation, User } from '../store/store.ts';
import { objectBody, optionalString, permissions, requiredBoolean, requiredString } from './admin-body.ts';
import { newAccessKey, sha256Hex } from './auth.ts';
import { TykError } from './tyk-error.ts';

/** Tyk ids look like Mongo ObjectIds: 24 hex characters. */
const newId = (): string => randomBytes(12).toString('hex');
const ORG_ID = /^[A-Za-z0-9._:-]{1,128}$/;
const EMAIL = /^[^\s@]+@[^\s@]+$/;

const iso = (ms: number): string => new Date(ms).toISOString();

const orgJson = (o: Organisation) => ({
  id: o.id,
  owner_name: o.ownerName,
  owner_slug: o.ownerSlug,
  cname_enabled: false,
  cname: '',
  apis: [],
  developer_quota: 0,
  developer_count: 0,
  hybrid_enabled: false,
  created_at: iso(o.createdAtMs),
});

const userJson = (u: User) => ({
  api_model: {},
  first_name: u.firstName,
  last_name: u.lastName,
  email_address: u.emailAddress,
  org_id: u.orgId ?? '',
  active: u.active,
  id: u.id,
  user_permissions: u.permissions,
  created_at: iso(u.createdAtMs),
});

const slugOf = (name: string): string =>
  name
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '');

/** Tyk-compatible admin API (SPEC §2), guarded by `admin-auth`. */
export function adminRoutes(app: FastifyInstance, deps: AppDeps, guard: (r: FastifyRequest) => void): void {
  const { accounts } = deps.store;
  const now = deps.clock;

  app.register(async (admin) => {
    admin.addHook('onRequest', async (request) => guard(request));

    admin.post('/admin/organisations', async (request) => {
      const body = objectBody(request.body);
      const ownerName = requiredString(body, 'owner_name');
      const id = optionalString(body, 'id', 128) ?? newId();
      if (!ORG_ID.test(id)) throw new TykError(400, 'id may contain only letters, digits and . _ : -');
      const org = {
        id,
        ownerName,
        ownerSlug: optionalString(body, 'owner_slug') ?? slugOf(ownerName),
        createdAtMs: now(),
      };
      if (!(await accounts.createOrganisation(org)))
        throw new TykError(409, `Organisation ${id} already exists`);
      return { Status: 'OK', Message: 'Org created', Meta: id };
    });

    admin.get('/admin/organisations', async () => ({
      organisations: (await accounts.listOrganisations()).map(orgJson),
      pages: 0,
    }));

    admin.get<{ Params: { id: string } }>('/admin/organisations/:id', async (request) => {
      const org = await accounts.getOrganisation(request.params.id);
      if (!org) throw new TykError(404, 'Organisation not found');
      return orgJson(org);
    });

    admin.post('/admin/users', async (request) => {
      const body = objectBody(request.body);
      const orgId = optionalString(body, 'org_id', 128) || null;
      if (orgId !== null && !(await accounts.getOrganisation(orgId))) {
        throw new TykError(404, `Organisation ${orgId} not found`);
      }
      const emailAddress = requiredString(body, 'email_address');
      if (!EMAIL.test(emailAddress)) throw new TykError(400, 'email_address is not an email address');
      const accessKey = newAccessKey();
      const user: User = {
        id: newId(),
        orgId,
        firstName: requiredString(body, 'first_name'),
        lastName: requiredString(body, 'last_name'),
        emailAddress,
        active: requiredBoolean(body, 'active'),
        permissions: permissions(body),
        accessKeyHash: sha256Hex(accessKey),
        createdAtMs: now(),
      };
      if (!(await accounts.createUser(user))) throw new TykError(400, 'User email already exists');
      return { Status: 'OK', Message: accessKey, Meta: { ...userJson(user), access_key: accessKey } };
    });

    admin.get<{ Params: { id: string } }>('/admin/users/:id', async (request) => {
      const user = await accounts.getUser(request.params.id);
      if (!user) throw new TykError(404, 'User not found');
      return userJson(user);
    });

    admin.delete<{ Params: { id: string } }>('/admin/users/:id', async (request) => {
      if (!(await accounts.deleteUser(request.params.id))) throw new TykError(404, 'User not found');
      return { Status: 'OK', Message: 'User deleted', Meta: null };
    });
  });
}
