/**
 * WakeLab benchmark: `npm run bench` (full) or `npm run bench -- --quick` (10x smaller, a smoke
 * check). Prints the machine, each measurement with the baseline measured in the same run, and
 * the performance goals as met or not met. Always exits 0 when the benchmark itself ran; goals
 * are reported, not enforced (BENCHMARKS.md).
 *
 *   --quick           10x smaller run
 *   --only=a,b        run only some parts: trace, presets, sweep, ui, esp, ike, esp-testbed, lab
 *
 * The `esp` part (ESP per packet, the full data path against the bare cipher, about 50 s) is in
 * the default run. The `ike` part (IKE handshakes/s and memory per SA, WakeLab's responder against
 * charon) runs only when asked for with --only: its charon half needs root, and it takes a few
 * minutes.
 * WAKELAB_BENCH_IKE_CPU_PROF=DIR also writes and summarizes a CPU profile of WakeLab's responder;
 * WAKELAB_BENCH_IKE_WHATIF=1 adds a row for the same Responder with node:crypto (not shipped).
 * The `lab` part (1000 emulated clients against the live lab and against the responder alone;
 * lab-bench.ts) is opt-in as well: about 4 minutes. WAKELAB_BENCH_LAB_CLIENTS=N runs it with N clients
 * at a time scale that keeps the datagrams a second (a what-if: the lab's memory per client). WAKELAB_BENCH_LAB_CPU_PROF=DIR has each of its
 * gateways write a CPU profile there (DIR/full-1, DIR/bare-1, ...; node --cpu-prof). Its other
 * what-ifs (arms, another checkout as `baseline`, the settle time, rounds) are listed in lab-bench.ts
 * and BENCHMARKS.md ("What is measured").
 * The `esp-testbed` part (ESP packets/s through the interop testbed, WakeLab's responder against
 * charon as the gateway; esp-testbed-bench.ts) is opt-in too: root, about 4 minutes.
 * WAKELAB_BENCH_ESP_TESTBED_CPU_PROF=DIR adds a CPU profile of WakeLab's responder there;
 * WAKELAB_BENCH_ESP_TESTBED_NODE=1 adds a third gateway, WakeLab with `esp.backend: node`.
 */
import { existsSync } from 'node:fs';
import { loadavg } from 'node:os';
import { formatMachine, machineInfo } from './machine.ts';
import { benchPolicies, behaviourKey } from './policies.ts';
import { runPresetBench } from './preset-bench.ts';
import { loadPreset, loadRadio, loadScenario, presetIds } from './resources.ts';
import { fmtBytes, fmtMs, fmtRate, median, min, table } from './stats.ts';
import { ESP_BENCH_FULL, ESP_BENCH_QUICK, espReport, runEspBench } from './esp-bench.ts';
import { ESP_TESTBED_FULL, ESP_TESTBED_QUICK, espTestbedReport, runEspTestbedBench } from './esp-testbed-bench.ts';
import { IKE, runIkeBench, type IkeBenchConfig, type TargetResult } from './ike-bench.ts';
import { coresUsed, runSweepBench, warmMedian } from './sweep-bench.ts';
import { runTraceBench, summarizeTrace, type TraceBenchResult } from './trace-bench.ts';
import { runUiBench } from './ui-bench.ts';
import { LAB_BENCH_FULL, LAB_BENCH_QUICK, labReport, runLabBench } from './lab-bench.ts';

const GOAL_PKT_PER_S = 10_000_000;
const GOAL_RATIO = 3;
/** "Estimation should allocate ~nothing per packet": counted as met below this. */
const GOAL_ALLOC_B_PER_PACKET = 0.1;

