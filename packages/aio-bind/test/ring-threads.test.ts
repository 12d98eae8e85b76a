// A context is process-wide, its ring is read by one thread: io_destroy from any other thread
// must never unmap the ring under that reader. Each case runs in a child process with worker
// threads; a read of an unmapped ring would kill it with SIGSEGV.
import { runBare } from './fixtures/bare-child.js';

// The worker that destroys whatever context it is sent and answers with the outcome.
const DESTROYER = `parentPort.on('message', (ctx) => {
  try { B.io_destroy(ctx); parentPort.postMessage('destroyed'); }
  catch (e) { parentPort.postMessage(e.code); }
});`;

// Reads the ring of `ctx` in a loop (empty, then reap) until it throws; returns the code.
const REAP_UNTIL_DESTROYED = `function reapUntilDestroyed(ring) {
  const events = new Uint8Array(64);
  for (;;) {
    try { ring.empty; ring.reap(events, 2); } catch (e) { return e.code; }
  }
}`;

const codeOf = (f: string) =>
  `(() => { try { ${f}; return 'ok'; } catch (e) { return e.code; } })()`;

/** Main owns the rings; a worker destroys them while main reads them in a loop. */
const MAIN_OWNS = (rounds: number) => `
const B = require(BIND);
${REAP_UNTIL_DESTROYED}
(async () => {
  const w = worker(${JSON.stringify(DESTROYER)});
  const seen = [];
  for (let round = 0; round < ${rounds}; round++) {
    const ctx = B.io_setup(8);
    const ring = new B.CompletionRing(ctx);
    const reply = w.next();
    w.worker.postMessage(ctx);
    const reaped = reapUntilDestroyed(ring);
    seen.push([reaped, await reply, ring.empty, ${codeOf('B.readRingHeader(ctx)')}, ${codeOf('B.io_destroy(ctx)')}]);
  }
  await w.worker.terminate();
  console.log(JSON.stringify(seen));
})();`;

const expectRounds = (stdout: string, rounds: number) => {
  expect(JSON.parse(stdout)).toEqual(
    Array.from({ length: rounds }, () => [
      'ERR_AIO_RING_UNSUPPORTED', // main's reap, once the worker's io_destroy began
      'destroyed', // the worker's io_destroy succeeded
      true, // empty
      'ERR_INVALID_ARG_VALUE', // readRingHeader: no longer a context of this thread
      'EINVAL', // io_destroy again: the kernel no longer knows it
    ]),
  );
};

test('a worker destroys a context whose ring main reads: a coded error, never a crash', async () => {
  const result = await runBare(MAIN_OWNS(20));
  expect(result).toMatchObject({ code: 0, signal: null, timedOut: false, stderr: '' });
  expectRounds(result.stdout, 20);
});

test('main destroys a context whose ring a worker reads: the worker gets the coded error', async () => {
  const result = await runBare(`
const B = require(BIND);
(async () => {
  const seen = [];
  for (let round = 0; round < 8; round++) {
    const w = worker(${JSON.stringify(`${REAP_UNTIL_DESTROYED}
const ctx = B.io_setup(8);
const ring = new B.CompletionRing(ctx);
parentPort.postMessage(ctx);
parentPort.postMessage(reapUntilDestroyed(ring));`)});
    const ctx = await w.next();
    const reaped = w.next();
    B.io_destroy(ctx);
    seen.push([await reaped, await w.exit]);
  }
  console.log(JSON.stringify(seen));
})();`);
  expect(result).toMatchObject({ code: 0, signal: null, timedOut: false, stderr: '' });
  expect(JSON.parse(result.stdout)).toEqual(
    Array.from({ length: 8 }, () => ['ERR_AIO_RING_UNSUPPORTED', 0]),
  );
});

test('sibling workers share the registry though main never loaded @aio/bind', async () => {
  const result = await runBare(`
(async () => {
  const seen = [];
  const destroyer = worker(${JSON.stringify(DESTROYER)});
  for (let round = 0; round < 6; round++) {
    const owner = worker(${JSON.stringify(`${REAP_UNTIL_DESTROYED}
const ctx = B.io_setup(8);
const ring = new B.CompletionRing(ctx);
parentPort.postMessage(ctx);
parentPort.postMessage(reapUntilDestroyed(ring));`)});
    const ctx = await owner.next();
    const reaped = owner.next();
    const reply = destroyer.next();
    destroyer.worker.postMessage(ctx);
    seen.push([await reaped, await reply, await owner.exit]);
  }
  await destroyer.worker.terminate();
  const maps = require('node:fs').readFileSync('/proc/self/maps', 'utf8');
  console.log(JSON.stringify({ seen, koffiInMain: 'koffi' in require.cache, table: /^5a10a10000-5a10a30000 rw-s /m.test(maps) }));
})();`);
  expect(result).toMatchObject({ code: 0, signal: null, timedOut: false, stderr: '' });
  expect(JSON.parse(result.stdout)).toEqual({
    seen: Array.from({ length: 6 }, () => ['ERR_AIO_RING_UNSUPPORTED', 'destroyed', 0]),
    koffiInMain: false,
    table: true, // the process-wide table, mapped by the first worker
  });
});

test('where the fixed address is taken, threads share a table through environment data', async () => {
  const result = await runBare(`
const koffi = require('koffi');
const mmap = koffi.load(null).func('void *mmap(void *, unsigned long, int, int, int, long)');
// PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, where the table would go.
const taken = mmap(0x5a10a10000n, 131072, 0, 0x02 | 0x20 | 0x100000, -1, 0);
if (taken !== 0x5a10a10000n) throw new Error('could not take the address: ' + taken);
${MAIN_OWNS(4)}`);
  expect(result).toMatchObject({ code: 0, signal: null, timedOut: false, stderr: '' });
  expectRounds(result.stdout, 4);
});

test('only the thread that created a context reads its ring; others use io_getevents', async () => {
  const result = await runBare(`
const B = require(BIND);
(async () => {
  const ctx = B.io_setup(8);
  const w = worker(${JSON.stringify(`parentPort.on('message', (ctx) => {
  const one = (f) => { try { return f(); } catch (e) { return e.code; } };
  parentPort.postMessage({
    CompletionRing: one(() => new B.CompletionRing(ctx)),
    reapRing: one(() => B.reapRing(ctx, new Uint8Array(32), 1)),
    readRingHeader: one(() => B.readRingHeader(ctx)),
    io_getevents: one(() => B.io_getevents(ctx, 0, 1, new Uint8Array(32), { tv_sec: 0, tv_nsec: 0 })),
  });
});`)});
  const reply = w.next();
  w.worker.postMessage(ctx);
  console.log(JSON.stringify({ ...(await reply), mainReads: B.reapRing(ctx, new Uint8Array(32), 1) }));
  await w.worker.terminate();
  B.io_destroy(ctx);
})();`);
  expect(result).toMatchObject({ code: 0, signal: null, timedOut: false, stderr: '' });
  expect(JSON.parse(result.stdout)).toEqual({
    CompletionRing: 'ERR_INVALID_ARG_VALUE',
    reapRing: 'ERR_INVALID_ARG_VALUE',
    readRingHeader: 'ERR_INVALID_ARG_VALUE',
    io_getevents: 0,
    mainReads: 0,
  });
});
