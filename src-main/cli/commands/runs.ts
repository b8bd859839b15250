import type { Command } from 'commander';
import { WakeLabError } from '../../core/errors.ts';
import type { LabService } from '../../node/lab-service.ts';
import { writeTextFile } from '../../node/files.ts';
import { makeService, numberOption, printJson, type GlobalOptions } from '../context.ts';
import { csv, num, table } from '../format.ts';

export function registerRuns(program: Command): void {
  const runs = program.command('runs').description('list, show, export and delete recorded runs');
  runs
    .command('list', { isDefault: true })
    .description('list recorded runs, newest first')
    .option('--limit <N>', 'how many', numberOption('--limit'), 50)
    .option('--json', 'print JSON')
    .action((opts: { limit: number; json?: boolean }, cmd: Command) =>
      withService(cmd, (s) => {
        const rows = s.listRuns({ limit: opts.limit });
        if (opts.json) return printJson(rows);
        if (rows.length === 0) return void process.stdout.write('no runs recorded yet: try `wakelab simulate --policy strongswan-android`\n');
        const t = table(
          ['run', 'created', 'kind', 'cmp', 'policy', 'radio', 'scenario', 'hours', 'J/h', 'radio wk/h'],
          rows.map((r) => [
            String(r.id), r.createdAt.replace('T', ' ').slice(0, 19), r.kind, r.comparisonId === null ? '' : String(r.comparisonId),
            r.policyId, r.radioId, r.scenarioId, num(r.durationS / 3600, 1), num(r.energyJPerHour, 1), num(r.radioWakeupsPerHour, 1),
          ]),
          ['r', 'l', 'l', 'r', 'l', 'l', 'l', 'r', 'r', 'r'],
        );
        process.stdout.write(t + '\n');
      }),
    );
  runs
    .command('show <id>')
    .description('show one run: its inputs and metrics')
    .option('--json', 'print JSON')
    .action((id: string, opts: { json?: boolean }, cmd: Command) =>
      withService(cmd, (s) => {
        const run = getRun(s, id);
        if (opts.json) return printJson(run);
        process.stdout.write(`run ${run.id}: ${run.policy.name} (${run.policy.id}) on ${run.radio.id}, scenario ${run.scenario.id}, seed ${run.seed}, ${run.createdAt}\n`);
        process.stdout.write(table(['metric', 'value'], flatten(run.metrics).map(([k, v]) => [k, String(v)]), ['l', 'r']) + '\n');
      }),
    );
  runs
    .command('export <id>')
    .description('export a run as JSON (inputs, metrics and every radio wakeup) or CSV (metrics, or --wakeups)')
    .option('--format <format>', 'json or csv', 'json')
    .option('--wakeups', 'CSV of the radio wakeups instead of the metrics')
    .option('--out <file>', 'write to a file instead of standard output')
    .action((id: string, opts: { format: string; wakeups?: boolean; out?: string }, cmd: Command) =>
      withService(cmd, (s) => {
        if (opts.format !== 'json' && opts.format !== 'csv') throw new WakeLabError('INVALID_ARGUMENT', `--format must be json or csv (got "${opts.format}")`);
        if (opts.wakeups && opts.format !== 'csv') throw new WakeLabError('INVALID_ARGUMENT', '--wakeups goes with --format csv (JSON always includes the wakeups)');
        const run = getRun(s, id);
        const wakeups = s.getWakeups(run.id);
        let text: string;
        if (opts.format === 'json') text = JSON.stringify({ ...run, wakeups }, null, 2) + '\n';
        else if (opts.wakeups) text = csv(['seq', 't_s', 'cause', 'state_left', 'energy_j', 'ap_woken'], wakeups.map((w) => [w.seq, w.tS, w.cause, w.stateLeft, w.energyJ, w.apWoken ? 1 : 0]));
        else text = csv(['metric', 'value'], flatten(run.metrics));
        if (opts.out) writeTextFile(opts.out, text);
        else process.stdout.write(text);
      }),
    );
  runs
    .command('delete <id>')
    .description('delete a run and its wakeup rows')
    .action((id: string, _opts: unknown, cmd: Command) =>
      withService(cmd, (s) => {
        const n = parseId(id);
        if (!s.deleteRun(n)) throw new WakeLabError('NOT_FOUND', `no run ${n}`);
        process.stdout.write(`deleted run ${n}\n`);
      }),
    );
}

function withService(cmd: Command, fn: (s: LabService) => void): void {
  const s = makeService(cmd.optsWithGlobals<GlobalOptions>());
  try {
    fn(s);
  } finally {
    s.close();
  }
}

function parseId(id: string): number {
  const n = Number(id);
  if (!Number.isInteger(n) || n <= 0) throw new WakeLabError('INVALID_ARGUMENT', `run id must be a positive whole number (got "${id}")`);
  return n;
}

function getRun(s: LabService, id: string) {
  const n = parseId(id);
  const run = s.getRun(n);
  if (!run) throw new WakeLabError('NOT_FOUND', `no run ${n}; see \`wakelab runs list\``);
  return run;
}

/** Numeric and null leaves of a metrics object as [dotted name, value]. */
function flatten(value: unknown, prefix = ''): [string, number | string | boolean | null][] {
  if (value === null || typeof value !== 'object') return [[prefix, value as number]];
  return Object.entries(value).flatMap(([k, v]) => flatten(v, prefix ? `${prefix}.${k}` : k));
}
