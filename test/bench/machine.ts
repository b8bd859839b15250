/** What the benchmark ran on: CPU, cores, memory, Node, load. Printed with every report. */
import { readFileSync } from 'node:fs';
import { availableParallelism, cpus, loadavg, release, totalmem } from 'node:os';

export interface MachineInfo {
  cpuModel: string;
  /** CPUID family/model, nominal MHz, and whether Linux reports a hypervisor (Linux only). */
  cpuDetail: string;
  logicalCpus: number;
  availableParallelism: number;
  ramGiB: number;
  node: string;
  v8: string;
  os: string;
  date: string;
  loadAvg: [number, number, number];
}

function cpuDetail(): string {
  try {
    const info = readFileSync('/proc/cpuinfo', 'utf8');
    const field = (name: string): string | undefined => new RegExp(`^${name}\\s*:\\s*(.+)$`, 'm').exec(info)?.[1]?.trim();
    const parts = [`family ${field('cpu family') ?? '?'} model ${field('model') ?? '?'}`, `${field('cpu MHz') ?? '?'} MHz`];
    if (/^flags\s*:.*\bhypervisor\b/m.test(info)) parts.push('virtual machine');
    return parts.join(', ');
  } catch {
    return 'n/a';
  }
}

function cpuModel(): string {
  try {
    const m = /^model name\s*:\s*(.+)$/m.exec(readFileSync('/proc/cpuinfo', 'utf8'));
    if (m) return m[1]!.trim();
  } catch {
    // not Linux: fall back to what Node reports
  }
  return cpus()[0]?.model ?? 'unknown';
}

export function machineInfo(): MachineInfo {
  const [a, b, c] = loadavg();
  return {
    cpuModel: cpuModel(),
    cpuDetail: cpuDetail(),
    logicalCpus: cpus().length,
    availableParallelism: availableParallelism(),
    ramGiB: totalmem() / 2 ** 30,
    node: process.version,
    v8: process.versions.v8,
    os: `${process.platform} ${release()} ${process.arch}`,
    date: new Date().toISOString(),
    loadAvg: [a!, b!, c!],
  };
}

export function formatMachine(m: MachineInfo): string {
  return [
    `CPU:    ${m.cpuModel} (${m.cpuDetail}; ${m.logicalCpus} logical CPUs, availableParallelism ${m.availableParallelism})`,
    `RAM:    ${m.ramGiB.toFixed(1)} GiB`,
    `Node:   ${m.node} (V8 ${m.v8}), ${m.os}`,
    `Date:   ${m.date}`,
    `Load:   ${m.loadAvg.map((x) => x.toFixed(2)).join(' ')} (1/5/15 min, at start; the machine is shared)`,
  ].join('\n');
}
