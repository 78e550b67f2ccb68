import { z } from 'zod';
import { resolve } from 'node:path';

const ZEnv = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  HOST: z.string().default('0.0.0.0'),
  BATON_DATA_DIR: z.string().default('./data'),
  BATON_PUBLIC_URL: z.string().url().optional(),
  BATON_SMTP_URL: z.string().url().optional(),
  BATON_MAIL_FROM: z.string().default('Baton <baton@localhost>'),
  BATON_TRUST_PROXY: z.stringbool().default(false),
  BATON_SQLITE_SYNCHRONOUS: z.enum(['FULL', 'NORMAL']).default('FULL'),
  BATON_RELAY_RATE_LIMIT: z.coerce.number().int().min(0).default(60),
  BATON_LOG_LEVEL: z.enum(['silent', 'error', 'info']).default('info'),
});

export type Env = z.infer<typeof ZEnv> & { dataDir: string; databaseFile: string; publicUrl: string };

/** Parsed once at start-up; every default is chosen so that `npm start` needs no configuration. */
export function parseEnv(source: NodeJS.ProcessEnv = process.env): Env {
  const parsed = ZEnv.safeParse(source);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`).join('\n');
    throw new Error(`Invalid environment:\n${lines}`);
  }
  const env = parsed.data;
  const dataDir = resolve(env.BATON_DATA_DIR);
  return {
    ...env,
    dataDir,
    databaseFile: resolve(dataDir, 'baton.db'),
    publicUrl: env.BATON_PUBLIC_URL ?? `http://localhost:${env.PORT}`,
  };
}
