import { eq } from 'drizzle-orm';
import { projectEnvironments } from '@baton/db';
import { checkCommand, runCommand } from './command.ts';
import { requireString, ToolArgumentError, type EnvironmentRow, type Tool, type ToolContext } from './tool.ts';
import { listFiles, readWorkspaceFile, writeWorkspaceFile } from './workspace.ts';
import { OutboundUrlError, safeFetch, type SafeFetchInit } from '../../net/outbound-url.ts';

const listFilesTool: Tool<{ path: string }> = {
  name: 'list_files',
  risk: 'read',
  description: 'List files in the project workspace (recursively, up to 500 entries).',
  parameters: { type: 'object', properties: { path: { type: 'string', description: 'Directory relative to the workspace; default "."' } } },
  parseArgs: (raw) => ({ path: requireString(raw, 'path', { optional: true, max: 1000 }) || '.' }),
  summarize: (a) => `List files under ${a.path}`,
  undoPlan: () => null,
  async run(a, t) {
    const { files, truncated } = await listFiles(t.workspace, a.path);
    return { ok: true, summary: `${files.length} file(s)${truncated ? ' (truncated)' : ''}`, output: { files, truncated } };
  },
};

const readFileTool: Tool<{ path: string }> = {
  name: 'read_file',
  risk: 'read',
  description: 'Read a text file from the project workspace.',
  parameters: { type: 'object', properties: { path: { type: 'string' } }, required: ['path'] },
  parseArgs: (raw) => ({ path: requireString(raw, 'path', { max: 1000 }) }),
  summarize: (a) => `Read ${a.path}`,
  undoPlan: () => null,
  async run(a, t) {
    const r = await readWorkspaceFile(t.workspace, a.path, t.config.maxOutputBytes);
    if (!r.exists) return { ok: false, summary: `${a.path} does not exist`, output: { exists: false } };
    return { ok: true, summary: `${r.bytes} bytes`, output: r };
  },
};

const writeFileTool: Tool<{ path: string; content: string }> = {
  name: 'write_file',
  risk: 'write',
  description: 'Create or overwrite a text file in the project workspace.',
  parameters: { type: 'object', properties: { path: { type: 'string' }, content: { type: 'string' } }, required: ['path', 'content'] },
  parseArgs: (raw) => ({ path: requireString(raw, 'path', { max: 1000 }), content: requireString(raw, 'content', { max: 1_000_000 }) }),
  summarize: (a) => `Write ${Buffer.byteLength(a.content)} bytes to ${a.path}`,
  undoPlan: (a) => `Restore ${a.path} from version control, or delete it if it was created by this run.`,
  async run(a, t) {
    const r = await writeWorkspaceFile(t.workspace, a.path, a.content);
    return { ok: true, summary: `${r.created ? 'Created' : 'Updated'} ${a.path} (${r.bytes} bytes)`, output: r };
  },
};

const runCommandTool: Tool<{ command: string[]; timeoutMs: number }> = {
  name: 'run_command',
  risk: 'write',
  description: 'Run an allowlisted command (no shell) in the project workspace, inside a sandbox with no network, with a timeout and capped output.',
  parameters: {
    type: 'object',
    properties: {
      command: { type: 'array', items: { type: 'string' }, description: 'argv, e.g. ["ls", "-la"]' },
      timeoutMs: { type: 'integer', description: 'Optional timeout in milliseconds' },
    },
    required: ['command'],
  },
  parseArgs(raw) {
    const r = raw as { command?: unknown; timeoutMs?: unknown };
    const timeoutMs = r?.timeoutMs === undefined ? 0 : Number(r.timeoutMs);
    if (!Number.isInteger(timeoutMs) || timeoutMs < 0) throw new ToolArgumentError('timeoutMs must be a positive integer');
    return { command: r?.command as string[], timeoutMs };
  },
  summarize: (a) => `Run \`${(a.command ?? []).join(' ')}\``,
  undoPlan: () => 'Commands run only inside the project workspace; restore it from version control if needed.',
  async run(a, t) {
    const argv = checkCommand(a.command, t.config.commandAllowlist);
    const timeoutMs = Math.min(a.timeoutMs || t.config.commandTimeoutMs, t.config.commandTimeoutMs);
    // The sandbox is the boundary; checkCommand only turns away the obvious. No network is granted to agent commands.
    const r = await runCommand(argv, { cwd: t.workspace, timeoutMs, maxOutputBytes: t.config.maxOutputBytes, signal: t.signal, sandbox: t.config.sandbox ? { network: false } : false });
    const ok = r.exitCode === 0 && !r.timedOut && !r.killed;
    const why = r.killed ? 'killed' : r.timedOut ? `timed out after ${timeoutMs} ms` : `exited with ${r.exitCode ?? r.signal}`;
    return { ok, summary: `\`${argv.join(' ')}\` ${why}`, output: { ...r, command: argv } };
  },
};

