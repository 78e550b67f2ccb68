import type { ChildProcess } from 'node:child_process';

export interface EmbeddedPostgres {
  /** Superuser URL of the maintenance database (`postgres`), trust authentication on 127.0.0.1. */
  adminUrl: string;
  port: number;
  /** The temporary folder holding the cluster (and, as root, the copy of the binaries). */
  root: string;
  dataDir: string;
  pid: number;
  child: ChildProcess;
  /** The tail of the server's log. */
  log(): string;
  /** Fast shutdown (SIGINT, SIGKILL after 10 s), then the folder is removed. */
  stop(): Promise<void>;
  /** For a process that is exiting right now (no awaiting): immediate shutdown, folder removed. */
  stopNow(): void;
}

export interface StartEmbeddedPostgresOptions {
  /** Server settings passed as `-c name=value`, in order (after listen_addresses=127.0.0.1). */
  settings?: Record<string, string>;
  /** Where the temporary folder is made (default: the OS temp dir). */
  parentDir?: string;
  /** Its name prefix (default `baton-pg-`). */
  prefix?: string;
  /** Extra initdb arguments (default `--no-sync`). */
  initdbArgs?: string[];
}

export function startEmbeddedPostgres(opts?: StartEmbeddedPostgresOptions): Promise<EmbeddedPostgres>;
