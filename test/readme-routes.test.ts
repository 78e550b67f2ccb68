import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MK_SPEC, RELAY_SPEC } from './helpers/contract.ts';
import { client, type Call } from './helpers/client.ts';
import { startTestServer, type TestServer } from './helpers/server.ts';

/**
 * The README's "What is not built yet" table and the server agree: every contract operation it lists
 * answers 501, and every other documented operation does not.
 */
const README = readFileSync(fileURLToPath(new URL('../README.md', import.meta.url)), 'utf8');

function listedAsUnbuilt(api: 'MightyKey' | 'Flow Relay'): Set<string> {
  const section = README.slice(README.indexOf('## What is not built yet'));
  const row = section.split('\n').find((l) => l.startsWith(`| ${api}`));
  if (!row) throw new Error(`README has no "${api}" row under "What is not built yet"`);
  return new Set([...row.matchAll(/`(GET|POST|PUT|PATCH|DELETE) (\/[^`]*)`/g)].map((m) => `${m[1]} ${m[2]}`));
}

function operations(spec: { paths: Record<string, Record<string, unknown>> }): string[] {
  const out: string[] = [];
  for (const [path, item] of Object.entries(spec.paths)) {
    for (const method of Object.keys(item)) if (['get', 'post', 'put', 'patch', 'delete'].includes(method)) out.push(`${method.toUpperCase()} ${path}`);
  }
  return out;
}

const concrete = (path: string) => path.replace(/\{[^}]+\}/g, '6f1c1f9e-7b1a-4c1e-9a53-0d1c2b3a4f5e');

let srv: TestServer;
let call: Call;
beforeAll(async () => {
  srv = await startTestServer({ BATON_ENGINE_PAUSED: 'true' });
  call = client(srv.url);
});
afterAll(() => srv.close());

describe('README "What is not built yet"', () => {
  for (const [api, base, spec] of [
    ['MightyKey', '/api/v1', MK_SPEC],
    ['Flow Relay', '/relay/api/v1', RELAY_SPEC],
  ] as const) {
    it(`${api}: exactly the listed operations answer 501`, async () => {
      const listed = listedAsUnbuilt(api);
      const ops = operations(spec);
      // Every listed operation is one the contract documents (no typo hides a route).
      for (const op of listed) expect(ops, `README lists ${op}, which ${api} does not document`).toContain(op);
      const answers: Record<string, boolean> = {};
      for (const op of ops) {
        const [method, path] = op.split(' ') as [string, string];
        const r = await call(method, base + concrete(path), method === 'GET' || method === 'DELETE' ? {} : { body: {} });
        expect(r.status, `${op} answered ${r.status}`).not.toBe(500);
        answers[op] = r.status === 501;
      }
      const expected = Object.fromEntries(ops.map((op) => [op, listed.has(op)]));
      expect(answers).toEqual(expected);
    });
  }
});
