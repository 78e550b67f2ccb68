import type { ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';

/**
 * A port that was free a moment ago on 127.0.0.1, for a server in another process: it gets its
 * port from PORT and cannot be asked to listen on 0 and report back.
 */
export const freePort = () =>
  new Promise<number>((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });

/**
 * Polls `${url}/healthz` until it answers 2xx. Fails at once if the child exits first, and after
 * `timeoutMs` otherwise; either way the error carries the child's output, which says why.
 */
export async function waitForHealthy(url: string, child: ChildProcess, output: () => string, opts: { timeoutMs: number; intervalMs?: number }): Promise<void> {
  const deadline = Date.now() + opts.timeoutMs;
  for (;;) {
    try {
      if ((await fetch(`${url}/healthz`)).ok) return;
    } catch {
      /* not listening yet */
    }
    if (child.exitCode !== null) throw new Error(`server exited early (code ${child.exitCode}):\n${output()}`);
    if (Date.now() > deadline) throw new Error(`server did not answer ${url}/healthz within ${opts.timeoutMs} ms:\n${output()}`);
    await new Promise((r) => setTimeout(r, opts.intervalMs ?? 50));
  }
}
