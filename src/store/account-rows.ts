import type { Organisation, User } from './store.ts';

/** An organisation row as either driver returns it (pg hands bigint back as a string). */
export interface OrgRow {
  id: string;
  owner_name: string;
  owner_slug: string;
  created_at: number | string;
}

/** A user row as either driver returns it (SQLite stores booleans as 0/1). */
export interface UserRow {
  id: string;
  org_id: string | null;
  first_name: string;
  last_name: string;
  email_address: string;
  active: boolean | number;
  permissions: string;
  access_key_hash: string;
  created_at: number | string;
}

export const USER_COLUMNS =
  'id, org_id, first_name, last_name, email_address, active, permissions, access_key_hash, created_at';

// Milliseconds fit a double exactly, whichever form the driver used.
export const toOrg = (r: OrgRow): Organisation => ({
  id: r.id,
  ownerName: r.owner_name,
  ownerSlug: r.owner_slug,
  createdAtMs: Number(r.created_at),
});

export const toUser = (r: UserRow): User => ({
  id: r.id,
  orgId: r.org_id,
  firstName: r.first_name,
  lastName: r.last_name,
  emailAddress: r.email_address,
  active: r.active === true || r.active === 1,
  permissions: JSON.parse(r.permissions) as Record<string, string>,
  accessKeyHash: r.access_key_hash,
  createdAtMs: Number(r.created_at),
});