const args = process.argv.slice(2);
const quick = args.includes('--quick');
const onlyArg = args.find((a) => a.startsWith('--only='));
const only = onlyArg ? new Set(onlyArg.slice('--only='.length).split(',')) : null;
const PARTS = ['sweep', 'presets', 'trace', 'ui', 'esp', 'ike', 'esp-testbed', 'lab'];
/** Parts that run only when named in --only. */
const OPT_IN = new Set(['ike', 'esp-testbed', 'lab']);
const unknown = [
  ...args.filter((a) => a !== '--quick' && !a.startsWith('--only=')),
  ...[...(only ?? [])].filter((p) => !PARTS.includes(p)).map((p) => `--only=${p}`),
];
if (unknown.length > 0) {
  console.error(`bench: unknown argument(s): ${unknown.join(' ')} (use --quick, --only=trace,presets,sweep,ui,esp,ike,esp-testbed,lab)`);
  process.exit(2);
}
const want = (part: string): boolean => (only ? only.has(part) : !OPT_IN.has(part));

const cfg = quick
  ? { packets: 1_000_000, traceWarmup: 1, traceRounds: 3, policies: 100, sweepPasses: 2, presetRuns: 3, uiRounds: 2, ike: { warmup: 50, total: 1000, rateCount: 200, checkpointEvery: 100 } }
  : { packets: 10_000_000, traceWarmup: 2, traceRounds: 5, policies: 1000, sweepPasses: 4, presetRuns: 5, uiRounds: 5, ike: { warmup: 2000, total: 10_000, rateCount: 2000, checkpointEvery: 500 } };
const SEED = 1;
const TRACE_SEED = 20240601;

const out = (s = ''): void => console.log(s);
const yes = (b: boolean): string => (b ? 'MET' : 'NOT MET');
const perPacket = (x: number | null): string => (x === null ? 'n/a (a GC ran in every round)' : `${x.toFixed(3)} B/packet`);

out(`# WakeLab benchmark${quick ? ' (--quick: 10x smaller)' : ''}`);
out();
out(formatMachine(machineInfo()));
out();

const lte = loadRadio('lte');
const idle = loadScenario('idle');
const goals: string[][] = [];

// ---------------------------------------------------------------------------------------------
if (want('sweep')) {
  out(`## Sweep of ${cfg.policies} policies over 24 h idle on lte`);
  out();
  const policies = benchPolicies(cfg.policies);
  const distinct = new Set(policies.map(behaviourKey)).size;
  out(`${policies.length} policies from strongswan-android (all pass parsePolicy; ${distinct} distinct settings). Seed ${SEED}, record: false.`);
  const res = await runSweepBench(policies, lte, idle, { modes: [0, 1, 2], passes: cfg.sweepPasses, seed: SEED }, (l) => out(l));
  out();
  const base = res.modes.find((m) => m.workers === 0)!;
  const baseWarm = warmMedian(base);
  const rows = res.modes.map((m) => {
    const warm = warmMedian(m);
    return [
      m.workers === 0 ? 'this thread (baseline)' : `SimPool(${m.workers})`,
      fmtMs(m.coldMs),
      m.warmMs.length ? fmtMs(warm) : '-',
      m.warmMs.length ? fmtMs(min(m.warmMs)) : '-',
      `${(res.jobs / (warm / 1000)).toFixed(0)}`,
      `${(baseWarm / warm).toFixed(2)}x`,
      `${(base.coldMs / m.coldMs).toFixed(2)}x`,
      coresUsed(m).toFixed(2),
    ];
  });
  out(table(['run', 'cold pass', 'warm (median)', 'warm (min)', 'sims/s (warm)', 'speed-up (warm)', 'speed-up (cold)', 'cores busy (warm)'], rows));
  out();
  const pool2 = res.modes.find((m) => m.workers === 2);
  out(
    `Cold pass: for a pool, from new SimPool() to the last result (worker start-up included); for this thread, the first pass (JIT warming up). ` +
      `Warm: ${cfg.sweepPasses - 1} further pass(es) on the same pool / thread. ` +
      `Cores busy: CPU time of this process (all threads) / wall time; below the pool size when other work shares the machine.`,
  );
  out(
    `All ways of running gave identical metrics for every policy: ${res.identical ? 'yes' : 'NO'}. ` +
      `Energy per day ${res.energyRangeJ[0].toFixed(0)}..${res.energyRangeJ[1].toFixed(0)} J, radio wakeups ${res.wakeupsRange[0]}..${res.wakeupsRange[1]}.`,
  );
  if (pool2) out(`SimPool.close(): ${fmtMs(pool2.closeMs)}.`);
  out();
  if (pool2) {
    goals.push([
      `sweep of ${res.jobs} policies, 24 h idle, lte, 2 workers`,
      'wall time, both cores (no number set)',
      `${fmtMs(pool2.coldMs)} cold, ${fmtMs(warmMedian(pool2))} warm; ${(baseWarm / warmMedian(pool2)).toFixed(2)}x the one-thread run`,
      'measured',
    ]);
  }
}

