/**
 * The UDP load of the `esp-testbed` benchmark, run inside the client namespace (behind the
 * client's charon): datagrams from the client's virtual IP to the protected host's Discard port,
 * each sized so that the inner IPv4 packet is `innerBytes` long (20-octet IP header, 8-octet UDP
 * header, the rest payload), for `durationS` seconds, either as fast as it can (`ratePps` null)
 * or paced at `ratePps` (bursts every millisecond, never ahead of the schedule).
 *
 *   node --import tsx test/bench/esp-testbed/blaster.ts '<BlastConfig as JSON>'
 *
 * Prints one JSON line, BlastDone, when every send has completed. "sent" counts sends the kernel
 * accepted: a datagram the client's TUN device then drops (its queue full while charon is busy)
 * still counts as sent, as UDP reports no such loss to the sender.
 */
import dgram from 'node:dgram';
import { readFileSync } from 'node:fs';

export interface BlastConfig {
  /** Source address (the client's virtual IP) and destination. */
  src: string;
  dst: string;
  port: number;
  /** Size of the inner IPv4 packet, octets (>= 28). */
  innerBytes: number;
  durationS: number;
  /** Datagrams per second; null: as fast as the socket takes them. */
  ratePps: number | null;
  /** Processes whose CPU time (all threads, /proc/<pid>/stat) is read at the first and the last send. */
  watch?: Record<string, number>;
}

export interface BlastDone {
  kind: 'done';
  /** Sends issued, completed without error, and failed (by error code). */
  issued: number;
  sent: number;
  errors: Record<string, number>;
  /** Seconds from the first send to the last one issued. */
  durationS: number;
  /** The first and the last send on CLOCK_MONOTONIC (process.hrtime), seconds: the benchmark's clock too. */
  t0: number;
  t1: number;
  /** This process's CPU seconds (user + system) while sending. */
  cpuS: number;
  /** CPU seconds of each watched process over the same span (null: it was gone). */
  watchCpuS: Record<string, number | null>;
  /** The whole machine over the same span (/proc/stat): busy and stolen CPU seconds. */
  machine: { busyS: number; stealS: number };
}

/** Sends issued whose callback has not run yet, at most. */
const MAX_IN_FLIGHT = 2048;
/** Sends per turn of the event loop. */
const BURST = 256;

const clock = (): number => Number(process.hrtime.bigint()) / 1e9;
const TICKS = 100; // USER_HZ (getconf CLK_TCK)

function procCpuS(pid: number): number | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(f[11]) + Number(f[12])) / TICKS;
  } catch {
    return null;
  }
}

/** Busy (user, nice, system, irq, softirq) and steal seconds of all CPUs since boot. */
function machineS(): { busyS: number; stealS: number } {
  const f = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number);
  const [user = 0, nice = 0, system = 0, , , irq = 0, softirq = 0, steal = 0] = f;
  return { busyS: (user + nice + system + irq + softirq) / TICKS, stealS: steal / TICKS };
}

function watchAll(watch: Record<string, number>): Record<string, number | null> {
  return Object.fromEntries(Object.entries(watch).map(([k, pid]) => [k, procCpuS(pid)]));
}

async function main(): Promise<void> {
  const c = JSON.parse(process.argv[2] ?? '') as BlastConfig;
  if (!(c.innerBytes >= 28 && c.innerBytes <= 65535)) throw new Error(`innerBytes ${c.innerBytes}: expected 28..65535`);
  const payload = Buffer.alloc(c.innerBytes - 28, 0x5a);
  const sock = dgram.createSocket('udp4');
  await new Promise<void>((ok, fail) => {
    sock.once('error', fail);
    sock.bind({ address: c.src, port: 0 }, () => {
      sock.off('error', fail);
      ok();
    });
  });
  sock.on('error', () => {}); // counted per send below
  // connect(): the kernel looks the route up once, not per datagram.
  await new Promise<void>((ok) => sock.connect(c.port, c.dst, () => ok()));
  let issued = 0;
  let completed = 0;
  let sent = 0;
  const errors: Record<string, number> = {};
  const onSent = (err: Error | null): void => {
    completed++;
    if (err) {
      const code = (err as NodeJS.ErrnoException).code ?? err.message;
      errors[code] = (errors[code] ?? 0) + 1;
    } else sent++;
  };
  const watch = c.watch ?? {};
  const w0 = watchAll(watch);
  const m0 = machineS();
  let w1 = w0;
  let m1 = m0;
  const cpu0 = process.cpuUsage();
  const t0 = clock();
  let tLast = t0;
  await new Promise<void>((done) => {
    const turn = (): void => {
      const el = clock() - t0;
      if (el >= c.durationS) {
        w1 = watchAll(watch);
        m1 = machineS();
        done();
        return;
      }
      let n = Math.min(BURST, MAX_IN_FLIGHT - (issued - completed));
      if (c.ratePps !== null) n = Math.min(n, Math.floor(c.ratePps * el) + 1 - issued);
      for (let i = 0; i < n; i++) {
        sock.send(payload, onSent);
        issued++;
      }
      if (n > 0) tLast = clock();
      // Paced: sleep until the next millisecond instead of spinning (the machine is small).
      if (c.ratePps !== null && n <= 0) setTimeout(turn, 1);
      else setImmediate(turn);
    };
    turn();
  });
  const deadline = clock() + 5;
  while (completed < issued && clock() < deadline) await new Promise((ok) => setTimeout(ok, 10));
  const cpu = process.cpuUsage(cpu0);
  const watchCpuS = Object.fromEntries(Object.keys(watch).map((k) => [k, w0[k] != null && w1[k] != null ? w1[k]! - w0[k]! : null]));
  const machine = { busyS: m1.busyS - m0.busyS, stealS: m1.stealS - m0.stealS };
  const out: BlastDone = { kind: 'done', issued, sent, errors, durationS: tLast - t0, t0, t1: tLast, cpuS: (cpu.user + cpu.system) / 1e6, watchCpuS, machine };
  process.stdout.write(JSON.stringify(out) + '\n');
  sock.close();
}

main().catch((e: unknown) => {
  process.stdout.write(JSON.stringify({ kind: 'error', message: (e as Error).message }) + '\n');
  process.exitCode = 1;
});
