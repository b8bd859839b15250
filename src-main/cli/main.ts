/**
 * `wakelab`: the command-line front end. Thin: it parses options (commander), calls the
 * LabService, and prints. Errors a user can fix are one line on stderr with exit status 2.
 */
import { Command, CommanderError } from 'commander';
import { isWakeLabError } from '../core/errors.ts';
import { VERSION } from '../node/version.ts';
import { registerCatalogCommands } from './commands/catalog.ts';
import { registerClient } from './commands/client.ts';
import { registerCompare } from './commands/compare.ts';
import { registerFleet } from './commands/fleet.ts';
import { registerImportSwanctl } from './commands/import-swanctl.ts';
import { registerLab } from './commands/lab.ts';
import { registerSessions } from './commands/sessions.ts';
import { registerResponder } from './commands/responder.ts';
import { registerRuns } from './commands/runs.ts';
import { registerServe } from './commands/serve.ts';
import { registerSimulate } from './commands/simulate.ts';

export function buildProgram(): Command {
  const program = new Command('wakelab')
    .description('What does this VPN keepalive cost the phone\'s battery? Simulate and compare IPsec keepalive, DPD and rekey policies on radio energy models.')
    .version(VERSION)
    .option('--db <path>', 'SQLite database (default: $WAKELAB_DB, else wakelab.db in the user data directory)')
    .exitOverride()
    .configureOutput({ outputError: () => {} });
  registerSimulate(program);
  registerCompare(program);
  registerCatalogCommands(program);
  registerRuns(program);
  registerResponder(program);
  registerLab(program);
  registerSessions(program);
  registerFleet(program);
  registerImportSwanctl(program);
  registerClient(program);
  registerServe(program);
  for (const c of program.commands) c.exitOverride().configureOutput({ outputError: () => {} });
  return program;
}

export async function main(argv: readonly string[]): Promise<number> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv as string[], { from: 'user' });
    return 0;
  } catch (e) {
    return report(e);
  }
}

function report(e: unknown): number {
  if (e instanceof CommanderError) {
    if (e.exitCode === 0) return 0; // --help, --version
    process.stderr.write(`wakelab: ${e.message.replace(/^error: /, '').split('\n')[0]} (see wakelab --help)\n`);
    return 2;
  }
  if (isWakeLabError(e) || (e as { code?: string })?.code === 'INVALID_ARGUMENT') {
    process.stderr.write(`wakelab: ${(e as Error).message}\n`);
    return 2;
  }
  const msg = e instanceof Error ? e.message : String(e);
  process.stderr.write(`wakelab: internal error: ${msg.split('\n')[0]} (set WAKELAB_DEBUG=1 for details)\n`);
  if (process.env.WAKELAB_DEBUG) console.error(e);
  return 1;
}

// A reader that stops early (`wakelab ... | head`) is not an error.
process.stdout.on('error', (e: NodeJS.ErrnoException) => {
  if (e.code === 'EPIPE') process.exit(0);
  throw e;
});
process.exitCode = await main(process.argv.slice(2));
