// The machine a result was measured on.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { cpus, release, totalmem } from 'node:os';

export interface Machine {
  cpu: string;
  cores: number;
  memoryGiB: number;
  kernel: string;
  filesystem: string;
  node: string;
  date: string;
}

function filesystemOf(dir: string): string {
  try {
    const out = execFileSync('df', ['-T', dir], { encoding: 'utf8' }).trim().split('\n');
    const cols = out[out.length - 1]!.split(/\s+/);
    return `${cols[1]} (${cols[0]})`;
  } catch {
    return 'unknown';
  }
}

function virtualization(): string {
  try {
    return readFileSync('/sys/class/dmi/id/sys_vendor', 'utf8').trim();
  } catch {
    return '';
  }
}

export function describeMachine(dir: string): Machine {
  const vendor = virtualization();
  return {
    cpu: `${cpus()[0]?.model ?? 'unknown'}${vendor ? ` (${vendor})` : ''}`,
    cores: cpus().length,
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    kernel: `Linux ${release()}`,
    filesystem: filesystemOf(dir),
    node: process.version,
    date: new Date().toISOString().slice(0, 10),
  };
}

export function machineMarkdown(m: Machine): string {
  return [
    `- CPU: ${m.cpu}, ${m.cores} cores, ${m.memoryGiB} GiB`,
    `- Kernel: ${m.kernel}; filesystem of the test files: ${m.filesystem}`,
    `- Node: ${m.node}; date: ${m.date}`,
  ].join('\n');
}