// ---------------------------------------------------------------------------------------------
if (want('presets')) {
  out('## One 24 h simulation of each preset (idle, lte, seed 1, this thread)');
  out();
  const presets = presetIds().map((id) => ({ id, policy: loadPreset(id) }));
  const rows = runPresetBench(presets, lte, idle, { warmup: 2, runs: cfg.presetRuns, seed: SEED });
  out(
    table(
      ['preset', 'ms / simulated day (median)', 'min', 'first run (cold)', 'radio wakeups', 'energy J'],
      rows.map((r) => [r.id, r.msPerDayMedian.toFixed(2), r.msPerDayMin.toFixed(2), fmtMs(r.firstMs), String(r.radioWakeups), r.energyJ.toFixed(1)]),
    ),
  );
  out(`(${cfg.presetRuns} timed runs per preset after 2 warm-up runs of every preset.)`);
  out();
}

// ---------------------------------------------------------------------------------------------
if (want('trace')) {
  out(`## Energy estimation over a ${cfg.packets.toLocaleString('en-US')}-packet synthetic trace (lte)`);
  out();
  const results: TraceBenchResult[] = [];
  for (const withCause of [false, true]) {
    const r = await runTraceBench(lte, {
      packets: cfg.packets,
      seed: TRACE_SEED,
      warmup: cfg.traceWarmup,
      rounds: cfg.traceRounds,
      withCause,
    });
    results.push(r);
  }
  const r0 = results[0]!;
  out(
    `Trace: seed ${TRACE_SEED}, ${r0.synth.bursts.toLocaleString('en-US')} bursts over ${(r0.synth.durationS / 86400).toFixed(1)} simulated days, ` +
      `${(r0.synth.upShare * 100).toFixed(1)} % uplink, mean ${r0.synth.meanBytes.toFixed(0)} B/packet; generated in ${fmtMs(r0.genMs)}.`,
  );
  out(
    `Estimate: ${r0.energy.energyJ.toFixed(1)} J, ${r0.energy.radioWakeups.toLocaleString('en-US')} radio wakeups ` +
      `(${(r0.packets / r0.energy.radioWakeups).toFixed(1)} packets per wakeup). ` +
      `Bare-loop checksum: time sum ${r0.checksum.timeSum.toExponential(12)}, bytes sum ${r0.checksum.bytesSum}.`,
  );
  out(`Timed rounds: ${cfg.traceRounds} of each, interleaved, after ${cfg.traceWarmup} warm-up call(s) of each.`);
  out();
  const rows = results.flatMap((r) => {
    const s = summarizeTrace(r);
    const label = r.withCause ? 'with cause column' : 'no cause column';
    return [
      [`estimateTrace (${label})`, fmtMs(s.estMedMs), fmtMs(s.estMinMs), `${fmtRate(s.pktPerSMedian)}/s`, `${fmtRate(s.pktPerSBest)}/s`, `${s.ratioMedian.toFixed(2)}x`, `${s.ratioMin.toFixed(2)}x`],
      [`bare loop (same trace)`, fmtMs(s.bareMedMs), fmtMs(s.bareMinMs), `${fmtRate(s.barePktPerSMedian)}/s`, `${fmtRate(r.packets / (s.bareMinMs / 1000))}/s`, '1.00x', '1.00x'],
    ];
  });
  out(table(['run', 'median', 'min', 'packets/s (median)', 'packets/s (best)', 'ratio (median)', 'ratio (min)'], rows));
  out();
  out('Memory:');
  for (const r of results) {
    out(
      `  ${r.withCause ? 'with cause' : 'no cause  '}: trace ${fmtBytes(r.traceBytes)} = ${r.bytesPerPacket.toFixed(1)} B/packet; ` +
        `per estimate round${r.gcForced ? ' (after a forced GC)' : ''}: heapUsed delta ${r.heapDelta.map(fmtBytes).join(', ')}; ` +
        `RSS delta ${r.rssDelta.map(fmtBytes).join(', ')}; GCs during the round ${r.gcsDuring.join(', ')}`,
    );
    out(
      `              heap allocated by the estimator: ${perPacket(r.allocPerPacket)} over the whole trace (rounds without a GC), ` +
        `${perPacket(r.probe.allocPerPacket)} on a ${r.probe.packets.toLocaleString('en-US')}-packet prefix (median of ${r.probe.rounds}, rounds without a GC)`,
    );
  }
  out();
  for (const r of results) {
    const s = summarizeTrace(r);
    const tag = r.withCause ? ' (cause column)' : '';
    goals.push([`trace: packets/s${tag}`, `>= ${fmtRate(GOAL_PKT_PER_S)}/s`, `${fmtRate(s.pktPerSMedian)}/s median`, yes(s.pktPerSMedian >= GOAL_PKT_PER_S)]);
    goals.push([`trace: estimate / bare loop${tag}`, `<= ${GOAL_RATIO}x`, `${s.ratioMedian.toFixed(2)}x median`, yes(s.ratioMedian <= GOAL_RATIO)]);
    const alloc = r.allocPerPacket;
    goals.push([
      `trace: heap allocated while estimating${tag} (our goal, not the issue's)`,
      `~0 (< ${GOAL_ALLOC_B_PER_PACKET} B/packet)`,
      `${perPacket(alloc)} (${perPacket(r.probe.allocPerPacket)} on ${fmtRate(r.probe.packets)} packets)`,
      (alloc ?? r.probe.allocPerPacket) === null ? 'unknown' : yes((alloc ?? r.probe.allocPerPacket)! < GOAL_ALLOC_B_PER_PACKET),
    ]);
  }
}

