/**
 * `wakelab import-swanctl FILE [--out lab.json]`: a responder configuration from a strongSwan
 * swanctl.conf (core/ike/swanctl-import.ts: one connection with PSK, its first child, its pool,
 * the ike secrets). Checks the result as `wakelab responder` would; says on stderr what it did not
 * import. The output holds the pre-shared keys.
 */
import type { Command } from 'commander';
import { parseResponderConfig } from '../../core/ike/responder-config.ts';
import { importSwanctl } from '../../core/ike/swanctl-import.ts';
import { readTextFile, writeFileAtomic } from '../../node/files.ts';
import { warn } from '../context.ts';

interface Options {
  out?: string;
}

export function registerImportSwanctl(program: Command): void {
  program
    .command('import-swanctl')
    .description('write a responder configuration (JSON) from a strongSwan swanctl.conf: connection, child, pool, PSK secrets')
    .argument('<file>', 'swanctl.conf')
    .option('--out <file>', 'write the configuration here (mode 0600: it holds the pre-shared keys) instead of standard output')
    .action((file: string, opts: Options) => {
      const { config, warnings } = importSwanctl(readTextFile(file), file);
      parseResponderConfig(config, `configuration imported from ${file}`);
      for (const w of warnings) warn(w);
      const text = JSON.stringify(config, null, 2) + '\n';
      if (opts.out) writeFileAtomic(opts.out, text, 0o600);
      else process.stdout.write(text);
    });
}
