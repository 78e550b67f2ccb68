import Ajv2020 from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { expect } from 'vitest';

/**
 * Validates response bodies against the published contracts, kept in the repository under
 * packages/api/contracts (verbatim copies; a fresh clone has everything it needs).
 * MightyKey: the documented JSON schema, with every documented property made required.
 * Flow Relay: documents only examples, so the body must carry every key of the example with the
 * same JSON types (recursively; array items against the example's first item).
 */
const SPEC_DIR = fileURLToPath(new URL('../../packages/api/contracts/', import.meta.url));

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
type Spec = { paths: Record<string, Record<string, any>>; components: Record<string, any> };

const load = (name: string): Spec => JSON.parse(readFileSync(SPEC_DIR + name, 'utf8'));
export const MK_SPEC = load('mightykey-v1.openapi.json');
export const RELAY_SPEC = load('flowrelay-v1.openapi.json');

function deref(spec: Spec, node: any, seen = new Set<string>()): any {
  if (Array.isArray(node)) return node.map((n) => deref(spec, n, seen));
  if (!node || typeof node !== 'object') return node;
  if (typeof node.$ref === 'string') {
    const ref: string = node.$ref;
    if (seen.has(ref)) throw new Error(`cyclic $ref ${ref}`);
    const target = ref
      .replace(/^#\//, '')
      .split('/')
      .reduce((acc: any, key) => acc?.[key], spec);
    if (!target) throw new Error(`unresolved $ref ${ref}`);
    return deref(spec, target, new Set([...seen, ref]));
  }
  const out: any = {};
  for (const [k, v] of Object.entries(node)) out[k] = deref(spec, v, seen);
  return out;
}

/** Every documented property required, at every depth (allOf parts included). */
function requireAll(schema: any): any {
  if (Array.isArray(schema)) return schema.map(requireAll);
  if (!schema || typeof schema !== 'object') return schema;
  const out: any = {};
  for (const [k, v] of Object.entries(schema)) {
    if (k === 'example' || k === 'examples') continue;
    out[k] = requireAll(v);
  }
  if (out.properties && typeof out.properties === 'object') out.required = Object.keys(out.properties);
  return out;
}

const ajv = new Ajv2020({ strict: false, allErrors: true });
addFormats.default ? addFormats.default(ajv) : (addFormats as any)(ajv);
const validators = new Map<string, ReturnType<typeof ajv.compile>>();

function operation(spec: Spec, method: string, path: string) {
  const op = spec.paths[path]?.[method.toLowerCase()];
  if (!op) throw new Error(`the contract has no ${method} ${path}`);
  return op;
}

function responseSchema(spec: Spec, method: string, path: string, status: number) {
  const op = operation(spec, method, path);
  const resp = deref(spec, op.responses?.[String(status)]);
  if (!resp) throw new Error(`the contract documents no ${status} for ${method} ${path}`);
  return resp.content?.['application/json'];
}

/** Asserts a MightyKey body matches the documented schema for (method, path, status). */
export function expectMkContract(method: string, path: string, status: number, body: unknown) {
  const key = `${method} ${path} ${status}`;
  let validate = validators.get(key);
  if (!validate) {
    const content = responseSchema(MK_SPEC, method, path, status);
    if (!content?.schema) throw new Error(`no JSON schema documented for ${key}`);
    validate = ajv.compile(requireAll(content.schema));
    validators.set(key, validate);
  }
  const ok = validate(body);
  expect(ok, `${key} violates the contract: ${ajv.errorsText(validate.errors)}\n${JSON.stringify(body).slice(0, 2000)}`).toBe(true);
}

/** Error bodies: `{"error": "<non-empty string>"}` and nothing else. */
export function expectErrorBody(body: unknown) {
  expect(body).toEqual({ error: expect.any(String) });
  expect((body as { error: string }).error.length).toBeGreaterThan(0);
}

const jsonType = (v: Json): string => (v === null ? 'null' : Array.isArray(v) ? 'array' : typeof v);

function sameShape(example: Json, actual: Json, at: string, problems: string[]) {
  // A null in the example (e.g. a job's `error`) documents a nullable field of unstated type.
  if (example === null) return;
  const te = jsonType(example);
  const ta = jsonType(actual);
  if (te !== ta) {
    problems.push(`${at}: expected ${te}, got ${ta}`);
    return;
  }
  if (te === 'array') {
    const ex = (example as Json[])[0];
    if (ex === undefined) return;
    (actual as Json[]).forEach((item, i) => sameShape(ex, item, `${at}[${i}]`, problems));
  } else if (te === 'object') {
    for (const [k, v] of Object.entries(example as Record<string, Json>)) {
      if (!(k in (actual as object))) problems.push(`${at}.${k}: missing`);
      else sameShape(v, (actual as Record<string, Json>)[k]!, `${at}.${k}`, problems);
    }
  }
}

/** Asserts a Flow Relay body has every key of the documented example, with the same JSON types. */
export function expectRelayContract(method: string, path: string, status: number, body: unknown) {
  const op = operation(RELAY_SPEC, method, path);
  const example = op.responses?.[String(status)]?.content?.['application/json']?.example as Json | undefined;
  if (example === undefined) throw new Error(`no example documented for ${method} ${path} ${status}`);
  const problems: string[] = [];
  sameShape(example, body as Json, '$', problems);
  expect(problems, `${method} ${path} ${status} differs from the documented example`).toEqual([]);
}
