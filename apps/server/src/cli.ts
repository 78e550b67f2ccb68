import { parseEnv } from './env.ts';
import { bootstrap } from './bootstrap.ts';
import { listOutbox } from '@baton/core';

const USAGE = `Usage: baton <command>

Commands:
  outbox [--limit N]   Print mail kept in the local outbox (password resets when no SMTP server is set)
  help                 Show this help

Reads the same environment as the server (BATON_DATA_DIR, …).`;

async function main(argv: string[]) {
  const [cmd, ...rest] = argv;
  if (!cmd || cmd === 'help' || cmd === '--help') {
    process.stdout.write(USAGE + '\n');
    return 0;
  }
  const env = parseEnv();
  if (cmd === 'outbox') {
    const i = rest.indexOf('--limit');
    const limit = i >= 0 ? Number(rest[i + 1]) : 20;
    if (!Number.isInteger(limit) || limit < 1) {
      process.stderr.write('--limit takes a positive whole number\n');
      return 2;
    }
    const baton = bootstrap(env, { logger: { info() {}, warn() {}, error() {} } });
    try {
      const mails = listOutbox(baton.core, limit);
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
  process.stderr.write(`Unknown command "${cmd}".\n\n${USAGE}\n`);
  return 2;
}

process.exitCode = await main(process.argv.slice(2));
