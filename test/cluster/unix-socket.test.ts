import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createTestDatabase } from '../helpers/embedded-postgres.ts';
import { expectMkContract } from '../helpers/contract.ts';
import { createApiKey, createUser } from '../helpers/factories.ts';
import { getRun } from '../helpers/runs.ts';
import { dumpLogs, startNode, stopNodes, type BatonNode } from './helpers.ts';

/**
 * A node on the database's own host connects through PostgreSQL's Unix socket, as Debian's local
 * connections do by default (README, "Running on Postgres"): BATON_DATABASE_URL names no host,
 * only the socket's directory (`postgres:///baton?host=/var/run/postgresql`). Runs only in the
 * postgres project, like the rest of test/cluster.
 */
let node: BatonNode | undefined;

beforeAll(async () => {
  const tcpUrl = new URL(await createTestDatabase(inject('pgAdminUrl'), 'baton_socket'));
  const socketUrl = `postgres://${tcpUrl.pathname}?host=${encodeURIComponent(inject('pgSocketDir'))}&port=${tcpUrl.port}&user=${tcpUrl.username}`;
  expect(socketUrl).toMatch(/^postgres:\/\/\/baton_socket_/);
  node = await startNode({ id: 'socket-node', databaseUrl: socketUrl });
});
afterAll(async () => {
  if (node) dumpLogs([node]);
  await stopNodes(node ? [node] : []);
});

describe('BATON_DATABASE_URL through a Unix socket', () => {
  it('starts, migrates and serves reads and writes', async () => {
    const n = node!;
    expect((await n.call('GET', '/readyz')).status).toBe(200);
    const user = await createUser(n.call);
    const auth = { token: (await createApiKey(n.call, user, 'mk_live')).key };
    const created = await n.call('POST', '/api/v1/runs', { ...auth, body: { requestText: 'Over the socket' } });
    expect(created.status).toBe(201);
    expectMkContract('POST', '/runs', 201, created.body);
    const run = await getRun(n.call, auth, created.body.data.id);
    expect(run.requestText).toBe('Over the socket');
    expect(run.events[0].sequenceNumber).toBe(1);
  });
});
