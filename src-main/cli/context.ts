/** Builds the LabService for one CLI invocation from the global options. */
import { join } from 'node:path';
import { Catalog } from '../node/catalog.ts';
import { LabService } from '../node/lab-service.ts';
import { defaultDataDir, resolveDbPath } from '../node/store/paths.ts';
import { Store } from '../node/store/store.ts';

export interface GlobalOptions {
  db?: string;
}

export function makeService(opts: GlobalOptions): LabService {
  const catalog = new Catalog(undefined, join(defaultDataDir(), 'radio-profiles'));
  return new LabService(catalog, () => Store.open(resolveDbPath(opts.db)));
}

/** Prints a JSON document on stdout. */
export function printJson(value: unknown): void {
  process.stdout.write(JSON.stringify(value, null, 2) + '\n');
}

/** Collects a repeatable option's values. */
export function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

/** Parses a number option, with an error naming the option. */
export function numberOption(name: string): (value: string) => number {
  return (value) => {
    const n = Number(value);
    if (value.trim() === '' || !Number.isFinite(n)) {
      throw Object.assign(new Error(`${name} must be a number (got "${value}")`), { code: 'INVALID_ARGUMENT' });
    }
    return n;
  };
}

/** A note that is not an error, on standard error (so JSON on stdout stays clean). */
export function warn(message: string): void {
  process.stderr.write(`wakelab: warning: ${message}\n`);
}

/** Resolves on the first SIGINT or SIGTERM (long-running commands shut down cleanly then). */
export function untilSignal(): Promise<void> {
  return new Promise((done) => {
    const stop = (): void => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      done();
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
}
