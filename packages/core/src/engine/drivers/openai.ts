import type { EngineConfig } from '../engine-config.ts';
import { TOOLS } from '../tools/registry.ts';
import type { ToolResult } from '../tools/tool.ts';
import { advancePlanCursor, describeExecStage, DriverError, EXEC_STAGES, nextPlanStep, type ActionRequest, type Driver, type EngineState, type PlanArtifact, type PlanStep, type RunInfo, type Usage } from './driver.ts';

interface ChatMessage extends Record<string, unknown> {
  role: 'system' | 'user' | 'assistant' | 'tool';
  content: string | null;
}
interface ToolCall {
  id: string;
  type: 'function';
  function: { name: string; arguments: string };
}

const BUILD_TOOLS = ['list_files', 'read_file', 'write_file', 'run_command'];
const MAX_BUILD_TURNS = 12;

const fn = (name: string, description: string, parameters: Record<string, unknown>) => ({ type: 'function', function: { name, description, parameters } });

const SUBMIT_CLARIFICATION = fn('submit_clarification', 'Record assumptions and open questions about the request.', {
  type: 'object',
  properties: { assumptions: { type: 'array', items: { type: 'string' } }, questions: { type: 'array', items: { type: 'string' } } },
  required: ['assumptions', 'questions'],
});
const SUBMIT_SCOPE = fn('submit_scope', 'Record the scope of the change.', {
  type: 'object',
  properties: {
    summary: { type: 'string' },
    goals: { type: 'array', items: { type: 'string' } },
    affectedAreas: { type: 'array', items: { type: 'string' } },
    outOfScope: { type: 'array', items: { type: 'string' } },
    risks: { type: 'array', items: { type: 'string' } },
  },
  required: ['summary', 'goals'],
});
const SUBMIT_PLAN = fn('submit_plan', 'Record the plan. Build work happens interactively afterwards; list here the verify, deploy and monitor steps.', {
  type: 'object',
  properties: {
    summary: { type: 'string' },
    steps: {
      type: 'array',
      items: {
        type: 'object',
        properties: {
          stage: { type: 'string', enum: ['verify', 'deploy', 'monitor'] },
          tool: { type: 'string', enum: Object.keys(TOOLS) },
          args: { type: 'object' },
          description: { type: 'string' },
        },
        required: ['stage', 'tool', 'args', 'description'],
      },
    },
  },
  required: ['summary', 'steps'],
});

function describeRun(info: RunInfo): string {
  const envs = info.environments.map((e) => `${e.name}${e.url ? ` (url ${e.url})` : ''}${e.deployHookUrl ? ' [deploy hook]' : ''}`).join(', ');
  return [
    `Request: ${info.requestText}`,
    info.project ? `Project: ${info.project.name}${info.project.description ? ` — ${info.project.description}` : ''}` : 'Project: none (scratch workspace)',
    `Environments: ${envs || 'none'}`,
    `Workspace files (${info.workspaceFiles.length}): ${info.workspaceFiles.slice(0, 100).join(', ') || 'none'}`,
  ].join('\n');
}

/** The first tool call the model asked for that has not been executed yet. */
function queuedAction(state: EngineState): ActionRequest | null {
  const q = state.queue?.[0];
  if (!q) return null;
  let args: Record<string, unknown>;
  try {
    args = JSON.parse(q.arguments || '{}');
  } catch {
    args = { __invalid: q.arguments };
  }
  return { key: `build:${q.id}`, tool: q.name, args, description: `${q.name} (model tool call)` };
}

const SYSTEM = 'You are the model behind a Baton agent run. Work only through the provided tools. Be concise.';

