import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { isPostgresUrl, parseEnv, redactDatabaseUrl, type Env } from './env.ts';
import { bootstrap, type Baton } from './bootstrap.ts';
import { listOutbox, probeSandbox, sandboxNotes } from '@baton/core';
import { copySqliteToPostgres, probePostgres, type CopyProgress } from '@baton/db';

const USAGE = `Usage: baton [--data-dir DIR] <command>

Commands:
  outbox [--limit N]   Print mail kept in the local outbox (password resets when no SMTP server is set)
  doctor               Check this installation: Node, data dir and database, agent sandbox, driver
  db copy --to URL     Copy the data dir's SQLite database (baton.db) into an empty PostgreSQL
                       database (postgres://user:password@host:5432/database), keeping its history
  help                 Show this help

Options:
  --data-dir DIR       The server's data dir (default: BATON_DATA_DIR, else ./data)

Reads the same environment as the server (BATON_DATA_DIR, BATON_DATABASE_URL, BATON_SANDBOX, …) and
resolves the data dir the same way: relative to the current directory, which for \`npm start\` and
\`npm run cli\` is the repository root. With BATON_DATABASE_URL set, outbox and doctor use that
PostgreSQL database. It never creates a database: start the server once first.`;

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

/** One line, whatever the error carried (no stack), with the database password left out. */
function oneLine(message: string, secrets: Array<string | undefined> = []): string {
  let out = message.replace(/\s*\n\s*/g, ' ').trim();
  for (const s of secrets) if (s) out = out.split(s).join('***');
  return out;
}

/** The password of a postgres:// URL, raw and decoded, so that messages can be scrubbed of it. */
function passwordsOf(url: string | undefined): string[] {
  if (!url) return [];
  try {
    const raw = new URL(url).password;
    if (!raw) return [];
    let decoded = raw;
    try {
      decoded = decodeURIComponent(raw);
    } catch {
      /* keep the raw form */
    }
    return [...new Set([raw, decoded])];
  } catch {
    return [];
  }
}

