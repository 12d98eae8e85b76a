// The machine, the code and the command a result was measured with (its provenance).
import { execFileSync } from 'node:child_process';
import { readFileSync, readlinkSync } from 'node:fs';
import { cpus, release, totalmem } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface Machine {
  cpu: string;
  cores: number;
  memoryGiB: number;
  kernel: string;
  filesystem: string;
  node: string;
  date: string;
  /** git rev-parse HEAD of the repository the bench ran from ('unknown' outside git). */
  commit?: string;
  /** Whether the work tree had uncommitted changes when the run started (results/ ignored). */
  dirty?: boolean;
  /** The device of the bench directory: driver, rotational, scheduler. */
  device?: string;
  /** The command line as typed (`pnpm bench ...`) and as run. */
  command?: string;
}

const here = dirname(fileURLToPath(import.meta.url));

function run(cmd: string, args: string[], cwd?: string): string | null {
  try {
    return execFileSync(cmd, args, {
      cwd,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    }).trim();
  } catch {
    return null;
  }
}

function filesystemOf(dir: string): { fs: string; source: string } {
  const out = run('df', ['-T', dir]);
  if (out === null) return { fs: 'unknown', source: '' };
  const cols = out.split('\n').at(-1)!.split(/\s+/);
  return { fs: `${cols[1]} (${cols[0]})`, source: cols[0]! };
}

/** "vda: virtio_blk, rotational 0, scheduler [none] mq-deadline" from /sys/class/block. */
function deviceOf(source: string): string {
  if (!source.startsWith('/dev/')) return source || 'unknown';
  const name = basename(source);
  const sys = (p: string) => {
    try {
      return readFileSync(p, 'utf8').trim();
    } catch {
      return null;
    }
  };
  // A partition's queue/ and device/ belong to its parent disk.
  let disk = name;
  if (sys(`/sys/class/block/${name}/partition`) !== null)
    disk = basename(dirname(readlinkSync(`/sys/class/block/${name}`)));
  let driver = 'unknown driver';
  try {
    driver = basename(readlinkSync(`/sys/class/block/${disk}/device/driver`));
  } catch {
    // no driver link (device-mapper, loop devices)
  }
  const rotational = sys(`/sys/class/block/${disk}/queue/rotational`) ?? '?';
  const scheduler = sys(`/sys/class/block/${disk}/queue/scheduler`) ?? '?';
  return `${source}: ${driver}, rotational ${rotational}, scheduler ${scheduler}`;
}

function gitState(): { commit: string; dirty: boolean } {
  const repo = join(here, '..', '..');
  const commit = run('git', ['rev-parse', 'HEAD'], repo) ?? 'unknown';
  const status = run('git', ['status', '--porcelain', '--', '.', ':(exclude)bench/results'], repo);
  return { commit, dirty: status === null ? false : status.length > 0 };
}

/** `pnpm bench <args>` when run through the package script, else the node command line. */
export function commandLine(argv: readonly string[]): string {
  const args = argv.slice(2).join(' ');
  const viaPnpm = process.env.npm_lifecycle_event === 'bench';
  const node = `node ${argv.slice(1).join(' ')}`;
  return viaPnpm ? `pnpm bench${args ? ` ${args}` : ''} (ran: ${node})` : node;
}

let git: { commit: string; dirty: boolean } | undefined;

export function describeMachine(dir: string, argv: readonly string[] = process.argv): Machine {
  const vendor = run('cat', ['/sys/class/dmi/id/sys_vendor']) ?? '';
  // The tree's state when the run started: the first benchmark's results would make it dirty.
  git ??= gitState();
  const { fs, source } = filesystemOf(dir);
  return {
    cpu: `${cpus()[0]?.model ?? 'unknown'}${vendor ? ` (${vendor})` : ''}`,
    cores: cpus().length,
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    kernel: `Linux ${release()}`,
    filesystem: fs,
    node: process.version,
    date: new Date().toISOString().slice(0, 10),
    commit: git.commit,
    dirty: git.dirty,
    device: deviceOf(source),
    command: commandLine(argv),
  };
}

export function machineMarkdown(m: Machine): string {
  const code =
    m.commit === undefined
      ? 'not recorded'
      : `${m.commit}${m.dirty ? ' with uncommitted changes' : ' (clean tree)'}`;
  return [
    `- CPU: ${m.cpu}, ${m.cores} cores, ${m.memoryGiB} GiB`,
    `- Kernel: ${m.kernel}; filesystem of the test files: ${m.filesystem}; device: ${m.device ?? 'not recorded'}`,
    `- Node: ${m.node}; date: ${m.date}`,
    `- Commit: ${code}`,
    `- Command: ${m.command === undefined ? 'not recorded' : `\`${m.command}\``}`,
  ].join('\n');
}
