import { createServer } from 'node:http';
import { parseEnv } from './env.ts';
import { bootstrap } from './bootstrap.ts';
import { createApp } from './app.ts';

function main() {
  let env;
  try {
    env = parseEnv();
  } catch (e) {
    process.stderr.write(`${(e as Error).message}\n`);
    process.exit(2);
  }
  const baton = bootstrap(env);
  const server = createServer(createApp({ deps: baton.deps }));
  server.keepAliveTimeout = 65_000;
  baton.start();
  server.listen(env.PORT, env.HOST, () => {
    const addr = server.address();
    const port = typeof addr === 'object' && addr ? addr.port : env.PORT;
    baton.core.logger.info(`Baton listening on http://${env.HOST === '0.0.0.0' ? 'localhost' : env.HOST}:${port}`, {
      dataDir: env.dataDir,
      docs: `/docs`,
    });
  });
  const shutdown = (signal: string) => {
    baton.core.logger.info(`received ${signal}, shutting down`);
    server.close(() => {
      void baton.close().then(() => process.exit(0));
    });
    server.closeAllConnections();
    setTimeout(() => process.exit(0), 5000).unref();
  };
  process.on('SIGINT', () => shutdown('SIGINT'));
  process.on('SIGTERM', () => shutdown('SIGTERM'));
}

main();
