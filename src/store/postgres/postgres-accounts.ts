import type pg from 'pg';
import { type OrgRow, toOrg, toUser, USER_COLUMNS, type UserRow } from '../account-rows.ts';
import type { AccountStore, Organisation, User } from '../store.ts';

export class PostgresAccounts implements AccountStore {
  constructor(private readonly pool: pg.Pool) {}

  async createOrganisation(org: Organisation): Promise<boolean> {
    const r = await this.pool.query(
      'INSERT INTO organisation (id, owner_name, owner_slug, created_at) VALUES ($1, $2, $3, $4) ON CONFLICT (id) DO NOTHING',
      [org.id, org.ownerName, org.ownerSlug, org.createdAtMs],
    );
    return r.rowCount === 1;
  }

  async getOrganisation(id: string): Promise<Organisation | undefined> {
    const r = await this.pool.query<OrgRow>('SELECT * FROM organisation WHERE id = $1', [id]);
    return r.rows[0] && toOrg(r.rows[0]);
  }

  async listOrganisations(): Promise<Organisation[]> {
    const r = await this.pool.query<OrgRow>('SELECT * FROM organisation ORDER BY created_at, id');
    return r.rows.map(toOrg);
  }

  async createUser(u: User): Promise<boolean> {
    const r = await this.pool.query(
      `INSERT INTO app_user (${USER_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
       ON CONFLICT (email_address) DO NOTHING`,
      [
        u.id,
        u.orgId,
        u.firstName,
        u.lastName,
        u.emailAddress,
        u.active,
        JSON.stringify(u.permissions),
        u.accessKeyHash,
        u.createdAtMs,
      ],
    );
    return r.rowCount === 1;
  }

  async getUser(id: string): Promise<User | undefined> {
    const r = await this.pool.query<UserRow>(`SELECT ${USER_COLUMNS} FROM app_user WHERE id = $1`, [id]);
    return r.rows[0] && toUser(r.rows[0]);
  }

  async getUserByKeyHash(hash: string): Promise<User | undefined> {
    const r = await this.pool.query<UserRow>(
      `SELECT ${USER_COLUMNS} FROM app_user WHERE access_key_hash = $1`,
      [hash],
    );
    return r.rows[0] && toUser(r.rows[0]);
  }

  async deleteUser(id: string): Promise<boolean> {
    const r = await this.pool.query('DELETE FROM app_user WHERE id = $1', [id]);
    return r.rowCount === 1;
  }

  async getSetting(name: string): Promise<string | undefined> {
    const r = await this.pool.query<{ value: string }>('SELECT value FROM setting WHERE name = $1', [name]);
    return r.rows[0]?.value;
  }

  async initSetting(name: string, value: string): Promise<string> {
    const r = await this.pool.query<{ value: string }>(
      `WITH ins AS (INSERT INTO setting (name, value) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING RETURNING value)
       SELECT value FROM ins UNION ALL SELECT value FROM setting WHERE name = $1`,
      [name, value],
    );
    return r.rows[0]?.value ?? (await this.getSetting(name)) ?? value;
  }
}
