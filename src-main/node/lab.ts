/**
 * Builds the lab for a front end: the LabService, the contract's implementation over it, and the
 * event hub. Electron's main process and `wakelab serve` call this; the CLI's other commands use
 * the LabService directly (cli/context.ts). The database opens on first use, so a bad database
 * path is reported by the first call that needs it, not at start-up.
 */
import { join } from 'node:path';
import type { LabApi } from '../contract.ts';
import { Catalog } from './catalog.ts';
import { EventHub } from './event-hub.ts';
import { LabApiService } from './lab-api.ts';
import { LabService } from './lab-service.ts';
import { LiveService } from './live/live-service.ts';
import { defaultDataDir, resolveDbPath } from './store/paths.ts';
import { Store } from './store/store.ts';

export interface LabOptions {
  /** Database path (else $WAKELAB_DB, else the user data directory). */
  db?: string;
  mode: 'electron' | 'browser';
  /** Folder for user radio profiles (else `<data dir>/radio-profiles`). */
  userProfilesDir?: string;
  /** Data folder for user labs and fleet templates (else the user data directory). */
  dataDir?: string;
  /** Simulation worker script (the Electron build's bundled sim-worker.js); default: the tsx boot file. */
  workerUrl?: URL;
}

export interface Lab {
  api: LabApi;
  hub: EventHub;
  service: LabService;
  close(): Promise<void>;
}

export function createLab(opts: LabOptions): Lab {
  const databasePath = resolveDbPath(opts.db);
  const userProfilesDir = opts.userProfilesDir ?? join(defaultDataDir(), 'radio-profiles');
  const service = new LabService(new Catalog(undefined, userProfilesDir), () => Store.open(databasePath), opts.workerUrl);
  const hub = new EventHub();
  const live = new LiveService({ catalog: service.catalog, dataDir: opts.dataDir ?? defaultDataDir(), databasePath, emit: (s) => hub.emit('live', s) });
  const api = new LabApiService(service, hub, { mode: opts.mode, databasePath, userProfilesDir }, live);
  return {
    api,
    hub,
    service,
    close: async () => {
      api.cancelAll();
      await live.close();
      service.close();
    },
  };
}