/** Opens the server's database, or says why not; never creates one (bootstrap would). */
async function openExisting(env: Env): Promise<Baton | null> {
  const secrets = passwordsOf(env.BATON_DATABASE_URL);
  if (env.BATON_DATABASE_URL) {
    // Postgres: the database itself exists; it is Baton's once the server has migrated it.
    const probe = await probePostgres(env.BATON_DATABASE_URL);
    if (!probe.answers) {
      process.stderr.write(`The database at ${env.databaseLabel} does not answer: ${oneLine(probe.error ?? 'no answer', secrets)}\n`);
      return null;
    }
    if (probe.migrations?.newest === 'none') {
      process.stderr.write(`No Baton database at ${env.databaseLabel}: it has no Baton tables yet. Start the server on it once, or copy a SQLite database into it with \`db copy\`.\n`);
      return null;
    }
  } else if (!existsSync(env.databaseFile)) {
    process.stderr.write(missingDatabase(env) + '\n');
    return null;
  }
  try {
    return await bootstrap(env, { logger: quietLogger });
  } catch (e) {
    process.stderr.write(`Baton could not open its database: ${oneLine((e as Error)?.message ?? String(e), secrets)}\n`);
    return null;
  }
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

  // A missing data dir is reported once, as the missing database below. On Postgres it holds only
  // agent workspaces, made when a run first needs one.
  if (existsSync(env.dataDir)) line('data dir', 'ok', env.dataDir);
  else if (env.BATON_DATABASE_URL) line('data dir', 'ok', `${env.dataDir} (agent workspaces; made when a run first needs one)`);
  else line('data dir', 'warn', `${env.dataDir} (does not exist)`);
  if (env.BATON_DATABASE_URL) {
    line('engine', 'ok', 'postgres (BATON_DATABASE_URL)');
    const probe = await probePostgres(env.BATON_DATABASE_URL);
    const where = env.databaseLabel;
    if (!probe.answers) {
      line(
        'database',
        'FAIL',
        `${where} does not answer: ${oneLine(probe.error ?? 'no answer', passwordsOf(env.BATON_DATABASE_URL))}. Check that PostgreSQL is running and the database exists (createdb), or fix BATON_DATABASE_URL.`,
      );
    }
    else if (probe.migrations?.newest === 'newer') line('database', 'FAIL', `${where} answers, but a newer version of Baton migrated it; upgrade Baton`);
    else if (probe.migrations?.newest === 'none') line('database', 'warn', `${where} answers; no Baton tables yet (the server creates them at its first start)`);
    else if (probe.migrations?.newest === 'older') line('database', 'warn', `${where} answers; the server applies this version's new migrations at start`);
    else line('database', 'ok', `${where} answers; migrations up to date`);
  } else {
    line('engine', 'ok', 'sqlite (BATON_DATABASE_URL unset)');
    if (existsSync(env.databaseFile)) line('database', 'ok', env.databaseFile);
    else line('database', 'FAIL', missingDatabase(env));
  }

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

const POSTGRES_URL_EXAMPLE = 'postgres://baton:secret@db.internal:5432/baton';

/** `db copy --to URL`: the data dir's baton.db into an empty Postgres database. */
async function dbCopy(env: Env, rest: string[]): Promise<number> {
  let to: string | undefined;
  for (let i = 0; i < rest.length; i++) {
    const a = rest[i]!;
    if (a === '--to') to = rest[++i];
    else if (a.startsWith('--to=')) to = a.slice('--to='.length);
    else {
      process.stderr.write(`db copy: unexpected argument "${a.startsWith('postgres') ? 'postgres://…' : a}". Usage: db copy --to ${POSTGRES_URL_EXAMPLE}\n`);
      return 2;
    }
  }
  to = to?.trim();
  if (!to) {
    process.stderr.write(`db copy needs --to URL, the PostgreSQL database to copy into, e.g. --to ${POSTGRES_URL_EXAMPLE}\n`);
    return 2;
  }
  // The value is not echoed: a mistyped URL may still hold a password.
  if (!isPostgresUrl(to)) {
    process.stderr.write(`db copy: --to must be a postgres:// URL such as ${POSTGRES_URL_EXAMPLE}\n`);
    return 2;
  }
  if (!existsSync(env.databaseFile)) {
    process.stderr.write(missingDatabase(env) + '\n');
    return 1;
  }
  const target = redactDatabaseUrl(to);
  const out = (s: string) => process.stdout.write(s + '\n');
  out(`Copying ${env.databaseFile}`);
  out(`     to ${target}`);
  // A line per table when it is done, and one every PROGRESS_STEP rows of a big one meanwhile.
  const PROGRESS_STEP = 100_000;
  let reported = 0;
  const onProgress = (p: CopyProgress) => {
    if (p.kind === 'migrated') out("Target migrated (Baton's PostgreSQL schema applied).");
    else if (p.kind === 'snapshot') out(`Source snapshot: ${p.tables} tables, ${p.rows} rows.`);
    else if (p.kind === 'table') {
      const at = `  [${String(p.index).padStart(String(p.tables).length)}/${p.tables}] ${p.table.padEnd(24)}`;
      if (p.done) {
        out(`${at} ${String(p.copied).padStart(9)} rows`);
        reported = 0;
      } else if (p.copied - reported >= PROGRESS_STEP) {
        out(`${at} ${String(p.copied).padStart(9)} of ${p.total} rows…`);
        reported = p.copied;
      }
    } else if (p.kind === 'verified') out('Verified: every table holds as many rows as the source snapshot.');
  };
  let result;
  try {
    result = await copySqliteToPostgres({ sqliteFile: env.databaseFile, postgresUrl: to, onProgress });
  } catch (e) {
    process.stderr.write(`db copy failed: ${oneLine((e as Error)?.message ?? String(e), passwordsOf(to))}\n`);
    return 1;
  }
  const width = Math.max(5, ...result.tables.map((t) => t.table.length));
  const rowsWidth = Math.max(4, String(result.totalRows).length);
  out('');
  out(`${'table'.padEnd(width)}  ${'rows'.padStart(rowsWidth)}`);
  for (const t of result.tables) out(`${t.table.padEnd(width)}  ${String(t.rows).padStart(rowsWidth)}`);
  out(`${'total'.padEnd(width)}  ${String(result.totalRows).padStart(rowsWidth)}`);
  out('');
  out(`Done: copied the database as it was at ${result.snapshotAt}. Writes made to it after that are not in the copy.`);
  const secretFile = join(env.dataDir, 'secret.key');
  out(
    `Next: start Baton with BATON_DATABASE_URL=${target} and BATON_SECRET_KEY set${existsSync(secretFile) ? ` (to keep what this install derived from its key, use the key in ${secretFile})` : ''}.`,
  );
  return 0;
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
  const dbCommand = cmd === 'db' ? rest[0] : undefined;
  if (cmd === 'db' && dbCommand !== 'copy') {
    process.stderr.write(`${dbCommand ? `Unknown command "db ${dbCommand}"` : 'db needs a command: copy'}.\n\n${USAGE}\n`);
    return 2;
  }
  if (cmd !== 'outbox' && cmd !== 'doctor' && cmd !== 'db') {
    process.stderr.write(`Unknown command "${cmd}".\n\n${USAGE}\n`);
    return 2;
  }
  const source: NodeJS.ProcessEnv = dataDir === undefined ? { ...process.env } : { ...process.env, BATON_DATA_DIR: dataDir };
  // db copy reads the data dir's SQLite database whatever BATON_DATABASE_URL says; its target is --to.
  if (cmd === 'db') delete source.BATON_DATABASE_URL;
  let env: Env;
  try {
    env = parseEnv(source);
  } catch (e) {
    process.stderr.write(`${(e as Error).message}\n`);
    return 2;
  }
  if (cmd === 'db') return dbCopy(env, rest.slice(1));
  return cmd === 'outbox' ? outbox(env, rest) : doctor(env);
}

process.exitCode = await main(process.argv.slice(2));
