/**
 * The lab configurations and fleet templates the Live view offers: the built-ins in
 * `resources/labs` and `resources/fleets`, and the user's in `<data folder>/labs` and
 * `<data folder>/fleets` (README "Data locations"). Known by id (the file name without `.json`),
 * never by path, like the other catalogs; a user file with a built-in's id is left out. A broken
 * file does not hide the others: it is reported in `problems`.
 */
import { existsSync, readdirSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { WakeLabError } from '../../core/errors.ts';
import { parseFleetConfig, type FleetConfig } from '../../core/fleet/fleet-config.ts';
import { parseLabConfig, type LabConfig } from '../../core/live/lab-config.ts';
import { resourcesDir } from '../catalog.ts';
import { readJsonFile } from '../files.ts';

export interface LabEntry {
  readonly id: string;
  readonly name: string;
  readonly description: string;
  readonly origin: 'builtin' | 'user';
  readonly config: LabConfig;
}

export interface FleetEntry {
  readonly id: string;
  readonly name: string;
  readonly description: string;
  readonly origin: 'builtin' | 'user';
  readonly config: FleetConfig;
  /** The file, for its relative paths (policies). */
  readonly path: string;
}

const ID = /^[a-z0-9][a-z0-9._-]*$/;

export class LabCatalog {
  constructor(
    private readonly dataDir: string,
    private readonly resources: string = resourcesDir(),
  ) {}

  labs(): { items: LabEntry[]; problems: string[] } {
    return this.list('labs', (id, path, origin) => this.readLab(id, path, origin));
  }

  fleets(): { items: FleetEntry[]; problems: string[] } {
    return this.list('fleets', (id, path, origin) => this.readFleet(id, path, origin));
  }

  lab(id: string): LabEntry {
    return this.readLab(id, ...this.locate('labs', id));
  }

  fleet(id: string): FleetEntry {
    return this.readFleet(id, ...this.locate('fleets', id));
  }

  private readLab(id: string, path: string, origin: 'builtin' | 'user'): LabEntry {
    const raw = readJsonFile(path) as { name?: string; description?: string };
    const config = parseLabConfig(raw, `lab configuration ${path}`, (p) => {
      const file = resolve(dirname(path), p);
      return { value: readJsonFile(file), label: `responder configuration ${file}` };
    });
    return { id, name: raw?.name ?? id, description: raw?.description ?? '', origin, config };
  }

  private readFleet(id: string, path: string, origin: 'builtin' | 'user'): FleetEntry {
    const config = parseFleetConfig(readJsonFile(path), `fleet template ${path}`);
    return { id, name: config.name ?? id, description: config.description ?? '', origin, config, path };
  }

  private locate(folder: 'labs' | 'fleets', id: string): [string, 'builtin' | 'user'] {
    const builtin = join(this.resources, folder, `${id}.json`);
    if (ID.test(id) && existsSync(builtin)) return [builtin, 'builtin'];
    const user = join(this.dataDir, folder, `${id}.json`);
    if (ID.test(id) && existsSync(user)) return [user, 'user'];
    const what = folder === 'labs' ? 'lab configuration' : 'fleet template';
    throw new WakeLabError('NOT_FOUND', `unknown ${what} "${id}"; known: ${this.ids(folder).join(', ') || '(none)'}`);
  }

  private ids(folder: 'labs' | 'fleets'): string[] {
    const files = (dir: string) => {
      try {
        return readdirSync(dir).filter((f) => f.endsWith('.json')).map((f) => basename(f, '.json')).filter((id) => ID.test(id));
      } catch {
        return [];
      }
    };
    return [...new Set([...files(join(this.resources, folder)), ...files(join(this.dataDir, folder))])].sort();
  }

  private list<T>(folder: 'labs' | 'fleets', read: (id: string, path: string, origin: 'builtin' | 'user') => T): { items: T[]; problems: string[] } {
    const items: T[] = [];
    const problems: string[] = [];
    for (const id of this.ids(folder)) {
      try {
        items.push(read(id, ...this.locate(folder, id)));
      } catch (e) {
        if (!(e instanceof WakeLabError)) throw e;
        problems.push(e.message);
      }
    }
    return { items, problems };
  }
}
