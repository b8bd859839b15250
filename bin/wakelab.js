#!/usr/bin/env node
// The `wakelab` command: runs the TypeScript sources directly through tsx.
import { fileURLToPath } from 'node:url';
import { register } from 'tsx/esm/api';

register({ tsconfig: fileURLToPath(new URL('../tsconfig.node.json', import.meta.url)) });

await import('../src-main/cli/main.ts');
