import { startFakeServer, type FakeServer } from './fake-http.ts';

/**
 * A fake OpenAI-compatible chat-completions endpoint speaking the real wire protocol: forced
 * function calls for clarify/scope/plan, and a scripted tool-calling loop for the build stage.
 */
export interface FakeLlmOptions {
  model?: string;
  /** Tool calls the model makes in the build loop, one array per turn; then it answers in prose. */
  buildTurns?: Array<Array<{ name: string; arguments: Record<string, unknown> }>>;
  /** Plan steps the model submits (verify/deploy/monitor). */
  planSteps?: Array<{ stage: string; tool: string; args: Record<string, unknown>; description: string }>;
  promptTokens?: number;
  completionTokens?: number;
  delayMs?: number;
  /** Answer this HTTP status instead (to test failures). */
  failWith?: number;
}

export interface FakeLlm extends FakeServer {
  /** Base URL to give as BATON_LLM_URL (ends in /v1). */
  baseUrl: string;
  calls: Array<{ body: any; authorization: string | undefined }>;
}

export async function startFakeLlm(opts: FakeLlmOptions = {}): Promise<FakeLlm> {
  const model = opts.model ?? 'fake-model-1';
  const calls: FakeLlm['calls'] = [];
  let seq = 0;
  const reply = (message: Record<string, unknown>) => ({
    id: `chatcmpl-${++seq}`,
    object: 'chat.completion',
    created: Math.floor(Date.now() / 1000),
    model,
    choices: [{ index: 0, message: { role: 'assistant', content: null, ...message }, finish_reason: message.tool_calls ? 'tool_calls' : 'stop' }],
    usage: {
      prompt_tokens: opts.promptTokens ?? 120,
      completion_tokens: opts.completionTokens ?? 30,
      total_tokens: (opts.promptTokens ?? 120) + (opts.completionTokens ?? 30),
    },
  });
  const call = (name: string, args: unknown) => ({ id: `call_${++seq}`, type: 'function', function: { name, arguments: JSON.stringify(args) } });

  const server = await startFakeServer((req) => {
    if (req.method !== 'POST' || req.path !== '/v1/chat/completions') return { status: 404, body: { error: { message: 'not found' } } };
    const body = JSON.parse(req.body);
    calls.push({ body, authorization: req.headers.authorization });
    if (opts.failWith) return { status: opts.failWith, body: { error: { message: 'scripted failure' } } };
    const forced = body.tool_choice?.function?.name as string | undefined;
    let message: Record<string, unknown>;
    if (forced === 'submit_clarification') message = { tool_calls: [call(forced, { assumptions: ['The workspace is the project root.'], questions: [] })] };
    else if (forced === 'submit_scope') message = { tool_calls: [call(forced, { summary: 'Add a greeting file', goals: ['Create hello.txt'], risks: [] })] };
    else if (forced === 'submit_plan')
      message = { tool_calls: [call(forced, { summary: 'Write then verify', steps: opts.planSteps ?? [{ stage: 'verify', tool: 'run_command', args: { command: ['cat', 'hello.txt'] }, description: 'Show the file' }] })] };
    else {
      const turn = body.messages.filter((m: { role: string }) => m.role === 'assistant').length;
      const script = opts.buildTurns ?? [[{ name: 'write_file', arguments: { path: 'hello.txt', content: 'hello from the model\n' } }]];
      const calls = script[turn];
      message = calls ? { tool_calls: calls.map((c) => call(c.name, c.arguments)) } : { content: 'Done: the change is in place.' };
    }
    return { body: reply(message), delayMs: opts.delayMs };
  });
  return Object.assign(server, { baseUrl: `${server.url}/v1`, calls });
}
