/**
 * Builds the lab for a front end: the LabService, the contract's implementation over it, and the
 * event hub. Electron's main process and `wakelab serve` call this; the CLI's commands use the
 * LabService directly.
 */
import type { LabApi } from '../contract.ts';
import { EventHub } from './event-hub.ts';

export interface LabOptions {
  /** Database path (else $WAKELAB_DB, else the user data directory). */
  db?: string;
  mode: 'electron' | 'browser';
}

export interface Lab {
  api: LabApi;
  hub: EventHub;
  close(): Promise<void>;
}

export function createLab(opts: LabOptions): Lab {
  void opts;
  throw new Error('createLab: not written yet');
}
