import { TRPCClientError } from '@trpc/client';
import { errorMessage } from './trpc.ts';

/** A refused form: messages to show beside named fields, and the rest for the form as a whole. */
export interface FormErrors<F extends string> {
  fields: Partial<Record<F, string>>;
  form: string | null;
}

interface Issue {
  path?: unknown[];
  message?: string;
  code?: string;
  minimum?: number;
  origin?: string;
}

/** Zod's wording is written for developers; the usual cases read better in plain words. */
function plainIssue(issue: Issue): string {
  if (issue.code === 'too_small' && issue.origin === 'string') return issue.minimum === 1 ? 'This cannot be empty.' : `At least ${issue.minimum} characters.`;
  if (issue.code === 'too_big' && issue.origin === 'string') return 'This is too long.';
  if (issue.code === 'invalid_format' || /email/i.test(issue.message ?? '')) return 'Enter a valid email address.';
  return issue.message ?? 'Invalid value.';
}

/**
 * Where the server's refusal belongs. tRPC sends a failed input check as its Zod issues (a JSON
 * array, each with the field's path); the domain writes its own 400s as "field: why" (e.g.
 * "tool: unknown tool"). Anything else, or a field the form does not show, goes to the form.
 * `byCode` places a refusal that names no field, e.g. CONFLICT ("already a member") beside the email.
 */
export function formErrors<F extends string>(error: unknown, fields: readonly F[], byCode: Partial<Record<string, F>> = {}): FormErrors<F> {
  const out: FormErrors<F> = { fields: {}, form: null };
  if (!error) return out;
  const known = (name: unknown): name is F => typeof name === 'string' && (fields as readonly string[]).includes(name);
  if (error instanceof TRPCClientError) {
    const message = error.message;
    if (message.trimStart().startsWith('[')) {
      try {
        const issues = JSON.parse(message) as Issue[];
        for (const issue of issues) {
          const name = issue.path?.[0];
          if (known(name)) out.fields[name] ??= plainIssue(issue);
          else out.form ??= plainIssue(issue);
        }
        if (Object.keys(out.fields).length > 0 || out.form) return out;
      } catch {
        // Not the issue list after all: shown as it is below.
      }
    }
    const prefix = /^([a-zA-Z]+): (.+)$/s.exec(message);
    if (prefix && known(prefix[1])) {
      out.fields[prefix[1]] = prefix[2]!.charAt(0).toUpperCase() + prefix[2]!.slice(1);
      return out;
    }
    const code = (error.data as { code?: string } | undefined)?.code;
    const target = code ? byCode[code] : undefined;
    if (target) {
      out.fields[target] = message;
      return out;
    }
  }
  out.form = errorMessage(error);
  return out;
}

/** A refusal of an action (not a form): the server's message, or the first issue in plain words. */
export function actionError(error: unknown): string | null {
  if (!error) return null;
  const { fields, form } = formErrors<string>(error, []);
  return form ?? Object.values(fields)[0] ?? errorMessage(error);
}