function findEnvironment(t: ToolContext, name: string): EnvironmentRow {
  const env = t.environments.find((e) => e.name === name);
  if (!env) throw new ToolArgumentError(`the project has no environment "${name}"`);
  return env;
}

/**
 * Calls a user-entered URL through the SSRF guard (resolved addresses checked, redirects checked per
 * hop). `what` names the URL in a refusal: "deploy hook address 10.0.0.5 is private; …".
 */
async function httpCall(url: string, init: SafeFetchInit, t: ToolContext, what: string) {
  const signal = AbortSignal.any([t.signal, AbortSignal.timeout(t.config.httpTimeoutMs)]);
  const started = Date.now();
  try {
    const res = await safeFetch(url, init, { allowPrivate: t.config.allowPrivateUrls, signal, maxResponseBytes: 64 * 1024 });
    const body = (await res.text()).slice(0, 4000);
    return { status: res.status, ok: res.ok, body, durationMs: Date.now() - started, error: null as string | null, refused: false };
  } catch (e) {
    const refused = e instanceof OutboundUrlError;
    const error = refused ? `${what} ${e.message}` : e instanceof Error ? e.message : String(e);
    return { status: 0, ok: false, body: '', durationMs: Date.now() - started, error, refused };
  }
}

const deployTool: Tool<{ environment: string }> = {
  name: 'deploy',
  risk: 'deploy',
  description: "Trigger the deploy hook URL configured for one of the project's environments.",
  parameters: { type: 'object', properties: { environment: { type: 'string' } }, required: ['environment'] },
  parseArgs: (raw) => ({ environment: requireString(raw, 'environment', { max: 100 }) }),
  summarize: (a) => `Deploy to ${a.environment}`,
  undoPlan: (a) => `Redeploy the previous release to ${a.environment} through its deploy hook, or roll back in the hosting provider.`,
  async run(a, t) {
    const env = findEnvironment(t, a.environment);
    if (!env.deployHookUrl) throw new ToolArgumentError(`environment "${a.environment}" has no deploy hook URL`);
    const now = () => t.core.now().toISOString();
    await t.write(async (core) => {
      await core.db.update(projectEnvironments).set({ status: 'deploying', updatedAt: now() }).where(eq(projectEnvironments.id, env.id));
    });
    const r = await httpCall(env.deployHookUrl, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ runId: t.runId, environment: env.name }) }, t, 'deploy hook');
    await t.write(async (core) => {
      await core.db
        .update(projectEnvironments)
        // A refused hook was never called: the environment is as it was.
        .set(r.ok ? { status: 'active', lastDeployedAt: now(), updatedAt: now() } : r.refused ? { status: env.status, updatedAt: now() } : { status: 'failed', updatedAt: now() })
        .where(eq(projectEnvironments.id, env.id));
    });
    const summary = r.ok ? `Deploy hook for ${env.name} answered ${r.status}` : r.refused ? `Deploy to ${env.name} refused: ${r.error}` : `Deploy to ${env.name} failed: ${r.error ?? `HTTP ${r.status}`}`;
    return { ok: r.ok, summary, output: r };
  },
};

const healthCheckTool: Tool<{ environment: string }> = {
  name: 'health_check',
  risk: 'external',
  description: "GET the URL of one of the project's environments and record its health.",
  parameters: { type: 'object', properties: { environment: { type: 'string' } }, required: ['environment'] },
  parseArgs: (raw) => ({ environment: requireString(raw, 'environment', { max: 100 }) }),
  summarize: (a) => `Health-check ${a.environment}`,
  undoPlan: () => null,
  async run(a, t) {
    const env = findEnvironment(t, a.environment);
    if (!env.url) throw new ToolArgumentError(`environment "${a.environment}" has no URL`);
    const r = await httpCall(env.url, { method: 'GET' }, t, 'environment URL');
    // Nothing was asked, so nothing is known about its health.
    if (r.refused) return { ok: false, summary: `Health check of ${env.name} refused: ${r.error}`, output: { ...r, health: null } };
    const health = r.ok ? 'healthy' : r.status >= 500 || r.status === 0 ? 'down' : 'degraded';
    const now = t.core.now().toISOString();
    await t.write(async (core) => {
      await core.db.update(projectEnvironments).set({ healthStatus: health, healthCheckedAt: now, updatedAt: now }).where(eq(projectEnvironments.id, env.id));
    });
    return { ok: r.ok, summary: `${env.name} is ${health} (${r.error ?? `HTTP ${r.status}`})`, output: { ...r, health } };
  },
};

export const TOOLS: Record<string, Tool<any>> = Object.fromEntries(
  [listFilesTool, readFileTool, writeFileTool, runCommandTool, deployTool, healthCheckTool].map((t) => [t.name, t]),
);

export function getTool(name: string): Tool<any> {
  const tool = TOOLS[name];
  if (!tool) throw new ToolArgumentError(`unknown tool "${name}" (available: ${Object.keys(TOOLS).join(', ')})`);
  return tool;
}
