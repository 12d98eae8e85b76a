#!/usr/bin/env node
// aio-probe [path] [--json]: what kernel AIO can do on this machine.
import { probeCommand } from './probe.js';

probeCommand(process.argv.slice(2), (text) => process.stdout.write(text)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  },
);
