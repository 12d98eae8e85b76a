// FdPoller in worker threads of a process whose main thread never loaded koffi: when such a
// worker ends, Node unloads koffi's addon with it, and a poll handle libuv still held then
// called into unmapped code (SIGSEGV of the whole process on worker.terminate()). The addon
// is now pinned (dlopen RTLD_NODELETE) before the first poll handle.
import { runBare } from './fixtures/bare-child.js';

// A started poller on an eventfd, then the end workerData.kind asks for. 'normal' closes the
// poller once its callback ran (a started one keeps the worker alive). For 'exit' the fd is
// left readable: FdPoller closes its handles at the thread's 'exit' event, before the
// teardown in which koffi would call a callback with JavaScript disallowed (an abort). For
// 'terminate' the fd is not readable: terminate emits no 'exit' (see the README).
const POLLER = `
const efd = B.eventfd(0, B.EFD.NONBLOCK);
const poller = new B.FdPoller(efd, () => {
  B.eventfdRead(efd);
  if (workerData === 'normal') poller.close();
});
poller.start();
if (workerData !== 'terminate') require('node:fs').writeSync(efd, new BigUint64Array([1n]));
parentPort.postMessage('started');
if (workerData === 'exit') process.exit(0);
`;

test('workers with started FdPollers end (terminate, exit, normally) without crashing the process', async () => {
  const result = await runBare(`
(async () => {
  const exits = { terminate: {}, exit: {}, normal: {} };
  for (let round = 0; round < 30; round++) {
    await Promise.all(['terminate', 'exit', 'normal'].map(async (kind) => {
      const w = worker(${JSON.stringify(POLLER)}, kind);
      await w.next();
      if (kind === 'terminate') w.worker.terminate();
      const code = await w.exit;
      exits[kind][code] = (exits[kind][code] ?? 0) + 1;
    }));
  }
  console.log(JSON.stringify({ exits, koffiInMain: Object.keys(require.cache).some((p) => p.includes('koffi')) }));
})();`);
  expect(result).toMatchObject({ code: 0, signal: null, timedOut: false, stderr: '' });
  expect(JSON.parse(result.stdout)).toEqual({
    exits: { terminate: { 1: 30 }, exit: { 0: 30 }, normal: { 0: 30 } },
    koffiInMain: false,
  });
});
