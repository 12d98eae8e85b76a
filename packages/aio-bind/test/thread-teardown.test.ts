// Contexts created in a worker thread are destroyed when the thread ends, however it ends,
// after the kernel is done with the worker's buffers; and a context destroyed by io_destroy
// is never destroyed again by that teardown. Counted by the process's [aio] mappings (the
// system-wide aio-nr moves with other processes). AIO_TEARDOWN_LIFETIMES raises the count.
import { SYSCALL_TABLE } from '../src/index.js';
import { teardownSupported } from '../src/internal.js';
import { destroyStub } from '../src/teardown.js';
import { runBare } from './fixtures/bare-child.js';
import { tempDir } from './helpers.js';

const tmp = tempDir();
afterAll(() => tmp.cleanup());

const LIFETIMES = Number(process.env.AIO_TEARDOWN_LIFETIMES ?? 100);
const RINGS = `const rings = () => require('node:fs').readFileSync('/proc/self/maps', 'utf8')
  .split('\\n').filter((l) => l.includes('[aio]')).length;`;

// The worker: a context, four 1 MiB O_DIRECT reads into its own buffers, then it ends the
// way workerData.kind says while they are (most likely) still in flight.
const READER = `
const fs = require('node:fs');
const { file, kind } = workerData;
const ctx = B.io_setup(8);
const fd = fs.openSync(file, fs.constants.O_RDONLY | fs.constants.O_DIRECT);
const table = new B.IocbArray(4);
const buffers = [];
for (let i = 0; i < 4; i++) {
  const raw = Buffer.alloc((1 << 20) + 4096);
  const at = 4096 - Number(B.addressOf(raw) % 4096n);
  buffers.push(raw.subarray(at, at + (1 << 20)));
  table.prepareView(i, B.IOCB_CMD.PREAD, fd, buffers[i], i << 20, i);
}
B.io_submit(ctx, table.addresses, 4);
const done = B.readRingHeader(ctx);
parentPort.postMessage((done.tail - done.head + done.nr) % done.nr);
if (kind === 'exit') process.exit(0);
if (kind === 'terminate') for (let junk = []; ; junk.push({ n: junk.length })) if (junk.length > 1e5) junk = [];
`;

test('teardown is supported here (x86_64 and arm64 get a stub)', () => {
  expect(teardownSupported()).toBe(process.arch === 'x64' || process.arch === 'arm64');
});

test.each([
  ['x64', 207],
  ['arm64', 1],
])('the %s stub calls io_destroy (SYS_io_destroy %i)', (arch, nr) => {
  const code = destroyStub(arch)!;
  expect(SYSCALL_TABLE[arch]!.io_destroy).toBe(nr);
  if (arch === 'x64') {
    // mov rdi, [rdi]; mov eax, imm32; syscall; ret
    expect(code.slice(0, 4)).toEqual([0x48, 0x8b, 0x3f, 0xb8]);
    expect(code[4]! | (code[5]! << 8) | (code[6]! << 16) | (code[7]! << 24)).toBe(nr);
    expect(code.slice(8)).toEqual([0x0f, 0x05, 0xc3]);
  } else {
    const words = [0, 1, 2, 3].map((i) =>
      new DataView(Uint8Array.from(code).buffer).getUint32(i * 4, true),
    );
    expect(words[0]).toBe(0xf9400000); // ldr x0, [x0]
    expect(words[1]! >>> 21).toBe(0b11010010100); // movz x<d>, #imm16
    expect([(words[1]! >>> 5) & 0xffff, words[1]! & 31]).toEqual([nr, 8]); // x8 = nr
    expect(words.slice(2)).toEqual([0xd4000001, 0xd65f03c0]); // svc #0; ret
  }
  expect(destroyStub('riscv64')).toBeUndefined();
});

test(`${LIFETIMES} worker lifetimes per exit kind leave no context behind and no main-thread damage`, async () => {
  const file = `${tmp.dir}/data`;
  require('node:fs').writeFileSync(file, Buffer.alloc(4 << 20, 0x5a));
  const result = await runBare(
    `${RINGS}
(async () => {
  const start = rings();
  const big = Buffer.alloc(64 << 20);
  for (let i = 0; i < big.length; i += 4096) big[i] = i >>> 12;
  const sum = () => { let s = 0; for (let i = 0; i < big.length; i += 4096) s = (s * 31 + big[i]) | 0; return s; };
  const before = sum();
  let garbage = [];
  const churn = setInterval(() => { garbage = Array.from({ length: 2000 }, (_, i) => ({ i, s: 'x'.repeat(i % 64) })); }, 1);
  const report = { terminate: { exits: {}, inFlight: 0 }, exit: { exits: {} }, normal: { exits: {}, inFlight: 0 } };
  for (let n = 0; n < ${LIFETIMES}; n += 2) {
    await Promise.all(['terminate', 'exit', 'normal', 'terminate', 'exit', 'normal'].map(async (kind) => {
      const w = worker(${JSON.stringify(READER)}, { file: ${JSON.stringify(file)}, kind });
      if (kind !== 'exit') {
        const completed = await w.next();
        if (completed < 4) report[kind].inFlight++;
      }
      if (kind === 'terminate') w.worker.terminate();
      const code = await w.exit;
      report[kind].exits[code] = (report[kind].exits[code] ?? 0) + 1;
    }));
  }
  clearInterval(churn);
  console.log(JSON.stringify({ report, leftBehind: rings() - start, checksumSame: sum() === before }));
})();`,
    240_000,
  );
  expect(result).toMatchObject({ code: 0, signal: null, timedOut: false, stderr: '' });
  const got = JSON.parse(result.stdout);
  expect(got).toMatchObject({
    leftBehind: 0,
    checksumSame: true,
    report: {
      terminate: { exits: { 1: LIFETIMES } },
      exit: { exits: { 0: LIFETIMES } },
      normal: { exits: { 0: LIFETIMES } },
    },
  });
  // The point is requests in flight at the end: at least some lifetimes must have had them.
  expect(got.report.terminate.inFlight).toBeGreaterThan(0);
  expect(got.report.normal.inFlight).toBeGreaterThan(0);
}, 300_000);

test('a context io_destroy freed is not destroyed again when its worker ends', async () => {
  // The kernel hands the same address to the next io_setup: were the hook still armed, the
  // worker's end would destroy main's new context under it.
  const result = await runBare(`${RINGS}
const B = require(BIND);
(async () => {
  const seen = [];
  for (let round = 0; round < 5; round++) {
    for (const who of ['own', 'main']) {
      const w = worker(\`const ctx = B.io_setup(16);
        if (workerData === 'own') B.io_destroy(ctx);
        parentPort.postMessage(ctx);
        parentPort.once('message', () => {});\`, who);
      const old = await w.next();
      if (who === 'main') B.io_destroy(old); // from another thread: disarms the worker's hook
      const ctx = B.io_setup(16);
      const ring = new B.CompletionRing(ctx);
      w.worker.postMessage('exit');
      await w.exit;
      seen.push([who, ctx === old, B.io_getevents(ctx, 0, 0, new Uint8Array(0), null), ring.empty, rings()]);
      B.io_destroy(ctx);
    }
  }
  console.log(JSON.stringify(seen));
})();`);
  expect(result).toMatchObject({ code: 0, signal: null, timedOut: false, stderr: '' });
  expect(JSON.parse(result.stdout)).toEqual(
    Array.from({ length: 10 }, (_, i) => [i % 2 === 0 ? 'own' : 'main', true, 0, true, 1]),
  );
});