// ---------------------------------------------------------------------------------------------
if (want('ui')) {
  out('## App start-up in browser mode (wakelab serve + Chromium)');
  out();
  if (!existsSync(new URL('../../out/renderer/index.html', import.meta.url))) {
    out('Skipped: the renderer is not built (run `npm run build` first).');
  } else {
    const ui = await runUiBench(cfg.uiRounds, (l) => out(l));
    out();
    const med = (f: (r: (typeof ui.rounds)[number]) => number) => median(ui.rounds.map(f));
    const cli = median(ui.cliMs);
    out(
      table(
        ['from spawning wakelab serve to', 'median', 'min', 'ratio to the CLI baseline'],
        [
          ['the URL line', fmtMs(med((r) => r.serveMs)), fmtMs(min(ui.rounds.map((r) => r.serveMs))), `${(med((r) => r.serveMs) / cli).toFixed(2)}x`],
          ['interactive (presets listed, Run enabled)', fmtMs(med((r) => r.interactiveMs)), fmtMs(min(ui.rounds.map((r) => r.interactiveMs))), `${(med((r) => r.interactiveMs) / cli).toFixed(2)}x`],
          ['first comparison table (3 presets, 24 h, lte)', fmtMs(med((r) => r.tableMs)), fmtMs(min(ui.rounds.map((r) => r.tableMs))), `${(med((r) => r.tableMs) / cli).toFixed(2)}x`],
          ['baseline: `wakelab compare --json --no-store`, same inputs', fmtMs(cli), fmtMs(min(ui.cliMs)), '1.00x'],
        ],
      ),
    );
    out();
    const js = ui.bundle.filter((b) => b.file.endsWith('.js')).reduce((s, b) => s + b.gzip, 0);
    for (const b of ui.bundle) out(`  ${b.file}: ${fmtBytes(b.bytes)}, ${fmtBytes(b.gzip)} gzip`);
    out();
    goals.push(['app: serve start to interactive', '< 1.5 s', `${fmtMs(med((r) => r.interactiveMs))} median`, yes(med((r) => r.interactiveMs) < 1500)]);
    goals.push(['app: serve start to first comparison table', '(reported)', `${fmtMs(med((r) => r.tableMs))} median`, 'measured']);
    goals.push(['renderer JavaScript, gzip', '< 250 kB', fmtBytes(js), yes(js < 250_000)]);
  }
  out();
}

