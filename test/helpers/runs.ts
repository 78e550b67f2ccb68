import type { Call } from './client.ts';

export type Auth = { cookie?: string; token?: string; headers?: Record<string, string> };

export async function getRun(call: Call, auth: Auth, runId: string) {
  const res = await call('GET', `/api/v1/runs/${runId}`, auth);
  if (res.status !== 200) throw new Error(`GET run ${runId}: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body.data;
}

/** Polls GET /runs/{id} until `until` holds (default: the run has ended). */
export async function waitForRun(call: Call, auth: Auth, runId: string, until: (run: any) => boolean = (r) => ['completed', 'failed', 'cancelled'].includes(r.status), timeoutMs = 20_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const run = await getRun(call, auth, runId);
    if (until(run)) return run;
    if (Date.now() > deadline) throw new Error(`run ${runId} is still ${run.status} (${run.errorMessage ?? ''}); events: ${run.events.map((e: any) => e.eventType).join(', ')}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

export const pendingApproval = (run: any) => run.approvals.find((a: any) => a.status === 'pending');
export const waitForApproval = (call: Call, auth: Auth, runId: string, timeoutMs?: number) =>
  waitForRun(call, auth, runId, (r) => Boolean(pendingApproval(r)) || ['completed', 'failed', 'cancelled'].includes(r.status), timeoutMs);

/** Approves every pending action until the run ends; returns the run and how many approvals it took. */
export async function approveUntilDone(call: Call, auth: Auth, runId: string) {
  let approvals = 0;
  for (;;) {
    const run = await waitForApproval(call, auth, runId);
    const pending = pendingApproval(run);
    if (!pending) return { run, approvals };
    const res = await call('POST', `/api/v1/runs/${runId}/approve`, { ...auth, body: { approvalId: pending.id } });
    if (res.status !== 200) throw new Error(`approve: ${res.status} ${JSON.stringify(res.body)}`);
    approvals++;
  }
}

export async function setAutonomy(call: Call, auth: Auth, orgId: string, level: 'observe' | 'assist' | 'act' | 'autopilot') {
  const res = await call('PATCH', `/api/v1/orgs/${orgId}`, { ...auth, body: { autonomyLevel: level } });
  if (res.status !== 200) throw new Error(`set autonomy: ${res.status} ${JSON.stringify(res.body)}`);
}

/** Points a project's environment at a URL and a deploy hook (the extension endpoint). */
export async function configureEnvironment(call: Call, auth: Auth, projectId: string, name: string, config: { url?: string | null; deployHookUrl?: string | null }) {
  const envs = await call('GET', `/api/v1/projects/${projectId}/environments`, auth);
  const env = envs.body.data.environments.find((e: any) => e.name === name);
  const res = await call('PATCH', `/api/v1/projects/${projectId}/environments/${env.id}`, { ...auth, body: config });
  if (res.status !== 200) throw new Error(`configure env: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body.data;
}

export async function createRunVia(call: Call, auth: Auth, body: { requestText: string; projectId?: string }) {
  const res = await call('POST', '/api/v1/runs', { ...auth, body });
  if (res.status !== 201) throw new Error(`create run: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body.data;
}

/** Sequence numbers 1..n with no gap and no duplicate. */
export function assertContiguous(seqs: number[]): void {
  seqs.forEach((s, i) => {
    if (s !== i + 1) throw new Error(`sequence broken at index ${i}: ${seqs.join(',')}`);
  });
}
