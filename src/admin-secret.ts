import { randomBytes } from 'node:crypto';
import { sha256Hex } from './api/auth.ts';
import type { AccountStore } from './store/store.ts';

const SETTING = 'admin_secret_sha256';

export interface AdminSecret {
  sha256: string;
  /** Set only on the first start without KEYMETER_ADMIN_SECRET: the plain secret, to print once. */
  generated?: string;
}

/**
 * KEYMETER_ADMIN_SECRET wins when set. Otherwise the first start generates a secret and keeps
 * only its hash in the store; racing instances agree on whichever hash was stored first.
 */
export async function resolveAdminSecret(
  configured: string | undefined,
  accounts: AccountStore,
): Promise<AdminSecret> {
  if (configured !== undefined) return { sha256: sha256Hex(configured) };
  const existing = await accounts.getSetting(SETTING);
  if (existing !== undefined) return { sha256: existing };
  const secret = randomBytes(24).toString('base64url');
  const stored = await accounts.initSetting(SETTING, sha256Hex(secret));
  return stored === sha256Hex(secret) ? { sha256: stored, generated: secret } : { sha256: stored };
}

/** The first-start banner: the secret once, and a ready-to-paste walk-through. */
export function firstStartBanner(secret: string, baseUrl: string): string {
  return `
================================================================================
keymeter generated an admin secret. It is shown ONCE; only its hash is stored.
(Lost it? Start with KEYMETER_ADMIN_SECRET=<new secret> to override it.)

  export KEYMETER_ADMIN=${secret}

1. Create an organisation with your gateway's org id (records carry it in OrgID):
  curl -s -X POST ${baseUrl}/admin/organisations -H "admin-auth: $KEYMETER_ADMIN" \\
    -H 'content-type: application/json' -d '{"owner_name":"My Company","id":"my-org"}'

2. Create a user of that organisation; the response's Message is its access key:
  curl -s -X POST ${baseUrl}/admin/users -H "admin-auth: $KEYMETER_ADMIN" \\
    -H 'content-type: application/json' \\
    -d '{"org_id":"my-org","first_name":"Ada","last_name":"Lovelace","email_address":"ada@example.com","active":true,"user_permissions":{"analytics":"read"}}'
  export KEYMETER_KEY=<the Message of the response>

3. Send a record (or point keymeter at your gateway's Redis with KEYMETER_REDIS_URL):
  curl -s -X POST ${baseUrl}/ingest/records -H "admin-auth: $KEYMETER_ADMIN" \\
    -H 'content-type: application/json' \\
    -d '[{"org_id":"my-org","api_id":"api-1","api_name":"httpbin","path":"/get","method":"GET","api_key":"7f3c3ca87376cabe","response_code":200,"request_time":120,"latency":{"total":120,"upstream":100},"timestamp":"'$(date -u +%Y-%m-%dT%H:%M:%SZ)'"}]'

4. Ask which endpoints that key called today:
  curl -s ${baseUrl}/api/activity/keys/endpoint/7f3c3ca87376cabe/$(date -u +%d/%m/%Y)/$(date -u +%d/%m/%Y) \\
    -H "authorization: $KEYMETER_KEY"
================================================================================
`;
}
