/**
 * Turns a zod validation failure into one WakeLabError whose message names the field, e.g.
 * `policy "x": client.keepaliveS: must be at least 0 (got -5)`.
 */
import type { ZodError, ZodType } from 'zod';
import { WakeLabError, type ErrorCode } from './errors.ts';

export function parseWith<T>(schema: ZodType<T>, input: unknown, code: ErrorCode, what: string): T {
  const r = schema.safeParse(input);
  if (r.success) return r.data;
  throw new WakeLabError(code, `${what}: ${describeIssue(r.error, input)}`);
}

/** Every problem with an input, each with the dotted path of its field (for editors that validate as you type). */
export function issuesOf(schema: ZodType, input: unknown): { path: string; message: string }[] {
  const r = schema.safeParse(input);
  if (r.success) return [];
  return r.error.issues.map((issue) => {
    const path = issue.path.map(String).join('.');
    if (issue.code === 'unrecognized_keys') {
      return { path, message: `unknown field${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => `"${k}"`).join(', ')}` };
    }
    return { path, message: issue.message };
  });
}

function describeIssue(err: ZodError, input: unknown): string {
  const issue = err.issues[0];
  if (!issue) return 'invalid';
  const path = issue.path.map(String).join('.');
  const got = valueAt(input, issue.path as PropertyKey[]);
  const shown = got === undefined ? '' : ` (got ${JSON.stringify(got)})`;
  let message = issue.message;
  if (issue.code === 'unrecognized_keys') {
    message = `unknown field${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => `"${k}"`).join(', ')}`;
    return path ? `${path}: ${message}` : message;
  }
  return `${path || '(top level)'}: ${message}${issue.code === 'invalid_type' && got === undefined ? '' : shown}`;
}

/** The value at a path of keys inside nested objects and arrays (undefined where it stops). */
export function valueAt(input: unknown, path: readonly PropertyKey[]): unknown {
  let cur: unknown = input;
  for (const key of path) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<PropertyKey, unknown>)[key];
  }
  return cur;
}

/** `label "id"` when the input has a string id, else the label alone. */
export function labelled(input: unknown, label: string): string {
  const id = input && typeof input === 'object' && 'id' in input ? (input as { id: unknown }).id : undefined;
  return typeof id === 'string' ? `${label} "${id}"` : label;
}
