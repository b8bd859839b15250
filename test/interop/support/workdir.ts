/**
 * A temporary directory per interop test file: configs, charon logs, captures. Removed when the
 * run passed; kept (and its path printed) when anything failed, or always with
 * WAKELAB_INTEROP_KEEP=1.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export class Workdir {
  readonly path: string;
  private failures: string[] = [];
  private finished = false;

  constructor(label: string) {
    this.path = mkdtempSync(join(tmpdir(), `wakelab-interop-${label}-`));
  }

  file(...parts: string[]): string {
    return join(this.path, ...parts);
  }

  /** Records a failure (a test name or hook); the directory is then kept. */
  markFailed(what: string): void {
    this.failures.push(what);
  }

  get failed(): boolean {
    return this.failures.length > 0;
  }

  /** Removes the directory, or keeps it and prints where it is. Returns the kept path or null. */
  finish(): string | null {
    if (this.finished) return null;
    this.finished = true;
    if (this.failed || process.env.WAKELAB_INTEROP_KEEP === '1') {
      const why = this.failed ? `failed: ${this.failures.join('; ')}` : 'WAKELAB_INTEROP_KEEP=1';
      process.stderr.write(`interop: logs, configs and captures kept in ${this.path} (${why})\n`);
      return this.path;
    }
    rmSync(this.path, { recursive: true, force: true, maxRetries: 3 });
    return null;
  }
}
