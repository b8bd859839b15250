import type { Command } from 'commander';
import { CAUSES } from '../../core/causes.ts';
import type { CompareResult } from '../../node/lab-service.ts';
import { collect, makeService, numberOption, printJson, warn, type GlobalOptions } from '../context.ts';
import { csv, hoursText, num, seconds, table } from '../format.ts';
import { progressBar } from '../progress.ts';

interface Options {
  policy: string[];
  radio: string;
  scenario: string;
  hours?: number;
  seed?: number;
  set?: string[];
  json?: boolean;
  csv?: boolean;
  store: boolean;
  workers?: number;
}

export function registerCompare(program: Command): void {
  program
    .command('compare')
    .description('compare policies on one scenario and radio profile with the same seed; marks the Pareto set (energy vs detection latency)')
    .requiredOption('--policy <preset|file.json>', 'a policy to compare (repeat for each)', collect)
    .option('--radio <profile|file.json>', 'radio profile id or file', 'lte')
    .option('--scenario <name|file.json>', 'scenario id or file', 'idle')
    .option('--hours <H>', 'simulated hours (default: the scenario\'s, 24)', numberOption('--hours'))
    .option('--seed <N>', 'random seed', numberOption('--seed'), 1)
    .option('--set <KEY=VALUE>', 'override a scenario or radio field, e.g. scenario.natTimeoutS=30 (repeatable)', collect)
    .option('--workers <N>', 'worker threads (default: one per core when comparing 8 or more policies)', numberOption('--workers'))
    .option('--json', 'print one JSON document: { "runs": [ { "policy", "metrics", ... } ] }')
    .option('--csv', 'print CSV, one row per policy')
    .option('--no-store', 'do not record the comparison in the database')
    .addHelpText(
      'after',
      '\nExamples:\n  wakelab compare --policy strongswan-android --policy ios-dpd-medium --policy battery-lean\n  wakelab compare --policy charon-dpd30 --policy my-policy.json --radio nr-sa --set scenario.natTimeoutS=30 --csv',
    )
    .action(async (opts: Options, cmd: Command) => {
      if (opts.json && opts.csv) throw Object.assign(new Error('choose one of --json and --csv'), { code: 'INVALID_ARGUMENT' });
      if (opts.workers !== undefined && (!Number.isInteger(opts.workers) || opts.workers < 0 || opts.workers > 64)) {
        throw Object.assign(new Error(`--workers must be a whole number from 0 to 64 (got ${opts.workers})`), { code: 'INVALID_ARGUMENT' });
      }
      const service = makeService(cmd.optsWithGlobals<GlobalOptions>());
      const bar = progressBar('comparing');
      try {
        const r = await service.compare(
          { policies: opts.policy, radio: opts.radio, scenario: opts.scenario, hours: opts.hours, seed: opts.seed, set: opts.set, store: opts.store, workers: opts.workers },
          (done, total) => bar.update(done, total),
        );
        bar.stop();
        for (const w of r.warnings) warn(w);
        if (opts.json) printJson(toJson(r));
        else if (opts.csv) process.stdout.write(toCsv(r));
        else process.stdout.write(describe(r) + '\n');
      } finally {
        bar.stop();
        service.close();
      }
    });
}

function toJson(r: CompareResult) {
  return {
    comparisonId: r.comparisonId,
    radio: { id: r.radio.id, name: r.radio.name },
    scenario: r.scenario,
    seed: r.seed,
    overrides: r.overrides,
    runs: r.runs.map((x) => ({ runId: x.runId, policy: x.policy, metrics: x.metrics, detectionS: x.detectionS, pareto: x.pareto })),
  };
}

function toCsv(r: CompareResult): string {
  const headers = [
    'policy_id', 'policy_name', 'energy_j', 'energy_j_per_hour', 'avg_power_mw', 'battery_pct_per_day',
    'radio_wakeups', 'radio_wakeups_per_hour', 'ap_wakeups', 'ap_wakeups_per_hour', 'connected_fraction',
    'nat_mapping_losses', 'reconnects', 'unreachable_s', 'detection_gateway_s', 'detection_client_s', 'detection_s', 'pareto',
    ...CAUSES.map((c) => `energy_${c}_j`),
  ];
  const rows = r.runs.map((x) => {
    const m = x.metrics;
    return [
      x.policy.id, x.policy.name, m.energyJ, m.energyJPerHour, m.avgPowerMw, m.batteryPctPerDay,
      m.radioWakeups, m.radioWakeupsPerHour, m.apWakeups, m.apWakeupsPerHour, m.connectedFraction,
      m.natMappingLosses, m.reconnects, m.unreachableS, m.detectionLatencyS.gateway, m.detectionLatencyS.client, x.detectionS, x.pareto,
      ...CAUSES.map((c) => m.energyByCause[c]),
    ];
  });
  return csv(headers, rows);
}

function describe(r: CompareResult): string {
  const rows = r.runs.map((x) => {
    const m = x.metrics;
    return [
      x.pareto ? '*' : '',
      x.policy.id,
      num(m.energyJPerHour, 1),
      num(m.avgPowerMw, 1),
      num(m.batteryPctPerDay, 2),
      num(m.radioWakeupsPerHour, 1),
      num(m.apWakeupsPerHour, 1),
      num(m.connectedFraction * 100, 1),
      seconds(x.detectionS ?? Infinity),
    ];
  });
  const head = `${r.runs.length} policies on ${r.radio.id}, scenario ${r.scenario.id}, ${hoursText(r.scenario.durationS / 3600)}, seed ${r.seed}${r.comparisonId !== null ? `  [comparison ${r.comparisonId}]` : ''}`;
  const t = table(
    ['P', 'policy', 'J/h', 'mW', '%/day', 'radio wk/h', 'AP wk/h', 'conn %', 'detection'],
    rows,
    ['l', 'l', 'r', 'r', 'r', 'r', 'r', 'r', 'r'],
  );
  return `${head}\n${t}\n* = Pareto set on energy vs dead-peer detection latency (worst of both sides)`;
}
