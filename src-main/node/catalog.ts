/**
 * Built-in data (resources/: radio profiles, policy presets, scenarios) and user files. A
 * reference is a built-in id, or a path to a JSON file (anything ending in .json or containing
 * a path separator); user radio profiles may also live in `<data dir>/radio-profiles/`.
 */
import { existsSync, readdirSync } from 'node:fs';
import { basename, join, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { WakeLabError } from '../core/errors.ts';
import { parsePolicy, type Policy } from '../core/policy/schema.ts';
import { parseRadioProfile, type RadioProfile } from '../core/radio/profile.ts';
import { parseScenario, type Scenario } from '../core/sim/scenario.ts';
import { readJsonFile, removeFile, writeFileAtomic } from './files.ts';

export type Kind = 'policy' | 'radio' | 'scenario';
export type Origin = 'builtin' | 'user' | 'file';

export interface Entry<T> {
  value: T;
  /** The validated input as written (defaults not filled in), for overrides and storage. */
  raw: unknown;
  origin: Origin;
  path: string;
}

const FOLDERS: Record<Kind, string> = { policy: 'presets', radio: 'radio-profiles', scenario: 'scenarios' };
const WORDS: Record<Kind, string> = { policy: 'policy', radio: 'radio profile', scenario: 'scenario' };
const BUILTIN_WORDS: Record<Kind, string> = { policy: 'policy preset', radio: 'radio profile', scenario: 'scenario' };

export function resourcesDir(env: NodeJS.ProcessEnv = process.env): string {
  return env.WAKELAB_RESOURCES ?? fileURLToPath(new URL('../../resources/', import.meta.url));
}

export function parseAs(kind: 'policy', input: unknown, label?: string): Policy;
export function parseAs(kind: 'radio', input: unknown, label?: string): RadioProfile;
export function parseAs(kind: 'scenario', input: unknown, label?: string): Scenario;
export function parseAs(kind: Kind, input: unknown, label?: string): Policy | RadioProfile | Scenario;
export function parseAs(kind: Kind, input: unknown, label?: string): Policy | RadioProfile | Scenario {
  if (kind === 'policy') return parsePolicy(input, label);
  if (kind === 'radio') return parseRadioProfile(input, label);
  return parseScenario(input, label);
}

export class Catalog {
  private readonly cache = new Map<string, Entry<unknown>>();

  constructor(
    private readonly resources: string = resourcesDir(),
    /** Folder with user radio profiles (optional). */
    private readonly userProfiles?: string,
  ) {}

  /** Ids of the built-ins (and user profiles) of a kind, sorted. */
  ids(kind: Kind): string[] {
    const ids = new Set(this.filesIn(join(this.resources, FOLDERS[kind])).map(stem));
    if (kind === 'radio' && this.userProfiles) for (const f of this.filesIn(this.userProfiles)) ids.add(stem(f));
    return [...ids].sort(builtinOrder(kind));
  }

  /**
   * Every valid definition of a kind. A broken user file does not hide the others: it is left
   * out and its problem reported in `problems`.
   */
  list(kind: Kind): { entries: Entry<Policy | RadioProfile | Scenario>[]; problems: string[] } {
    const entries: Entry<Policy | RadioProfile | Scenario>[] = [];
    const problems: string[] = [];
    for (const id of this.ids(kind)) {
      try {
        entries.push(this.get(kind, id) as Entry<Policy | RadioProfile | Scenario>);
      } catch (e) {
        if (!(e instanceof WakeLabError)) throw e;
        problems.push(e.message);
      }
    }
    return { entries, problems };
  }

  get(kind: 'policy', ref: string): Entry<Policy>;
  get(kind: 'radio', ref: string): Entry<RadioProfile>;
  get(kind: 'scenario', ref: string): Entry<Scenario>;
  get(kind: Kind, ref: string): Entry<unknown>;
  get(kind: Kind, ref: string): Entry<unknown> {
    const key = `${kind}:${ref}`;
    const hit = this.cache.get(key);
    if (hit) return hit;
    const { path, origin } = this.locate(kind, ref);
    const raw = readJsonFile(path);
    const value = parseAs(kind, raw, origin === 'builtin' ? BUILTIN_WORDS[kind] : `${WORDS[kind]} ${path}`);
    const id = (value as { id: string }).id;
    if (origin !== 'builtin' && existsSync(this.builtinPath(kind, id))) {
      // Runs and the database know definitions by id: a copy of a built-in must get its own.
      throw new WakeLabError('INVALID_ARGUMENT', `${WORDS[kind]} ${path}: the id "${id}" belongs to a built-in ${BUILTIN_WORDS[kind]}; give yours another id`);
    }
    const entry = { value, raw, origin, path };
    this.cache.set(key, entry);
    return entry;
  }

  /**
   * Writes a user radio profile (validated first) to the user folder, replacing one with the same
   * id. A built-in id is refused: runs know profiles by id.
   */
  saveUserProfile(input: unknown): Entry<RadioProfile> {
    if (!this.userProfiles) throw new WakeLabError('INVALID_ARGUMENT', 'there is no folder for user radio profiles');
    const value = parseRadioProfile(input, 'radio profile');
    if (existsSync(this.builtinPath('radio', value.id))) {
      throw new WakeLabError('INVALID_ARGUMENT', `radio profile "${value.id}": that id belongs to a built-in radio profile; give yours another id`);
    }
    const path = join(this.userProfiles, `${value.id}.json`);
    writeFileAtomic(path, JSON.stringify(input, null, 2) + '\n');
    this.cache.delete(`radio:${value.id}`);
    return { value, raw: input, origin: 'user', path };
  }

  /** Deletes a user radio profile; false when there is none with that id. Built-ins cannot be deleted. */
  deleteUserProfile(id: string): boolean {
    if (!this.userProfiles || !/^[a-z0-9][a-z0-9._-]*$/.test(id)) return false;
    if (existsSync(this.builtinPath('radio', id))) throw new WakeLabError('INVALID_ARGUMENT', `radio profile "${id}" is built in and cannot be deleted`);
    this.cache.delete(`radio:${id}`);
    return removeFile(join(this.userProfiles, `${id}.json`));
  }

  private builtinPath(kind: Kind, id: string): string {
    return join(this.resources, FOLDERS[kind], `${id}.json`);
  }

  private locate(kind: Kind, ref: string): { path: string; origin: Origin } {
    if (ref.endsWith('.json') || ref.includes('/') || ref.includes(sep)) {
      const path = resolve(ref);
      const isBuiltin = resolve(this.builtinPath(kind, basename(path, '.json'))) === path;
      return { path, origin: isBuiltin ? 'builtin' : 'file' };
    }
    const builtin = this.builtinPath(kind, ref);
    if (/^[a-z0-9][a-z0-9._-]*$/.test(ref) && existsSync(builtin)) return { path: builtin, origin: 'builtin' };
    if (kind === 'radio' && this.userProfiles) {
      const user = join(this.userProfiles, `${ref}.json`);
      if (existsSync(user)) return { path: user, origin: 'user' };
    }
    throw new WakeLabError('NOT_FOUND', `unknown ${BUILTIN_WORDS[kind]} "${ref}"; known: ${this.ids(kind).join(', ')} (or give a path to a .json file)`);
  }

  private filesIn(dir: string): string[] {
    try {
      return readdirSync(dir).filter((f) => f.endsWith('.json'));
    } catch {
      return [];
    }
  }
}

function stem(file: string): string {
  return file.replace(/\.json$/, '');
}

/** Built-ins in the order the docs present them; others alphabetically after. */
const ORDER: Record<Kind, string[]> = {
  policy: ['strongswan-android', 'charon-dpd30', 'android-ike', 'android-offload', 'ios-dpd-low', 'ios-dpd-medium', 'ios-dpd-high', 'battery-lean'],
  radio: ['lte', 'lte-5s-tail', 'lte-11.6s-tail', 'nr-nsa', 'nr-nsa-mmwave', 'nr-sa', 'umts', 'wifi'],
  scenario: ['idle', 'periodic-push', 'interactive', 'client-vanishes', 'gateway-vanishes', 'gateway-restarts', 'nat-rebinds'],
};

function builtinOrder(kind: Kind): (a: string, b: string) => number {
  const rank = (id: string): number => {
    const i = ORDER[kind].indexOf(id);
    return i < 0 ? ORDER[kind].length : i;
  };
  return (a, b) => rank(a) - rank(b) || a.localeCompare(b);
}
