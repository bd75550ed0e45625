import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import type { AccountStore, User } from '../store/store.ts';
import { NOT_AUTHORISED, TykError } from './tyk-error.ts';

export const sha256Hex = (s: string): string => createHash('sha256').update(s).digest('hex');

/** A new access key: 128 random bits as 32 hex characters, the shape of Tyk's keys. */
export const newAccessKey = (): string => randomBytes(16).toString('hex');

const header = (request: FastifyRequest, name: string): string | undefined => {
  const v = request.headers[name];
  return typeof v === 'string' ? v.trim() : undefined;
};

/** Whether the user may read analytics: an admin, empty permissions, or analytics read/write. */
export function canReadAnalytics(user: User): boolean {
  const p = user.permissions;
  if (p.IsAdmin === 'admin') return true;
  if (Object.keys(p).length === 0) return true;
  return p.analytics === 'read' || p.analytics === 'write';
}

/**
 * Resolves the `authorization` header (plain key or `Bearer <key>`) to an active user allowed
 * to read analytics: 401 when missing, unknown or inactive; 403 when the permission is lacking.
 * Looked up on every request, so deleting or deactivating a user takes effect at once.
 */
export async function authenticateAnalyticsUser(
  request: FastifyRequest,
  accounts: AccountStore,
): Promise<User> {
  const raw = header(request, 'authorization');
  const key = raw?.replace(/^Bearer\s+/i, '');
  if (!key) throw new TykError(401, NOT_AUTHORISED);
  const user = await accounts.getUserByKeyHash(sha256Hex(key));
  if (!user?.active) throw new TykError(401, NOT_AUTHORISED);
  if (!canReadAnalytics(user)) throw new TykError(403, 'Access to analytics is not allowed for this user');
  return user;
}

/** Checks `admin-auth` against the admin secret's SHA-256, in constant time. */
export function adminGuard(secretSha256Hex: string): (request: FastifyRequest) => void {
  const expected = Buffer.from(secretSha256Hex, 'hex');
  return (request) => {
    const given = header(request, 'admin-auth');
    const ok =
      given !== undefined && given !== '' && timingSafeEqual(Buffer.from(sha256Hex(given), 'hex'), expected);
    if (!ok) throw new TykError(403, 'Attempted administrative access with invalid or missing key!');
  };
}
