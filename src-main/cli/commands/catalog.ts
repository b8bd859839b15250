import type { Command } from 'commander';
import { readJsonFile } from '../../node/files.ts';
import { parseAs, type Kind } from '../../node/catalog.ts';
import { averagePowerMw, numericPaths, type RadioProfile } from '../../core/radio/profile.ts';
import { valueAt } from '../../core/validate.ts';
import { makeService, printJson, warn, type GlobalOptions } from '../context.ts';
import { num, table } from '../format.ts';

export function registerCatalogCommands(program: Command): void {
  program
    .command('presets')
    .description('list the built-in policy presets')
    .option('--json', 'print JSON (full policies)')
    .action((opts: { json?: boolean }, cmd: Command) => listKind('policy', opts, cmd));

  const profiles = program.command('profiles').description('list, show and validate radio profiles');
  profiles
    .command('list', { isDefault: true })
    .description('list radio profiles (built-in and user)')
    .option('--json', 'print JSON (full profiles)')
    .action((opts: { json?: boolean }, cmd: Command) => listKind('radio', opts, cmd));
  profiles
    .command('show <profile>')
    .description('show one profile with every parameter and its source')
    .option('--json', 'print the profile as JSON')
    .action((ref: string, opts: { json?: boolean }, cmd: Command) => showKind('radio', ref, opts, cmd));
  profiles
    .command('validate <file>')
    .description('check a radio profile file; prints "ok" or the first problem, naming the field')
    .action((file: string) => validateFile('radio', file));

  const scenarios = program.command('scenarios').description('list and show scenarios');
  scenarios
    .command('list', { isDefault: true })
    .description('list the built-in scenarios')
    .option('--json', 'print JSON (full scenarios)')
    .action((opts: { json?: boolean }, cmd: Command) => listKind('scenario', opts, cmd));
  scenarios
    .command('show <scenario>')
    .description('show one scenario (as JSON)')
    .option('--json', 'print JSON (the default for scenarios)')
    .action((ref: string, _opts: unknown, cmd: Command) => showKind('scenario', ref, { json: true }, cmd));

  program
    .command('validate <kind> <file>')
    .description('check a policy, radio or scenario file (kind: policy | radio | scenario)')
    .action((kind: string, file: string) => {
      if (kind !== 'policy' && kind !== 'radio' && kind !== 'scenario') {
        throw Object.assign(new Error(`kind must be policy, radio or scenario (got "${kind}")`), { code: 'INVALID_ARGUMENT' });
      }
      validateFile(kind, file);
    });
}

function listKind(kind: Kind, opts: { json?: boolean }, cmd: Command): void {
  const service = makeService(cmd.optsWithGlobals<GlobalOptions>());
  const { items, problems } = service.list(kind);
  for (const p of problems) warn(`skipped: ${p}`);
  if (opts.json) {
    printJson(items.map((i) => ({ origin: i.origin, ...i.value })));
    return;
  }
  const rows = items.map((i) => [i.id, i.origin === 'builtin' ? '' : i.origin, i.name]);
  process.stdout.write(table(['id', 'origin', 'name'], rows) + '\n');
}

function showKind(kind: Kind, ref: string, opts: { json?: boolean }, cmd: Command): void {
  const service = makeService(cmd.optsWithGlobals<GlobalOptions>());
  const entry = service.catalog.get(kind, ref);
  if (opts.json || kind !== 'radio') {
    printJson(entry.value);
    return;
  }
  process.stdout.write(describeProfile(entry.value as RadioProfile) + '\n');
}

function validateFile(kind: Kind, file: string): void {
  const v = parseAs(kind, readJsonFile(file), `${kind === 'radio' ? 'radio profile' : kind} ${file}`);
  process.stdout.write(`ok: ${file} is a valid ${kind === 'radio' ? 'radio profile' : kind} ("${(v as { id: string }).id}")\n`);
}

/** Every number of a profile, with its average power per stage and the source of each value. */
function describeProfile(p: RadioProfile): string {
  const head = [
    `${p.name} (${p.id}, ${p.technology})`,
    `  ${p.description}`,
    `  tail: ${p.tail.map((st) => `${st.state} ${num(st.durationS, 3)} s at ${num(averagePowerMw(st), 1)} mW avg`).join(', then ')}; idle ${p.idle.state} at ${num(averagePowerMw(p.idle), 1)} mW avg`,
    '',
  ];
  const rows = numericPaths(p).map((path) => [path, String(valueAt(p, path.split('.'))), p.sources[path] ?? (path === 'powerMultiplier' || path === 'secondaryLegDelayS' ? '(default)' : '')]);
  return head.join('\n') + table(['field', 'value', 'source'], rows);
}
