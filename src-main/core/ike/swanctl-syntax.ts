/**
 * strongSwan's settings syntax, as swanctl.conf uses it (swanctl.conf(5), "SETTINGS SYNTAX"):
 * sections `name { ... }`, settings `key = value` (the value runs to the end of the line; double
 * quotes keep spaces and allow \" \\ \n escapes), `#` comments. A section or setting may also end
 * on the same line as a `}`. `include` is not followed (the caller is told). Sans-IO: text in, a
 * tree out; errors name the line.
 */
import { WakeLabError } from '../errors.ts';

export interface SettingsSection {
  readonly settings: Map<string, string>;
  readonly sections: Map<string, SettingsSection>;
  /** Line numbers of each key and section, for messages. */
  readonly lines: Map<string, number>;
}

const newSection = (): SettingsSection => ({ settings: new Map(), sections: new Map(), lines: new Map() });

/** Removes a `#` comment that is not inside double quotes. */
function stripComment(line: string): string {
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (c === '\\' && quoted) i++;
    else if (c === '"') quoted = !quoted;
    else if (c === '#' && !quoted) return line.slice(0, i);
  }
  return line;
}

function unquote(value: string, where: string): string {
  const v = value.trim();
  if (!v.startsWith('"')) return v;
  if (!v.endsWith('"') || v.length < 2) throw new WakeLabError('INVALID_ARGUMENT', `${where}: unterminated quoted value`);
  return v.slice(1, -1).replace(/\\(.)/g, (_, c: string) => (c === 'n' ? '\n' : c));
}

/** Parses the text; `includes` collects the files `include` lines name (not read). */
export function parseSettings(text: string, label: string, includes: string[] = []): SettingsSection {
  const root = newSection();
  const stack: SettingsSection[] = [root];
  const lines = text.split(/\r?\n/);
  for (let n = 0; n < lines.length; n++) {
    const where = `${label}:${n + 1}`;
    let line = stripComment(lines[n]!).trim();
    while (line.length > 0) {
      if (line.startsWith('}')) {
        if (stack.length === 1) throw new WakeLabError('INVALID_ARGUMENT', `${where}: "}" without an open section`);
        stack.pop();
        line = line.slice(1).trim();
        continue;
      }
      const include = /^include\s+(\S+)$/.exec(line);
      if (include) {
        includes.push(include[1]!);
        break;
      }
      const section = /^([^\s{}=]+)\s*\{(.*)$/.exec(line);
      if (section) {
        const name = section[1]!;
        const top = stack.at(-1)!;
        let s = top.sections.get(name);
        if (!s) top.sections.set(name, (s = newSection()));
        top.lines.set(name, n + 1);
        stack.push(s);
        line = section[2]!.trim();
        continue;
      }
      const setting = /^([^\s{}=]+)\s*=\s*(.*)$/.exec(line);
      if (setting) {
        // A closing brace after an unquoted value ends the section on this line.
        let value = setting[2]!;
        let rest = '';
        if (!value.trim().startsWith('"')) {
          const brace = value.indexOf('}');
          if (brace >= 0) {
            rest = value.slice(brace);
            value = value.slice(0, brace);
          }
        }
        const top = stack.at(-1)!;
        top.settings.set(setting[1]!, unquote(value, where));
        top.lines.set(setting[1]!, n + 1);
        line = rest.trim();
        continue;
      }
      throw new WakeLabError('INVALID_ARGUMENT', `${where}: expected "name {", "key = value" or "}", got ${JSON.stringify(line.slice(0, 40))}`);
    }
  }
  if (stack.length > 1) throw new WakeLabError('INVALID_ARGUMENT', `${label}: ${stack.length - 1} section(s) not closed with "}"`);
  return root;
}
