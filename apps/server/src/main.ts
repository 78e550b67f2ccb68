import { createServer } from 'node:http';
import { parseEnv } from './env.ts';
import { bootstrap } from './bootstrap.ts';
import { createApp } from './app.ts';
import { probeSandbox, sandboxNotes, type Logger } from '@baton/core';

/**
 * Says at every start how agent commands are confined. Running them unsandboxed is a choice the
 * operator made (BATON_SANDBOX=off) or a missing package; either way it must not go unnoticed.
 */
async function reportSandbox(enabled: boolean, logger: Logger): Promise<void> {
  if (!enabled) {
    logger.warn(
      'BATON_SANDBOX=off: agent commands (run_command) run directly on this host, without the bubblewrap sandbox. A model can then read, write and run anything this user can. Unset BATON_SANDBOX (default on) once bubblewrap is installed.',
    );
    return;
  }
  const status = await probeSandbox();
  if (!status.ok) {
    logger.warn(`Sandbox unavailable, so every run_command will be refused: ${status.error}`);
    return;
  }
  logger.info(`Agent commands run in the bubblewrap sandbox (${status.version} at ${status.bwrapPath})`);
  for (const note of sandboxNotes()) logger.warn(note);
}

async function main() {
  let env;
  try {
    env = parseEnv();
  } catch (e) {
    process.stderr.write(`${(e as Error).message}\n`);
    process.exit(2);
  }
  let baton;
  try {
    baton = await bootstrap(env);
  } catch (e) {
    // A database Baton cannot use (migrated by a newer version, unreadable, …): say so, no stack.
    process.stderr.write(`Baton could not open its database: ${(e as Error).message}\n`);
    process.exit(1);
  }
  const server = createServer(createApp({ deps: baton.deps }));
  server.keepAliveTimeout = 65_000;
  await baton.start();
  void reportSandbox(baton.core.config.engine.sandbox, baton.core.logger);
  server.listen(env.PORT, env.HOST, () => {
    const addr = server.address();
    const port = typeof addr === 'object' && addr ? addr.port : env.PORT;
    baton.core.logger.info(`Baton listening on http://${env.HOST === '0.0.0.0' ? 'localhost' : env.HOST}:${port}`, {
      node: env.nodeId,
      database: env.databaseLabel,
      dataDir: env.dataDir,
      docs: `/docs`,
    });
  });
  const shutdown = (signal: string) => {
    baton!.core.logger.info(`received ${signal}, shutting down`);
    server.close(() => {
      void baton!.close().then(() => process.exit(0));
    });
    server.closeAllConnections();
    setTimeout(() => process.exit(0), 5000).unref();
  };
  process.on('SIGINT', () => shutdown('SIGINT'));
  process.on('SIGTERM', () => shutdown('SIGTERM'));
}

void main();
