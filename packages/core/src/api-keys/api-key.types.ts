import { z } from 'zod';
import { API_KEY_KINDS } from '@baton/db';

export const ZApiKeyKind = z.enum(API_KEY_KINDS);
export const ZCreateApiKeyInput = z.object({ name: z.string().trim().min(1).max(100), kind: ZApiKeyKind });

export const ZApiKey = z
  .object({
    id: z.string(),
    name: z.string(),
    kind: ZApiKeyKind,
    prefix: z.string().meta({ description: 'First characters of the key, to tell keys apart' }),
    orgId: z.string().nullable().meta({ description: 'Org an mk_* key is bound to; null for fr keys' }),
    createdAt: z.string(),
    lastUsedAt: z.string().nullable(),
  })
  .meta({ id: 'ApiKey' });

export const ZCreatedApiKey = z
  .object({
    id: z.string(),
    name: z.string(),
    kind: ZApiKeyKind,
    key: z.string().meta({ description: 'The full key. Shown only in this response; store it now.' }),
    createdAt: z.string(),
  })
  .meta({ id: 'CreatedApiKey' });