// ---------------------------------------------------------------------------------------------
if (want('esp')) {
  out('## ESP per packet: the full data path against the bare cipher of the same backend');
  out();
  const espCfg = quick ? ESP_BENCH_QUICK : ESP_BENCH_FULL;
  const report = espReport(await runEspBench(espCfg), espCfg);
  for (const l of report.lines) out(l);
  out();
  goals.push(...report.goals);
}

// ---------------------------------------------------------------------------------------------
if (want('ike')) {
  const ikeCfg: IkeBenchConfig = {
    ...cfg.ike,
    concurrency: 32,
    charonThreads: 16,
    // strongSwan's defaults are 1 and 1 (one linked list of all IKE_SAs, one lock); its docs
    // advise a larger table for many SAs. The comparison is with charon tuned so (BENCHMARKS.md).
    charonTable: { size: 4096, segments: 16 },
    ...(process.env.WAKELAB_BENCH_IKE_CPU_PROF ? { cpuProfDir: process.env.WAKELAB_BENCH_IKE_CPU_PROF } : {}),
    whatIf: process.env.WAKELAB_BENCH_IKE_WHATIF === '1',
  };
  out(`## IKE handshakes: WakeLab's responder and charon on loopback, the same load`);
  out();
  out(
    `Each handshake: IKE_SA_INIT + IKE_AUTH (PSK, virtual IP from ${IKE.pool}, one CHILD_SA), IKE ${IKE.ikeProposal}, ESP ${IKE.espProposal}, ` +
      `DPD and rekeys off, a fresh WakeLab Initiator with its own identity (INITIAL_CONTACT replaces nothing). ` +
      `Load: test/bench/ike/driver.ts in its own process (node:crypto for its own crypto), ${ikeCfg.concurrency} handshakes in flight over one socket pair. ` +
      `${ikeCfg.warmup} untimed warm-up handshakes, whose SAs the driver then deletes (both responders start the timed run warm and with an empty table), memory at rest, ${ikeCfg.warmup} more untimed handshakes deleted again (the forced GC of the at-rest measurement makes V8 drop optimized code), ${ikeCfg.total.toLocaleString('en-US')} timed handshakes, memory at rest again.`,
  );
  const r = await runIkeBench(ikeCfg, (l) => out(l));
  out();
  const targets: TargetResult[] = [r.wakelab, ...('skipped' in r.charon ? [] : [r.charon]), ...(r.whatIf ? [r.whatIf] : [])];
  const n1 = ikeCfg.rateCount.toLocaleString('en-US');
  const nAll = ikeCfg.total.toLocaleString('en-US');
  out(
    table(
      ['responder', `handshakes/s (first ${n1})`, `handshakes/s (all ${nAll})`, 'responder CPU / handshake', 'responder cores busy', 'driver cores busy', 'latency median / p99', 'failed / retransmitted'],
      targets.map((t) => [
        t.name,
        t.rateFirst.toFixed(0),
        t.rateAll.toFixed(0),
        `${t.cpuMsFirst.toFixed(2)} ms (${t.cpuMsAll.toFixed(2)} all)`,
        t.responderCores.toFixed(2),
        t.driverCores.toFixed(2),
        `${fmtMs(t.done.latencyMs.median)} / ${fmtMs(t.done.latencyMs.p99)}`,
        `${t.done.failures} / ${t.done.retransmits}`,
      ]),
    ),
  );
  out();
  out('Rate as the SA tables fill (timed handshakes, counted after the warm-up): handshakes/s, and the responder\'s CPU per handshake:');
  out();
  out(
    table(
      ['handshakes', ...targets.map((t) => t.name)],
      r.wakelab.blocks.map((b, i) => [`${b.from}-${b.to}`, ...targets.map((t) => (t.blocks[i] ? `${t.blocks[i]!.rate.toFixed(0)}/s, ${t.blocks[i]!.cpuMs.toFixed(2)} ms` : '-'))]),
    ),
  );
  out();
  for (const t of targets) {
    if (t.done.failures > 0 || t.childSas < t.ikeSas || t.ikeSas !== ikeCfg.total) {
      out(`WARNING: ${t.name}: ${t.done.failures} failed handshakes (${JSON.stringify(t.done.failureReasons)}), ${t.ikeSas} IKE_SAs and ${t.childSas} CHILD_SAs held (expected ${ikeCfg.total} each): its figures are not comparable.`);
    }
  }
  const perSa = (t: TargetResult): number => (t.after.rss - t.before.rss) / ikeCfg.total;
  out(
    table(
      ['responder', 'IKE_SAs / CHILD_SAs held', 'RSS before', 'RSS after', 'RSS per SA', 'live heap per SA'],
      targets.map((t) => [
        t.name,
        `${t.ikeSas} / ${t.childSas}`,
        fmtBytes(t.before.rss),
        fmtBytes(t.after.rss),
        `${perSa(t).toFixed(0)} B`,
        t.before.live && t.after.live
          ? `${((t.after.live.heapUsed + t.after.live.external - t.before.live.heapUsed - t.before.live.external) / ikeCfg.total).toFixed(0)} B (V8 heapUsed + external, after 2 forced GCs)`
          : t.before.mallocUsed != null && t.after.mallocUsed != null
            ? `${((t.after.mallocUsed - t.before.mallocUsed) / ikeCfg.total).toFixed(0)} B (glibc malloc "used", swanctl --stats)`
            : '-',
      ]),
    ),
  );
  out();
  for (const t of targets) out(`${t.name}: ${t.notes.join('; ')}. Load average ${t.load.start.toFixed(2)} at its start, ${t.load.end.toFixed(2)} at its end.`);
  out(
    `Cores busy (first ${n1}): the responder process (all threads) and the driver, from /proc and process.cpuUsage(). The machine has ${machineInfo().logicalCpus} logical CPUs, shared with other users; ` +
      `when the responder's and the driver's cores together reach what is free, the rate is the machine's, not the responder's limit, and CPU per handshake is the fairer comparison.`,
  );
  out(
    `"Before" is at rest after the ${ikeCfg.warmup} warm-up SAs were made and deleted, "after" at rest 2 s after the last timed handshake; per SA = (after - before) / ${nAll}. ` +
      `WakeLab's RSS includes V8 heap not yet returned to the OS; its live heap is measured after forced GCs through the inspector. ` +
      `charon's RSS includes 16 worker threads' malloc arenas. Neither includes the kernel's share (charon's TUN routes, socket buffers).`,
  );
  if (r.wakelab.profile) {
    out();
    out(r.wakelab.profile);
  }
  out();
  if ('skipped' in r.charon) {
    out(`charon skipped: ${r.charon.skipped}.`);
    goals.push(['IKE: handshakes/s, WakeLab / charon', '>= 1.00x', `${r.wakelab.rateFirst.toFixed(0)}/s; charon not run`, 'unknown']);
    goals.push(['IKE: memory per SA at 10 000 SAs, WakeLab / charon', '<= 1.00x', `${perSa(r.wakelab).toFixed(0)} B RSS; charon not run`, 'unknown']);
  } else {
    const ch = r.charon;
    const rate = r.wakelab.rateFirst / ch.rateFirst;
    const mem = perSa(r.wakelab) / perSa(ch);
    out(`Ratios WakeLab / charon: handshakes/s ${rate.toFixed(3)}x over the first ${n1} (${(r.wakelab.rateAll / ch.rateAll).toFixed(3)}x over all ${nAll}); responder CPU per handshake ${(r.wakelab.cpuMsFirst / ch.cpuMsFirst).toFixed(2)}x (${(r.wakelab.cpuMsAll / ch.cpuMsAll).toFixed(2)}x over all); RSS per SA ${mem.toFixed(2)}x.`);
    if (r.whatIf) {
      const w = r.whatIf;
      out(`What-if (node:crypto) / charon: handshakes/s ${(w.rateFirst / ch.rateFirst).toFixed(3)}x over the first ${n1} (${(w.rateAll / ch.rateAll).toFixed(3)}x over all); CPU per handshake ${(w.cpuMsFirst / ch.cpuMsFirst).toFixed(2)}x; RSS per SA ${(perSa(w) / perSa(ch)).toFixed(2)}x. Not a goal: WakeLab does not ship it.`);
    }
    out();
    goals.push([`IKE: handshakes/s (first ${n1}), WakeLab / charon`, '>= 1.00x', `${r.wakelab.rateFirst.toFixed(0)} vs ${ch.rateFirst.toFixed(0)}/s: ${rate.toFixed(3)}x`, yes(rate >= 1)]);
    goals.push([`IKE: RSS per SA at ${nAll} SAs, WakeLab / charon`, '<= 1.00x', `${perSa(r.wakelab).toFixed(0)} vs ${perSa(ch).toFixed(0)} B: ${mem.toFixed(2)}x`, yes(mem <= 1)]);
  }
} else if (!only) {
  out('IKE handshakes (WakeLab vs charon) skipped: opt-in, as its charon half needs root (a network namespace) and it takes about 3 minutes; run `npm run bench -- --only=ike`.');
  out();
}

