// Runs around every test file (jest setupFilesAfterEnv): the process's kernel AIO rings
// ([aio] lines of /proc/self/maps; the system-wide aio-nr moves with other processes) and its
// open file descriptors must be back to what they were before the file ran.
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

function rings(): number {
  return readFileSync('/proc/self/maps', 'utf8')
    .split('\n')
    .filter((l) => l.includes('[aio]')).length;
}

function fds(): Map<string, string> {
  const out = new Map<string, string>();
  for (const fd of readdirSync('/proc/self/fd')) {
    try {
      out.set(fd, readlinkSync(`/proc/self/fd/${fd}`));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
  }
  return out;
}

let before: { rings: number; fds: Map<string, string> };

beforeAll(() => {
  before = { rings: rings(), fds: fds() };
});

afterAll(async () => {
  // The lazily created default context belongs to the file that used it.
  const core = jest.requireActual('../packages/aio/src/default-context.ts') as {
    closeDefaultContext(): Promise<void>;
  };
  await core.closeDefaultContext();
  // Dropped contexts are destroyed by finalizers; a threadpool waiter closes its fd a tick later.
  for (let i = 0; i < 20; i++) {
    gc();
    await new Promise((resolve) => setTimeout(resolve, i < 10 ? 0 : 10));
    if (rings() === before.rings && fds().size <= before.fds.size) break;
  }
  const leakedFds = [...fds()].filter(([fd, target]) => before.fds.get(fd) !== target);
  const leakedRings = rings() - before.rings;
  if (leakedRings > 0 || leakedFds.length > 0) {
    throw new Error(
      `Leak check: ${leakedRings} kernel AIO ring(s) and ${leakedFds.length} fd(s) left open by this file: ` +
        leakedFds.map(([fd, target]) => `${fd} -> ${target}`).join(', '),
    );
  }
});
