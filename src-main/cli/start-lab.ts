/**
 * Starting a lab from the command line (`wakelab lab`, and `wakelab fleet` with a `lab` of its
 * own): reads and checks the lab configuration, opens the database, runs the lab, and prints its
 * events and wakeups as lines (text, or JSON with `json`).
 */
import { dirname, join, resolve } from 'node:path';
import { WakeLabError } from '../core/errors.ts';
import { parseLabConfig, type LabConfig } from '../core/live/lab-config.ts';
import { wakeupText } from '../core/live/client-meter.ts';
import type Database from 'better-sqlite3';
import { Catalog } from '../node/catalog.ts';
import { readJsonFile } from '../node/files.ts';
import { isLifecycle, jsonLine, textLine } from '../node/ike/log-line.ts';
import { fallbackWarning } from '../node/ike/run-responder.ts';
import { runLab, type LabRadio, type RunningLab } from '../node/live/run-lab.ts';
import { dbError, openDatabase } from '../node/store/open.ts';
import { defaultDataDir } from '../node/store/paths.ts';
import { warn } from './context.ts';
import { listenError } from '../node/ike/listen-error.ts';

export interface LabPrinting {
  readonly json: boolean;
  /** Every exchange and datagram too. */
  readonly verbose: boolean;
  /** SA events and wakeups as they happen (default true). */
  readonly events?: boolean;
  /** Keep Wireshark's key tables for the live SAs here (secrets). */
  readonly wiresharkDir?: string;
}

export const round = (t: number): number => Math.round(t * 1000) / 1000;
const stamp = (t: number): string => `${t.toFixed(3).padStart(10)} s`;
export const out = (line: string): void => void process.stdout.write(line + '\n');

/** Reads a lab configuration file; a responder given as a path is read relative to it. */
export function readLabConfig(path: string): LabConfig {
  const labFile = resolve(path);
  return parseLabConfig(readJsonFile(path), `lab configuration ${path}`, (p) => {
    const file = resolve(dirname(labFile), p);
    return { value: readJsonFile(file), label: `responder configuration ${file}` };
  });
}

export async function startLab(cfg: LabConfig, label: string, dbFile: string, p: LabPrinting): Promise<{ lab: RunningLab; db: Database.Database }> {
  const catalog = new Catalog(undefined, join(defaultDataDir(), 'radio-profiles'));
  const radio = (id: string): LabRadio => {
    if (!catalog.ids('radio').includes(id)) throw new WakeLabError('INVALID_ARGUMENT', `${label}: radio profile "${id}" is unknown; known: ${catalog.ids('radio').join(', ')}`);
    const e = catalog.get('radio', id);
    return { profile: e.value, json: JSON.stringify(e.value) };
  };
  const { db } = openDatabase(dbFile);
  const events = p.events !== false;
  try {
    const lab = await runLab(cfg, {
      db,
      radio,
      ...(p.wiresharkDir ? { wiresharkDir: p.wiresharkDir } : {}),
      onEvent: (e, t) => {
        if (!events) return;
        if (isLifecycle(e) || (p.verbose && e.kind !== 'keepalive')) out(p.json ? jsonLine(e, t) : `${stamp(t)} ${textLine(e)}`);
      },
      onWakeups: (ws) => {
        if (!events) return;
        for (const w of ws) {
          out(p.json ? JSON.stringify({ kind: 'wakeup', t: round(w.t), client: w.client, n: w.n, cause: w.cause, stateLeft: w.stateLeft }) : `${stamp(w.t)} ${w.client}: ${wakeupText(w)}`);
        }
      },
      onCommit: (c, t) => {
        if (p.json && c.packets + c.events + c.wakeups > 0) out(JSON.stringify({ kind: 'commit', t: round(t), ...c }));
      },
      onCommitError: (e) => warn(`could not write to ${dbFile}, will retry: ${(dbError(dbFile, e) as Error).message}`),
    });
    const fallback = fallbackWarning(lab.responder);
    if (fallback) warn(fallback);
    return { lab, db };
  } catch (e) {
    db.close();
    throw listenError(dbError(dbFile, e), cfg.responder);
  }
}

/** The "listening" line of a lab. */
export function listeningLine(lab: RunningLab, cfg: LabConfig, dbFile: string, json: boolean): string {
  const l = cfg.responder.listen;
  const esp = lab.responder.espBackend;
  return json
    ? JSON.stringify({ kind: 'listening', lab: lab.labId, db: dbFile, address: l.address, ...lab.responder.ports, timeScale: cfg.timeScale, espBackend: esp.name, receive: lab.responder.receive.name })
    : `lab ${lab.labId}: responder listening on ${l.address} ports ${lab.responder.ports.ike} and ${lab.responder.ports.natt} as "${cfg.responder.localId}" (ESP: ${esp.name}; receive: ${lab.responder.receive.name})${cfg.timeScale !== 1 ? `, ${cfg.timeScale}x real time` : ''}; recording to ${dbFile}`;
}