// ---------------------------------------------------------------------------------------------
if (want('esp-testbed')) {
  const tbCfg = {
    ...(quick ? ESP_TESTBED_QUICK : ESP_TESTBED_FULL),
    ...(process.env.WAKELAB_BENCH_ESP_TESTBED_CPU_PROF ? { cpuProfDir: process.env.WAKELAB_BENCH_ESP_TESTBED_CPU_PROF } : {}),
    nodeBackend: process.env.WAKELAB_BENCH_ESP_TESTBED_NODE === '1',
  };
  out('## ESP through the testbed: WakeLab vs charon as the gateway, the same charon client and load');
  out();
  let logged = false;
  const result = await runEspTestbedBench(tbCfg, (l) => {
    logged = true;
    out(l);
  });
  if (logged) out();
  const report = espTestbedReport(result, tbCfg);
  for (const l of report.lines) out(l);
  out();
  goals.push(...report.goals);
} else if (!only) {
  out('ESP through the testbed (WakeLab vs charon as the gateway) skipped: opt-in, as it needs root (network namespaces) and takes about 4 minutes; run `npm run bench -- --only=esp-testbed`.');
  out();
}

// ---------------------------------------------------------------------------------------------
if (want('lab')) {
  // WAKELAB_BENCH_LAB_CLIENTS=N (a what-if): N clients at 60,000/N times real time, the same datagrams a second.
  const whatIfClients = Number(process.env.WAKELAB_BENCH_LAB_CLIENTS ?? 0);
  const sized = quick ? LAB_BENCH_QUICK : whatIfClients > 0 ? { ...LAB_BENCH_FULL, clients: whatIfClients, timeScale: (LAB_BENCH_FULL.timeScale * LAB_BENCH_FULL.clients) / whatIfClients } : LAB_BENCH_FULL;
  // WAKELAB_BENCH_LAB_ROUNDS=N: N rounds instead of 3 (more paired slices for the median on a noisy machine).
  const rounds = Number(process.env.WAKELAB_BENCH_LAB_ROUNDS ?? 0);
  const labCfg = Number.isInteger(rounds) && rounds > 0 ? { ...sized, rounds } : sized;
  out(`## The live lab: ${labCfg.clients} emulated clients, the estimator and store against the responder alone`);
  out();
  const result = await runLabBench(labCfg, out);
  out();
  const report = labReport(result, labCfg);
  for (const l of report.lines) out(l);
  out();
  goals.push(...report.goals);
} else if (!only) {
  out('The live lab with 1000 emulated clients skipped: opt-in (about 4 minutes); run `npm run bench -- --only=lab`.');
  out();
}

// ---------------------------------------------------------------------------------------------
if (goals.length > 0) {
  out('## Goals');
  out();
  out(table(['goal', 'target', 'measured', 'status'], goals));
  out();
}
out(`Load average at the end: ${loadavg().map((x) => x.toFixed(2)).join(' ')} (1/5/15 min).`);
process.exitCode = 0;
