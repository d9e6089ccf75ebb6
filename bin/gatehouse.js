#!/usr/bin/env node
// Entry point for `gatehouse` and `npm start`. The sources are TypeScript; tsx compiles
// them on load so that a fresh clone runs with `npm install && npm start` and no build step.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../src/cli/main.ts');
process.exitCode = await main(process.argv.slice(2));
