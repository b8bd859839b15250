import type { Command } from 'commander';
import { CAUSES } from '../../core/causes.ts';
import type { SimulateResult } from '../../node/lab-service.ts';
import { collect, makeService, numberOption, printJson, warn, type GlobalOptions } from '../context.ts';
import { hoursText, num, seconds } from '../format.ts';
import { progressBar } from '../progress.ts';

interface Options {
  policy: string;
  radio: string;
  scenario: string;
  hours?: number;
  seed?: number;
  set?: string[];
  json?: boolean;
  store: boolean;
}

export function registerSimulate(program: Command): void {
  program
    .command('simulate')
    .description('simulate one policy on one radio profile and scenario')
    .requiredOption('--policy <preset|file.json>', 'policy preset id or policy file')
    .option('--radio <profile|file.json>', 'radio profile id or file', 'lte')
    .option('--scenario <name|file.json>', 'scenario id or file', 'idle')
    .option('--hours <H>', 'simulated hours (default: the scenario\'s, 24)', numberOption('--hours'))
    .option('--seed <N>', 'random seed (same seed, same result)', numberOption('--seed'), 1)
    .option('--set <KEY=VALUE>', 'override one field for this run, e.g. policy.client.keepaliveS=600 (repeatable)', collect)
    .option('--json', 'print one JSON document')
    .option('--no-store', 'do not record the run in the database')
    .addHelpText(
      'after',
      '\nExamples:\n  wakelab simulate --policy strongswan-android\n  wakelab simulate --policy ios-dpd-medium --radio nr-sa --scenario periodic-push --hours 6\n  wakelab simulate --policy strongswan-android --set policy.client.keepaliveS=110 --set scenario.natTimeoutS=300 --json',
    )
    .action((opts: Options, cmd: Command) => {
      const service = makeService(cmd.optsWithGlobals<GlobalOptions>());
      const bar = progressBar('simulating');
      try {
        const r = service.simulate(
          { policy: opts.policy, radio: opts.radio, scenario: opts.scenario, hours: opts.hours, seed: opts.seed, set: opts.set, store: opts.store },
          (done) => bar.update(Math.round(done * 100), 100),
        );
        bar.stop();
        for (const w of r.warnings) warn(w);
        if (opts.json) printJson(toJson(r));
        else process.stdout.write(describe(r) + '\n');
      } finally {
        bar.stop();
        service.close();
      }
    });
}

function toJson(r: SimulateResult) {
  return {
    runId: r.runId,
    policy: r.policy,
    radio: { id: r.radio.id, name: r.radio.name },
    scenario: r.scenario,
    seed: r.seed,
    overrides: r.overrides,
    metrics: r.metrics,
  };
}

function byCause(rec: Record<string, number>, digits: number, unit: string): string {
  return CAUSES.filter((c) => rec[c]! > 0)
    .map((c) => `${c} ${num(rec[c]!, digits)}${unit}`)
    .join(', ');
}

export function describe(r: SimulateResult): string {
  const m = r.metrics;
  const h = m.durationS / 3600;
  const det = m.detectionLatencyS;
  const detText = (v: number | null, applies: boolean | null): string => (applies === null ? 'n/a' : applies ? seconds(v) : 'not detected');
  return [
    `${r.policy.name} (${r.policy.id}) on ${r.radio.id}, scenario ${r.scenario.id}, ${hoursText(h)}, seed ${r.seed}${r.runId !== null ? `  [run ${r.runId}]` : ''}`,
    `  energy           ${num(m.energyJ, 0)} J  =  ${num(m.energyJPerHour, 1)} J/h  =  ${num(m.avgPowerMw, 1)} mW  =  ${num(m.batteryPctPerDay, 2)} % battery/day`,
    `  by cause (J)     ${byCause(m.energyByCause, 0, '')}`,
    `  radio wakeups    ${m.radioWakeups} (${num(m.radioWakeupsPerHour, 1)}/h): ${byCause(m.radioWakeupsByCause, 0, '') || 'none'}`,
    `  AP wakeups       ${m.apWakeups} (${num(m.apWakeupsPerHour, 1)}/h): ${byCause(m.apWakeupsByCause, 0, '') || 'none'}`,
    `  connected        ${num(m.connectedFraction * 100, 2)} %   NAT mapping losses ${m.natMappingLosses}   reconnects ${m.reconnects}   unreachable ${seconds(m.unreachableS)}`,
    `  detection        gateway ${detText(det.gateway, m.detected.gateway)}   client ${detText(det.client, m.detected.client)}`,
    `  data bursts      ${m.promotionDelay.bursts}, promotion delay mean ${num(m.promotionDelay.meanS, 3)} s, max ${num(m.promotionDelay.maxS, 3)} s`,
  ].join('\n');
}
