// The jest environment of every test file: node's, plus a leak check that runs after all of
// the file's hooks (jest-circus 'run_finish'). The process's kernel AIO rings ([aio] lines of
// /proc/self/maps; the system-wide aio-nr moves with other processes) and its open file
// descriptors must be back to what they were before the file ran.
const { readdirSync, readFileSync, readlinkSync } = require('node:fs');
const { setFlagsFromString } = require('node:v8');
const { runInNewContext } = require('node:vm');
const { TestEnvironment } = require('jest-environment-node');

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc');

function rings() {
  return readFileSync('/proc/self/maps', 'utf8')
    .split('\n')
    .filter((l) => l.includes('[aio]')).length;
}

function fds() {
  const out = new Map();
  for (const fd of readdirSync('/proc/self/fd')) {
    try {
      out.set(fd, readlinkSync(`/proc/self/fd/${fd}`));
    } catch (error) {
      if (error.code !== 'ENOENT') throw error; // closed while we looked
    }
  }
  return out;
}

function leaks(before) {
  const leakedFds = [...fds()].filter(([fd, target]) => before.fds.get(fd) !== target);
  return { rings: rings() - before.rings, fds: leakedFds };
}

class LeakCheckEnvironment extends TestEnvironment {
  async setup() {
    await super.setup();
    this.before = { rings: rings(), fds: fds() };
  }

  async handleTestEvent(event, state) {
    if (event.name !== 'run_finish') return;
    // Dropped contexts are destroyed by finalizers; a threadpool waiter closes its fd a tick later.
    let found = leaks(this.before);
    for (let i = 0; i < 20 && (found.rings > 0 || found.fds.length > 0); i++) {
      gc();
      await new Promise((resolve) => setTimeout(resolve, i < 10 ? 0 : 10));
      found = leaks(this.before);
    }
    if (found.rings > 0 || found.fds.length > 0) {
      state.unhandledErrors.push(
        new Error(
          `Leak check: ${found.rings} kernel AIO ring(s) and ${found.fds.length} fd(s) left open by this file: ` +
            found.fds.map(([fd, target]) => `${fd} -> ${target}`).join(', '),
        ),
      );
    }
  }
}

module.exports = LeakCheckEnvironment;
