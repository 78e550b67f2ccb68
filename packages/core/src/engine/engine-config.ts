export interface ModelPrice {
  /** Micro-credits per input token (= credits per million tokens). */
  input: number;
  /** Micro-credits per output token. */
  output: number;
}

export interface EngineConfig {
  /** Per-project workspaces live under here. */
  workspacesDir: string;
  /** Which driver new runs use. */
  driver: 'local' | 'openai';
  llm: { url: string | null; apiKey: string | null; model: string; timeoutMs: number };
  /** Model name → price; "*" is the fallback for models not listed. */
  prices: Record<string, ModelPrice>;
  /** Fail runs whose org has no credits left. Off by default for self-hosted installs. */
  enforceCredits: boolean;
  approvalTtlMs: number;
  /** Executables run_command may start (no shell). */
  commandAllowlist: string[];
  commandTimeoutMs: number;
  maxOutputBytes: number;
  /** Timeout for deploy hooks and health checks. */
  httpTimeoutMs: number;
  /** An action whose estimated cost reaches this many micro-credits is "costly". */
  costlyActionMicros: number;
  /** Run workspace commands inside the OS sandbox (bubblewrap). Off only when BATON_SANDBOX=off. */
  sandbox: boolean;
  /** User-entered outbound URLs may reach private, loopback and link-local addresses. */
  allowPrivateUrls: boolean;
}

export const DEFAULT_PRICES: Record<string, ModelPrice> = { '*': { input: 3, output: 15 } };

export const DEFAULT_COMMAND_ALLOWLIST = ['ls', 'cat', 'echo', 'grep', 'wc', 'head', 'tail', 'pwd', 'true', 'false', 'sleep', 'sort', 'uniq', 'diff', 'find', 'git', 'test'];
