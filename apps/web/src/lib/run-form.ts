import { TRPCClientError } from '@trpc/client';
import { errorMessage } from './trpc.ts';

export interface NewRunErrors {
  requestText?: string;
  projectId?: string;
  /** Not about one field (a refused role, a rate limit, the server down). */
  form?: string;
}

/** The server's input issues come as the message of a 400, a JSON list of { path, message }. */
function inputIssues(message: string): Array<{ path: unknown[]; message: string }> | null {
  if (!message.startsWith('[')) return null;
  try {
    const parsed = JSON.parse(message) as unknown;
    return Array.isArray(parsed) && parsed.every((i) => typeof i === 'object' && i !== null && Array.isArray(i.path) && typeof i.message === 'string') ? parsed : null;
  } catch {
    return null;
  }
}

const code = (e: unknown) => (e instanceof TRPCClientError ? (e.data as { code?: string } | undefined)?.code : undefined);

/** Where each of the server's objections to a new run belongs: beside its field, or under the form. */
export function newRunErrors(e: unknown): NewRunErrors {
  if (!e) return {};
  const message = e instanceof Error ? e.message : String(e);
  const issues = inputIssues(message);
  if (issues) {
    const out: NewRunErrors = {};
    for (const i of issues) {
      const field = i.path[0] === 'projectId' ? 'projectId' : i.path[0] === 'requestText' ? 'requestText' : 'form';
      out[field] ??= field === 'requestText' ? `The request ${i.message.replace(/^Too (big|small): expected string to have /, 'must have ')}` : i.message;
    }
    return out;
  }
  if (code(e) === 'NOT_FOUND' && /project/i.test(message)) return { projectId: 'This project no longer exists. Pick another one, or none.' };
  return { form: errorMessage(e) };
}
