// Architecture rules for src-main/core (docs/architecture.md): sans-IO, and arrows point down.
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { formatFindings, scanLayering, scanSansIo, type Finding } from '../support/sans-io-scan.ts';

const repo = resolve(import.meta.dirname, '../..');
const srcMain = join(repo, 'src-main');
const coreDir = join(srcMain, 'core');

function tsFiles(dir: string): string[] {
  let entries;
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    return [];
  }
  return entries.flatMap((e) => {
    const path = join(dir, e.name);
    if (e.isDirectory()) return tsFiles(path);
    return /\.[mc]?ts$/.test(e.name) ? [path] : [];
  });
}

function scanCore(scan: (source: string, file: string) => Finding[]): Finding[] {
  return tsFiles(coreDir).flatMap((file) => scan(readFileSync(file, 'utf8'), file));
}

describe('src-main/core is sans-IO', () => {
  it('has TypeScript sources to check', () => {
    expect(tsFiles(coreDir).length, `no .ts files under ${coreDir}`).toBeGreaterThan(0);
  });

  it('imports no electron, node builtins or better-sqlite3, and reads no clock, timer or randomness', () => {
    const findings = scanCore(scanSansIo);
    expect(findings, `banned in core:\n${formatFindings(findings, repo)}`).toEqual([]);
  });

  it('imports nothing from the layers above it (node, app, cli, bridge)', () => {
    const findings = scanCore((source, file) => scanLayering(source, file, srcMain));
    expect(findings, `core reaches up:\n${formatFindings(findings, repo)}`).toEqual([]);
  });
});

describe('the sans-IO scanner itself', () => {
  // Each snippet sits on line 2 of its synthetic file, after a clean line.
  const banned: ReadonlyArray<[string, string]> = [
    ['electron', `import { app } from 'electron';`],
    ['electron subpath', `import { ipcMain } from 'electron/main';`],
    ['node: scheme', `import { readFile } from 'node:fs/promises';`],
    ['node: scheme, type-only', `import type { Socket } from 'node:dgram';`],
    ['fs', `import * as fs from 'fs';`],
    ['fs/promises', `import { readFile } from 'fs/promises';`],
    ['path', `import path from 'path';`],
    ['os', `import os from 'os';`],
    ['crypto', `import { randomBytes } from 'crypto';`],
    ['dgram', `import dgram from 'dgram';`],
    ['net', `import net from 'net';`],
    ['worker_threads', `import { Worker } from 'worker_threads';`],
    ['child_process', `import { spawn } from 'child_process';`],
    ['better-sqlite3', `import Database from 'better-sqlite3';`],
    ['re-export', `export { x } from 'node:os';`],
    ['side-effect import', `import 'fs';`],
    ['dynamic import', `const m = await import('net');`],
    ['require', `const fs = require('fs');`],
    ['import = require', `import fs = require('fs');`],
    ['import type node', `type S = import('node:net').Socket;`],
    ['Date.now', `const t = Date.now();`],
    ['globalThis.Date.now', `const t = globalThis.Date.now();`],
    ['new Date(', `const d = new Date();`],
    ['Date()', `const s = Date();`],
    ['performance.now', `const t = performance.now();`],
    ['setTimeout', `setTimeout(() => {}, 5);`],
    ['globalThis.setTimeout', `globalThis.setTimeout(() => {}, 5);`],
    ['setTimeout as a value', `const later = setTimeout;`],
    ['setInterval', `const h = setInterval(tick, 1000);`],
    ['setImmediate', `setImmediate(run);`],
    ['Math.random', `const r = Math.random();`],
    ["Math['random']", `const r = Math['random']();`],
  ];

  it.each(banned)('flags %s', (_name, snippet) => {
    const findings = scanSansIo(`export const ok = 1;\n${snippet}\n`, 'synthetic.ts');
    expect(findings.length, snippet).toBeGreaterThan(0);
    expect(findings.every((f) => f.line === 2 && f.file === 'synthetic.ts'), JSON.stringify(findings)).toBe(true);
  });

  it('flags `/// <reference types="node" />`', () => {
    expect(scanSansIo('/// <reference types="node" />\nexport {};\n', 'synthetic.ts')).toHaveLength(1);
  });

  it('does not flag mentions in comments or strings, or look-alike names', () => {
    const clean = [
      `// Date.now(), setTimeout and Math.random are banned here; import 'fs' is too.`,
      `/* new Date() */ const s = 'setTimeout Date.now() node:fs';`,
      `const template = \`Math.random() \${s}\`;`,
      `import { bytesToHex } from '@noble/hashes/utils.js';`,
      `import { Reader } from '../bytes/reader.ts';`,
      `export interface Timers { setTimeout(deadline: number): void }`,
      `const timers = { setInterval: 5 };`,
      `export function next(now: number, deadline: { now: number }) { return deadline.now - now; }`,
      `const fsm = 'fs'; const pathological = fsm;`,
      `export function tick(clock: { setTimeout(n: number): void }) { clock.setTimeout(1); }`,
    ].join('\n');
    expect(scanSansIo(clean, 'clean.ts')).toEqual([]);
  });

  it('flags imports from core into node, app, cli and bridge, by file and line', () => {
    const file = join(coreDir, 'ike', 'responder.ts');
    const source = [
      `import { Reader } from '../bytes/reader.ts';`,
      `import { UdpAdapter } from '../../node/udp.ts';`,
      `import type { Handlers } from '../../app/ipc.ts';`,
      `export { main } from '../../cli/main.ts';`,
      `const b = await import('../../bridge/server.ts');`,
      `import { x } from 'src-main/node/store.ts';`,
    ].join('\n');
    const findings = scanLayering(source, file, srcMain);
    expect(findings.map((f) => f.line)).toEqual([2, 3, 4, 5, 6]);
    expect(findings.every((f) => f.file === file)).toBe(true);
  });

  it('allows imports within core and from packages', () => {
    const file = join(coreDir, 'esp', 'child-sa.ts');
    const source = `import { Reader } from '../bytes/reader.ts';\nimport { gcm } from '@noble/ciphers/aes.js';\nimport { nodeish } from './node/x.ts';\n`;
    expect(scanLayering(source, file, srcMain)).toEqual([]);
  });
});
