import { TykError } from './tyk-error.ts';

type Body = Record<string, unknown>;

/** The request body as an object, or a 400 in the Tyk envelope. */
export function objectBody(body: unknown): Body {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new TykError(400, 'Request body must be a JSON object');
  }
  return body as Body;
}

export function optionalString(b: Body, name: string, max = 256): string | undefined {
  const v = b[name];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'string' || v.length > max) {
    throw new TykError(400, `${name} must be a string of at most ${max} characters`);
  }
  return v;
}

export function requiredString(b: Body, name: string, max = 256): string {
  const v = optionalString(b, name, max);
  if (v === undefined || v.trim() === '') throw new TykError(400, `${name} is required`);
  return v;
}

export function requiredBoolean(b: Body, name: string): boolean {
  const v = b[name];
  if (typeof v !== 'boolean') throw new TykError(400, `${name} is required and must be true or false`);
  return v;
}

/** `user_permissions`: an object of string values, e.g. {"analytics":"read"} or {"IsAdmin":"admin"}. */
export function permissions(b: Body): Record<string, string> {
  const v = b.user_permissions;
  if (v === undefined || v === null) return {};
  if (typeof v !== 'object' || Array.isArray(v))
    throw new TykError(400, 'user_permissions must be an object');
  const out: Record<string, string> = {};
  for (const [k, val] of Object.entries(v)) {
    if (typeof val !== 'string') throw new TykError(400, `user_permissions.${k} must be a string`);
    out[k] = val;
  }
  return out;
}
