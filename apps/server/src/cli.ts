import { existsSync } from 'node:fs';
import { parseEnv, type Env } from './env.ts';
import { bootstrap, type Baton } from './bootstrap.ts';
import { listOutbox, probeSandbox, sandboxNotes } from '@baton/core';

const USAGE = `Usage: baton [--data-dir DIR] <command>

Commands:
  outbox [--limit N]   Print mail kept in the local outbox (password resets when no SMTP server is set)
  doctor               Check this installation: Node, data dir and database, agent sandbox, driver
  help                 Show this help

Options:
  --data-dir DIR       The server's data dir (default: BATON_DATA_DIR, else ./data)

Reads the same environment as the server (BATON_DATA_DIR, BATON_SANDBOX, …) and resolves the data
dir the same way: relative to the current directory, which for \`npm start\` and \`npm run cli\` is
the repository root. It never creates a database: start the server once first.`;

/** package.json "engines". */
const MIN_NODE: [number, number] = [20, 19];

const quietLogger = { info() {}, warn() {}, error() {} };

function missingDatabase(env: Env): string {
  return `No Baton database at ${env.databaseFile}. Start the server once (npm start) or pass --data-dir / BATON_DATA_DIR.`;
}

/** Takes `--data-dir DIR` / `--data-dir=DIR` out of argv, wherever it is. */
function takeDataDir(argv: string[]): { rest: string[]; dataDir?: string; error?: string } {
  const rest: string[] = [];
  let dataDir: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--data-dir') {
      const v = argv[++i];
      if (!v) return { rest, error: '--data-dir takes a directory' };
      dataDir = v;
    } else if (a.startsWith('--data-dir=')) dataDir = a.slice('--data-dir='.length);
    else rest.push(a);
  }
  return { rest, dataDir };
}

/** Opens the server's database, or says why not; never creates one (bootstrap would). */
async function openExisting(env: Env): Promise<Baton | null> {
  if (!existsSync(env.databaseFile)) {
    process.stderr.write(missingDatabase(env) + '\n');
    return null;
  }
  return bootstrap(env, { logger: quietLogger });
}

async function outbox(env: Env, rest: string[]): Promise<number> {
  const i = rest.indexOf('--limit');
  const limit = i >= 0 ? Number(rest[i + 1]) : 20;
  if (!Number.isInteger(limit) || limit < 1) {
    process.stderr.write('--limit takes a positive whole number\n');
    return 2;
  }
  const baton = await openExisting(env);
  if (!baton) return 1;
  try {
    const mails = await listOutbox(baton.core, limit);
    if (!mails.length) process.stdout.write('The outbox is empty.\n');
    for (const m of mails) {
      process.stdout.write(`--- ${m.createdAt}  to: ${m.to}  via: ${m.transport}${m.error ? `  (send failed: ${m.error})` : ''}\n`);
      process.stdout.write(`Subject: ${m.subject}\n\n${m.text}\n`);
    }
  } finally {
    await baton.close();
  }
  return 0;
}

/** Reports what an operator needs to know before trusting this install; exit 1 when something is wrong. */
async function doctor(env: Env): Promise<number> {
  let problems = 0;
  const line = (label: string, verdict: 'ok' | 'warn' | 'FAIL', text: string) => {
    if (verdict === 'FAIL') problems++;
    process.stdout.write(`${label.padEnd(10)} ${verdict.padEnd(4)}  ${text}\n`);
  };
  process.stdout.write('Baton doctor\n');

  const [major, minor] = process.versions.node.split('.').map(Number) as [number, number];
  const nodeOk = major > MIN_NODE[0] || (major === MIN_NODE[0] && minor >= MIN_NODE[1]);
  line('node', nodeOk ? 'ok' : 'FAIL', `${process.version}${nodeOk ? '' : ` (Baton needs ${MIN_NODE.join('.')} or later)`}`);

  // A missing data dir is reported once, as the missing database below.
  line('data dir', existsSync(env.dataDir) ? 'ok' : 'warn', `${env.dataDir}${existsSync(env.dataDir) ? '' : ' (does not exist)'}`);
  if (existsSync(env.databaseFile)) line('database', 'ok', env.databaseFile);
  else line('database', 'FAIL', missingDatabase(env));

  if (env.BATON_SANDBOX === 'off') {
    line('sandbox', 'warn', 'off (BATON_SANDBOX=off): agent commands run on this host without the bubblewrap sandbox');
  } else {
    const s = await probeSandbox();
    if (s.ok) {
      line('sandbox', 'ok', `on: ${s.version} at ${s.bwrapPath} works`);
      for (const note of sandboxNotes()) line('', 'warn', note);
    } else line('sandbox', 'FAIL', `on, but unusable, so agent commands are refused: ${s.error}`);
  }

  if (env.driver === 'openai') line('driver', 'ok', `openai: model ${env.BATON_LLM_MODEL} at ${env.BATON_LLM_URL}${env.BATON_LLM_API_KEY ? ' (with an API key)' : ''}`);
  else line('driver', 'ok', 'local (deterministic, offline)');

  process.stdout.write(problems ? `\n${problems} problem(s) found.\n` : '\nAll checks passed.\n');
  return problems ? 1 : 0;
}

async function main(argv: string[]): Promise<number> {
  const { rest: args, dataDir, error } = takeDataDir(argv);
  if (error) {
    process.stderr.write(`${error}\n\n${USAGE}\n`);
    return 2;
  }
  const [cmd, ...rest] = args;
  if (!cmd || cmd === 'help' || cmd === '--help') {
    process.stdout.write(USAGE + '\n');
    return 0;
  }
  if (cmd !== 'outbox' && cmd !== 'doctor') {
    process.stderr.write(`Unknown command "${cmd}".\n\n${USAGE}\n`);
    return 2;
  }
  let env: Env;
  try {
    env = parseEnv(dataDir === undefined ? process.env : { ...process.env, BATON_DATA_DIR: dataDir });
  } catch (e) {
    process.stderr.write(`${(e as Error).message}\n`);
    return 2;
  }
  return cmd === 'outbox' ? outbox(env, rest) : doctor(env);
}

process.exitCode = await main(process.argv.slice(2));
