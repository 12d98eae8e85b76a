#!/usr/bin/env node
// aio-probe [path] [--json]: what kernel AIO can do on this machine.
import { probeCommand } from './format.js';

try {
  process.exitCode = probeCommand(process.argv.slice(2), (text) => process.stdout.write(text));
} catch (error) {
  console.error(error);
  process.exitCode = 1;
}
