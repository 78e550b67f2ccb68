import { createHash, randomBytes } from 'node:crypto';

export type ApiKeyKind = 'mk_live' | 'mk_test' | 'fr';
export type Surface = 'mk' | 'relay';

export const hashApiKey = (key: string): string => createHash('sha256').update(key).digest('hex');

/** A new key: shown once to its creator; only the hash and a short display prefix are stored. */
export function generateApiKey(kind: ApiKeyKind): { key: string; keyHash: string; prefix: string } {
  const key = `${kind}_${randomBytes(24).toString('base64url')}`;
  return { key, keyHash: hashApiKey(key), prefix: key.slice(0, kind.length + 5) };
}

/** Which surface a presented key belongs to, from its prefix alone. */
export function surfaceOfKey(token: string): Surface | null {
  if (token.startsWith('mk_live_') || token.startsWith('mk_test_')) return 'mk';
  if (token.startsWith('fr_')) return 'relay';
  return null;
}
