// Worker threads: each loads its own copy of the packages, and a context a worker created must
// be gone when the worker is (its ring unmapped, its eventfd closed, aio-nr given back) after
// the kernel has finished with the worker's buffers, however the worker ends: its code runs
// out, it calls process.exit(), or the parent terminates it (no JavaScript runs then). 500
// lifetimes, in a child process whose main thread never loads koffi (the case that crashed).
import { closeSync, openSync, writeFileSync } from 'node:fs';
import { runChild } from '../../../test-support/child.js';
import { pattern, tempDir } from './helpers.js';

const tmp = tempDir();
afterAll(() => tmp.cleanup());

test('500 worker lifetimes doing readFile, O_DIRECT reads and polls, ended every way: nothing left, no crash', async () => {
  const file = tmp.path('data');
  writeFileSync(file, pattern(1 << 20, 3));
  closeSync(openSync(file, 'r+')); // written: O_DIRECT reads go to the device
  const result = await runChild(
    'core', // AIO is required lazily below: the main thread never touches it
    `const { Worker } = require('node:worker_threads');
    const fs = require('node:fs');
    const rings = () => fs.readFileSync('/proc/self/maps', 'utf8').split('\\n').filter((l) => l.includes('[aio]')).length;
    const fdMap = () => new Map(fs.readdirSync('/proc/self/fd').map((fd) => { try { return [fd, fs.readlinkSync('/proc/self/fd/' + fd)]; } catch { return [fd, '?']; } }));
    const fds = () => fdMap().size;
    const guard = Buffer.alloc(64 << 20, 0x5a); // the main thread's memory must not change
    // The test's own descriptors come from the main thread (fds are process-wide): whatever is
    // left open at the end is the library's. fd 0 is a pipe no one writes (polls wait on it).
    const initialRings = rings();
    const direct = fs.openSync(${JSON.stringify(file)}, fs.constants.O_RDONLY | fs.constants.O_DIRECT);
    const body = \`
      const { parentPort, workerData } = require('node:worker_threads');
      const AIO = require(process.env.AIO_CORE);
      const fs = require('node:fs');
      (async () => {
        const data = await AIO.readFile(workerData.file); // the default context
        if (data.length !== 1 << 20 || data[1] !== 34) throw new Error('bad data');
        const ctx = new AIO.AioContext();
        const reads = [0, 1, 2, 3].map((i) => ctx.read(workerData.direct, AIO.allocAligned(65536), i * 65536));
        ctx.poll(0, AIO.POLL.IN).catch(() => {}); // pending until the end
        parentPort.postMessage('busy'); // O_DIRECT reads and a poll in flight
        if (workerData.how === 'exit') process.exit(0);
        if (workerData.how === 'return') {
          await Promise.all(reads);
          ctx.closeSync(); // the poll is cancelled; the default context stays open
        }
      })();\`;
    const kinds = ['return', 'exit', 'terminate'];
    let start;
    let startMap;
    let lifetimes = 0;
    async function one(how) {
      const worker = new Worker(body, { eval: true, workerData: { file: ${JSON.stringify(file)}, direct, how } });
      const exited = new Promise((resolve, reject) => { worker.on('exit', resolve); worker.on('error', reject); });
      await new Promise((resolve) => worker.once('message', resolve));
      if (how === 'terminate') await worker.terminate();
      await exited;
      lifetimes++;
    }
    (async () => {
      for (let round = 0; round < 125; round++) {
        await Promise.all([0, 1, 2, 3].map((i) => one(kinds[(round + i) % 3])));
        // Measured from after the first round: what the process opens once, for its first
        // worker (node's own), is not a lifetime's leak.
        if (round === 0) {
          start = { rings: rings(), fds: fds() };
          startMap = fdMap();
        }
      }
      const end = { rings: rings(), fds: fds() };
      const extra = [...fdMap()].filter(([fd, target]) => startMap.get(fd) !== target);
      fs.closeSync(direct);
      console.log(JSON.stringify({ lifetimes, rings: end.rings - start.rings, ringsAtStart: start.rings - initialRings, fds: end.fds - start.fds, ...(extra.length ? { extra } : {}), guardChangedAt: guard.findIndex((b) => b !== 0x5a) }));
    })().catch((e) => { console.log('failed', e.stack); process.exitCode = 1; });`,
    { timeoutMs: 240_000, stdin: 'pipe' },
  );
  if (result.signal !== null || result.code !== 0)
    console.log(result.stderr.slice(-3000), result.stdout.slice(-500));
  expect(result).toMatchObject({ code: 0, signal: null, timedOut: false });
  // No ring left even by the first round; fds measured from the second.
  expect(JSON.parse(result.stdout)).toEqual({
    lifetimes: 500,
    rings: 0,
    ringsAtStart: 0,
    fds: 0,
    guardChangedAt: -1, // the first byte of the guard that changed: none
  });
}, 300_000);