/** Any OpenAI-compatible /chat/completions endpoint (OpenAI, Ollama, vLLM, llama.cpp server). */
export function createOpenAiDriver(config: EngineConfig['llm']): Driver {
  if (!config.url) throw new Error('BATON_LLM_URL is not set');
  const endpoint = `${config.url.replace(/\/+$/, '')}/chat/completions`;

  async function chat(messages: ChatMessage[], tools: unknown[], toolChoice: unknown, signal: AbortSignal) {
    let res: Response;
    try {
      res = await fetch(endpoint, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(config.apiKey ? { authorization: `Bearer ${config.apiKey}` } : {}) },
        body: JSON.stringify({ model: config.model, messages, tools, tool_choice: toolChoice }),
        signal: AbortSignal.any([signal, AbortSignal.timeout(config.timeoutMs)]),
      });
    } catch (e) {
      throw new DriverError(`model endpoint unreachable: ${e instanceof Error ? e.message : String(e)}`);
    }
    const text = await res.text();
    if (!res.ok) throw new DriverError(`model endpoint answered ${res.status}: ${text.slice(0, 300)}`);
    let body: any;
    try {
      body = JSON.parse(text);
    } catch {
      throw new DriverError('model endpoint answered with something that is not JSON');
    }
    const message = body?.choices?.[0]?.message;
    if (!message) throw new DriverError('model response has no choices[0].message');
    const usage: Usage = {
      model: String(body.model ?? config.model),
      tokensInput: Number(body.usage?.prompt_tokens ?? 0),
      tokensOutput: Number(body.usage?.completion_tokens ?? 0),
    };
    return { message: message as { content: string | null; tool_calls?: ToolCall[] }, usage };
  }

  async function forced<T>(name: string, tool: unknown, prompt: string, signal: AbortSignal): Promise<{ value: T; usage: Usage[] }> {
    const { message, usage } = await chat(
      [
        { role: 'system', content: SYSTEM },
        { role: 'user', content: prompt },
      ],
      [tool],
      { type: 'function', function: { name } },
      signal,
    );
    const call = message.tool_calls?.find((c) => c.function?.name === name);
    if (!call) throw new DriverError(`the model did not call ${name}`);
    try {
      return { value: JSON.parse(call.function.arguments) as T, usage: [usage] };
    } catch {
      throw new DriverError(`the model's ${name} arguments are not valid JSON`);
    }
  }

  const about = (model: string) => ({ name: 'openai', model, isAI: true });

  return {
    name: 'openai',
    usesModel: true,
    intakeNote: () => `Driver "openai": model ${config.model} at ${new URL(config.url!).host}, with tool calling.`,

    async clarify(info, signal) {
      const r = await forced<{ assumptions?: unknown; questions?: unknown }>('submit_clarification', SUBMIT_CLARIFICATION, `${describeRun(info)}\n\nList your assumptions and any open questions.`, signal);
      const list = (v: unknown) => (Array.isArray(v) ? v.map(String) : []);
      return { value: { assumptions: list(r.value.assumptions), questions: list(r.value.questions) }, usage: r.usage };
    },

    async scope(info, signal) {
      const r = await forced<Record<string, unknown>>('submit_scope', SUBMIT_SCOPE, `${describeRun(info)}\n\nScope this change.`, signal);
      return { value: { ...r.value, driver: about(r.usage[0]!.model) }, usage: r.usage };
    },

    async plan(info, scope, signal) {
      const r = await forced<{ summary?: unknown; steps?: unknown }>(
        'submit_plan',
        SUBMIT_PLAN,
        `${describeRun(info)}\n\nScope: ${JSON.stringify(scope)}\n\nPlan the verify, deploy and monitor steps.`,
        signal,
      );
      const raw = Array.isArray(r.value.steps) ? r.value.steps : [];
      const steps: PlanStep[] = raw
        .filter((s: any) => s && EXEC_STAGES.includes(s.stage) && s.stage !== 'build' && typeof s.tool === 'string' && TOOLS[s.tool])
        .map((s: any, i: number) => ({ id: `s${i + 1}`, stage: s.stage, tool: s.tool, args: (s.args && typeof s.args === 'object' ? s.args : {}) as Record<string, unknown>, description: String(s.description ?? s.tool) }));
      const dropped = raw.length - steps.length;
      const plan: PlanArtifact = {
        summary: String(r.value.summary ?? ''),
        steps,
        notes: dropped ? [`${dropped} step(s) with an unknown tool or stage were dropped.`] : [],
        driver: about(r.usage[0]!.model),
      };
      return { value: plan, usage: r.usage };
    },

    async nextAction(info, stage, plan, state, signal) {
      if (stage !== 'build') return { value: nextPlanStep(plan, stage, state), usage: [] };
      const queued = queuedAction(state);
      if (queued) return { value: queued, usage: [] };
      if ((state.turns ?? 0) >= MAX_BUILD_TURNS) return { value: null, usage: [] };
      const conversation = (state.conversation ??= [
        { role: 'system', content: `${SYSTEM} Make the change in the workspace. When done, answer without tool calls.` },
        { role: 'user', content: `${describeRun(info)}\n\nPlan: ${JSON.stringify(plan)}` },
      ]) as ChatMessage[];
      const tools = BUILD_TOOLS.map((n) => fn(n, TOOLS[n]!.description, TOOLS[n]!.parameters));
      const { message, usage } = await chat(conversation, tools, 'auto', signal);
      state.turns = (state.turns ?? 0) + 1;
      conversation.push({ role: 'assistant', content: message.content ?? null, ...(message.tool_calls?.length ? { tool_calls: message.tool_calls } : {}) });
      const calls = message.tool_calls ?? [];
      if (!calls.length) return { value: null, usage: [usage] };
      state.queue = calls.map((c) => ({ id: c.id, name: c.function.name, arguments: c.function.arguments }));
      return { value: queuedAction(state), usage: [usage] };
    },

    recordResult(stage, action, result: ToolResult, state) {
      if (stage !== 'build') return advancePlanCursor(action, result, state);
      const call = state.queue?.shift();
      (state.conversation ??= []).push({
        role: 'tool',
        tool_call_id: call?.id ?? action.key,
        content: JSON.stringify({ ok: result.ok, summary: result.summary, output: result.output }).slice(0, 8000),
      });
      // In build the model sees failures and decides what to do about them.
      return null;
    },

    describeStage: (stage, plan, state) =>
      describeExecStage(stage, plan, state, {
        noSteps: (s) =>
          s === 'build'
            ? `the model made no tool calls${(state.turns ?? 0) > 0 ? ` in ${state.turns} turn(s)` : ''}, so nothing was changed`
            : `the model's plan has no ${s} steps`,
        noCodeChanges: (actions) => `no code changes: the model wrote no files (${actions.length} tool call(s): ${[...new Set(actions.map((a) => a.tool))].join(', ')})`,
      }),
  };
}
