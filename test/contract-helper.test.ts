import { describe, expect, it } from 'vitest';
import { expectMkContract, expectRelayContract } from './helpers/contract.ts';

// The contract checks guard every route test, so they are tested too: they must reject, not just pass.
const org = {
  id: '6f1c1f9e-7b1a-4c1e-9a53-0d1c2b3a4f5e',
  name: 'Acme',
  slug: 'acme',
  logoUrl: null,
  subscriptionTier: 'free',
  stripeCustomerId: null,
  stripeSubscriptionId: null,
  settings: {},
  constitutionVersion: 1,
  autonomyLevel: 'assist',
  creditBalance: '0.00',
  maxSeats: 5,
  isActive: true,
  suspendedAt: null,
  suspendedReason: null,
  createdAt: '2026-01-01T00:00:00.000Z',
  updatedAt: '2026-01-01T00:00:00.000Z',
  role: 'owner',
};

describe('expectMkContract', () => {
  it('accepts a complete body', () => {
    expectMkContract('GET', '/orgs/{id}', 200, { data: org });
  });

  it('rejects a missing documented property, a wrong type, a bad enum and a missing envelope', () => {
    const { role: _drop, ...noRole } = org;
    expect(() => expectMkContract('GET', '/orgs/{id}', 200, { data: noRole })).toThrow(/role/);
    expect(() => expectMkContract('GET', '/orgs/{id}', 200, { data: { ...org, maxSeats: '5' } })).toThrow();
    expect(() => expectMkContract('GET', '/orgs/{id}', 200, { data: { ...org, autonomyLevel: 'yolo' } })).toThrow();
    expect(() => expectMkContract('GET', '/orgs/{id}', 200, org)).toThrow();
    expect(() => expectMkContract('GET', '/orgs/{id}', 404, {})).toThrow(/error/);
  });

  it('refuses to check an undocumented status', () => {
    expect(() => expectMkContract('GET', '/orgs/{id}', 418, {})).toThrow(/documents no 418/);
  });
});

describe('expectRelayContract', () => {
  const body = {
    account_type: 'business',
    organizations: [{ id: 'o', name: 'A', slug: 'a', role: 'admin', is_temporary_admin: false }],
    projects: [],
  };

  it('accepts the example shape', () => {
    expectRelayContract('GET', '/projects', 200, body);
  });

  it('rejects a missing key or a different JSON type, at any depth', () => {
    expect(() => expectRelayContract('GET', '/projects', 200, { ...body, account_type: undefined })).toThrow();
    expect(() =>
      expectRelayContract('GET', '/projects', 200, { ...body, organizations: [{ ...body.organizations[0], is_temporary_admin: 'no' }] }),
    ).toThrow();
    expect(() => expectRelayContract('GET', '/projects', 200, { ...body, projects: [{ id: 'p' }] })).toThrow(/name/);
  });
});
