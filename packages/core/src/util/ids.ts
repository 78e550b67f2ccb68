import { randomUUID, randomBytes, createHash } from 'node:crypto';

export const newId = (): string => randomUUID();

/** Prefixed ids for Flow Relay native records (ho_, ins_, job_, ev_). */
export const newPrefixedId = (prefix: string): string => `${prefix}_${randomBytes(12).toString('base64url')}`;

export const randomToken = (bytes = 32): string => randomBytes(bytes).toString('base64url');

export const sha256Hex = (value: string): string => createHash('sha256').update(value).digest('hex');
