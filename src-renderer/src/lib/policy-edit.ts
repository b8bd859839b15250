/** Reading and writing a policy's nested fields by dotted path, for the custom policy editor. */

export function getPath(obj: unknown, path: string): unknown {
  let cur: unknown = obj;
  for (const k of path.split('.')) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string, unknown>)[k];
  }
  return cur;
}

export function setPath(obj: Record<string, unknown>, path: string, value: unknown): void {
  const keys = path.split('.');
  let cur = obj;
  for (const k of keys.slice(0, -1)) {
    if (cur[k] === null || typeof cur[k] !== 'object') cur[k] = {};
    cur = cur[k] as Record<string, unknown>;
  }
  cur[keys[keys.length - 1]!] = value;
}

/** What kind of input a field takes, from its current value. */
export function inputKind(value: unknown): 'checkbox' | 'number' | 'select' | 'text' {
  if (typeof value === 'boolean') return 'checkbox';
  if (typeof value === 'number') return 'number';
  if (value === 'exact' || value === 'inexact') return 'select';
  return 'text';
}

/** A fresh id for a copy of a policy: `<id>-custom`, `<id>-custom-2`, … not in `taken`. */
export function freshId(base: string, taken: readonly string[]): string {
  const stem = `${base.replace(/-custom(-\d+)?$/, '')}-custom`;
  if (!taken.includes(stem)) return stem;
  for (let i = 2; ; i++) if (!taken.includes(`${stem}-${i}`)) return `${stem}-${i}`;
}
