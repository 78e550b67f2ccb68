import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serverSql, startTestServer, type TestServer } from '../../../test/helpers/server.ts';
import { client, type Call } from '../../../test/helpers/client.ts';
import { createApiKey, createProject, createUser } from '../../../test/helpers/factories.ts';
import { createRunVia, setAutonomy, waitForRun } from '../../../test/helpers/runs.ts';

/*
 * A cancel and the engine's next step on the same run, at the same moment. Both read the run, decide
 * and write it; without a row lock on Postgres (READ COMMITTED) the step could read "intake", the
 * cancel commit "cancelled", and the step then write its next stage over it: a cancelled run that
 * carried on (seen once by a browser test). Each must see what the other committed.
 */
let srv: TestServer;
let call: Call;

beforeAll(async () => {
  srv = await startTestServer();
  call = client(srv.url);
});
afterAll(async () => {
  await srv?.close();
});

describe('cancel racing the engine', () => {
  it('a run cancelled while the engine advances it stays cancelled, with nothing written after its end', async () => {
    const user = await createUser(call);
    const auth = { token: (await createApiKey(call, user, 'mk_live')).key };
    // Autopilot: nothing waits for a person, so the engine steps each run as fast as it can.
    await setAutonomy(call, auth, user.orgId, 'autopilot');
    const project = await createProject(call, auth);
    const created = await Promise.all(Array.from({ length: 16 }, (_, i) => createRunVia(call, auth, { requestText: `race ${i}`, projectId: project.id })));
    // Cancel each at once, while its first steps are being taken.
    const cancels = await Promise.all(created.map((r) => call('POST', `/api/v1/runs/${r.id}/cancel`, { ...auth, body: { reason: 'race' } })));
    for (const c of cancels) {
      // A run the engine already finished cannot be cancelled (400); every other cancel succeeds.
      expect([200, 400]).toContain(c.status);
    }
    for (const [i, r] of created.entries()) {
      const run = await waitForRun(call, auth, r.id);
      const events = run.events as Array<{ sequenceNumber: number; eventType: string; data: Record<string, unknown> }>;
      expect(events.map((e) => e.sequenceNumber)).toEqual(events.map((_, j) => j + 1));
      const transitions = events.filter((e) => e.eventType === 'stage_transition');
      // One unbroken chain of stages: each starts where the last one ended.
      for (let j = 1; j < transitions.length; j++) expect(transitions[j]!.data.from).toBe(transitions[j - 1]!.data.to);
      const last = transitions[transitions.length - 1]!;
      expect(last.data.to).toBe(run.status);
      if (cancels[i]!.status === 200) {
        expect(run.status).toBe('cancelled');
        // Nothing of the engine after the run ended.
        expect(events[events.length - 1]!.sequenceNumber).toBe(last.sequenceNumber);
      } else {
        expect(run.status).toBe('completed');
      }
    }
    // The engine left nothing queued or leased for these runs.
    const open = await serverSql(srv).get<{ n: number }>(
      `SELECT count(*) AS n FROM jobs WHERE status IN ('queued', 'leased') AND key IN (${created.map(() => '?').join(', ')})`,
      ...created.map((r) => `run:${r.id}`),
    );
    expect(Number(open!.n)).toBe(0);
  });
});
