import { describe, expect, it } from 'vitest';
import { formatMicros, parseToMicros } from '../src/util/money.ts';
import { slugify, uniqueSlug } from '../src/util/slug.ts';
import { effectiveRole } from '../src/orgs/access.ts';

describe('money as integer micro-units', () => {
  it('renders decimal strings with at least two places and no float drift', () => {
    expect(formatMicros(0)).toBe('0.00');
    expect(formatMicros(10_000_000)).toBe('10.00');
    expect(formatMicros(1_500_000)).toBe('1.50');
    expect(formatMicros(1_234)).toBe('0.001234');
    expect(formatMicros(-2_500_000)).toBe('-2.50');
    expect(formatMicros(parseToMicros('0.1') + parseToMicros('0.2'))).toBe('0.30');
  });

  it('parses decimal amounts exactly and rejects garbage', () => {
    expect(parseToMicros('12.34')).toBe(12_340_000);
    expect(parseToMicros(5)).toBe(5_000_000);
    expect(parseToMicros('-1.000001')).toBe(-1_000_001);
    expect(() => parseToMicros('1e3')).toThrow();
    expect(() => parseToMicros('1.2345678')).toThrow();
  });
});

describe('slugs', () => {
  it('are lowercase ascii with single dashes', () => {
    expect(slugify("Ada's Organization")).toBe('adas-organization');
    expect(slugify('  Crème Brûlée -- Team ')).toBe('creme-brulee-team');
    expect(slugify('!!!')).toBe('org');
  });

  it('get a numeric suffix when taken', () => {
    const taken = new Set(['acme', 'acme-2']);
    expect(uniqueSlug('acme', (s) => taken.has(s))).toBe('acme-3');
    expect(uniqueSlug('fresh', (s) => taken.has(s))).toBe('fresh');
  });
});

describe('effective role', () => {
  const m = (role: 'owner' | 'admin' | 'member' | 'viewer', temporaryAdminUntil: string | null) => ({
    id: 'm',
    orgId: 'o',
    userId: 'u',
    role,
    temporaryAdminUntil,
    createdAt: '2026-01-01T00:00:00.000Z',
  });
  const now = new Date('2026-06-01T12:00:00.000Z');

  it('lifts a member or viewer to admin only while the grant lasts', () => {
    expect(effectiveRole(m('viewer', '2026-06-01T13:00:00.000Z'), now)).toEqual({ role: 'admin', isTemporaryAdmin: true });
    expect(effectiveRole(m('member', '2026-06-01T11:00:00.000Z'), now)).toEqual({ role: 'member', isTemporaryAdmin: false });
    expect(effectiveRole(m('owner', '2026-06-01T13:00:00.000Z'), now)).toEqual({ role: 'owner', isTemporaryAdmin: false });
  });
});

describe('time-ordered ids', () => {
  it('are RFC 9562 version 7 UUIDs that sort in creation order', async () => {
    const { newTimeOrderedId } = await import('../src/util/ids.ts');
    const ids = Array.from({ length: 5000 }, () => newTimeOrderedId());
    for (const id of ids) expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect([...ids].sort()).toEqual(ids);
    expect(new Set(ids).size).toBe(ids.length);
    const ms = parseInt(ids[0]!.replace(/-/g, '').slice(0, 12), 16);
    expect(Math.abs(ms - Date.now())).toBeLessThan(60_000);
  });
});
