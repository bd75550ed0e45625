import type Database from 'better-sqlite3';
import { type OrgRow, toOrg, toUser, USER_COLUMNS, type UserRow } from '../account-rows.ts';
import type { AccountStore, Organisation, User } from '../store.ts';

export class SqliteAccounts implements AccountStore {
  constructor(private readonly db: Database.Database) {}

  async createOrganisation(org: Organisation): Promise<boolean> {
    const r = this.db
      .prepare(
        'INSERT INTO organisation (id, owner_name, owner_slug, created_at) VALUES (?, ?, ?, ?) ON CONFLICT (id) DO NOTHING',
      )
      .run(org.id, org.ownerName, org.ownerSlug, org.createdAtMs);
    return r.changes === 1;
  }

  async getOrganisation(id: string): Promise<Organisation | undefined> {
    const r = this.db.prepare('SELECT * FROM organisation WHERE id = ?').get(id) as OrgRow | undefined;
    return r && toOrg(r);
  }

  async listOrganisations(): Promise<Organisation[]> {
    return (this.db.prepare('SELECT * FROM organisation ORDER BY created_at, id').all() as OrgRow[]).map(
      toOrg,
    );
  }

  async createUser(u: User): Promise<boolean> {
    const r = this.db
      .prepare(
        `INSERT INTO app_user (${USER_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (email_address) DO NOTHING`,
      )
      .run(
        u.id,
        u.orgId,
        u.firstName,
        u.lastName,
        u.emailAddress,
        u.active ? 1 : 0,
        JSON.stringify(u.permissions),
        u.accessKeyHash,
        u.createdAtMs,
      );
    return r.changes === 1;
  }

  async getUser(id: string): Promise<User | undefined> {
    const r = this.db.prepare(`SELECT ${USER_COLUMNS} FROM app_user WHERE id = ?`).get(id) as
      | UserRow
      | undefined;
    return r && toUser(r);
  }

  async getUserByKeyHash(hash: string): Promise<User | undefined> {
    const r = this.db.prepare(`SELECT ${USER_COLUMNS} FROM app_user WHERE access_key_hash = ?`).get(hash) as
      | UserRow
      | undefined;
    return r && toUser(r);
  }

  async deleteUser(id: string): Promise<boolean> {
    return this.db.prepare('DELETE FROM app_user WHERE id = ?').run(id).changes === 1;
  }

  async getSetting(name: string): Promise<string | undefined> {
    return this.db.prepare('SELECT value FROM setting WHERE name = ?').pluck().get(name) as
      | string
      | undefined;
  }

  async initSetting(name: string, value: string): Promise<string> {
    this.db
      .prepare('INSERT INTO setting (name, value) VALUES (?, ?) ON CONFLICT (name) DO NOTHING')
      .run(name, value);
    return (await this.getSetting(name)) as string;
  }
}
