// Every public entry point refuses bad input with a typed, coded error before anything
// reaches the kernel. Promise methods reject (they never throw synchronously).
import { AioContext, POLL, ReadRequest } from '../src/index.js';

const ctx = new AioContext();
afterAll(() => ctx.close());

const detached = (() => {
  const ab = new ArrayBuffer(8);
  const view = new Uint8Array(ab);
  structuredClone(ab, { transfer: [ab] });
  return view;
})();
const resizable = new Uint8Array(
  new (ArrayBuffer as unknown as new (n: number, o: object) => ArrayBuffer)(8, {
    maxByteLength: 16,
  }),
);
const buf = Buffer.alloc(8);
const TYPE = 'ERR_INVALID_ARG_TYPE';
const RANGE = 'ERR_OUT_OF_RANGE';
const VALUE = 'ERR_INVALID_ARG_VALUE';

const promiseCases: Array<[string, () => Promise<unknown>, string]> = [
  ['fd a string', () => ctx.read('3' as never, buf, 0), TYPE],
  ['fd null', () => ctx.read(null as never, buf, 0), TYPE],
  ['fd negative', () => ctx.read(-1, buf, 0), RANGE],
  ['fd fractional', () => ctx.read(1.5, buf, 0), RANGE],
  ['fd NaN', () => ctx.read(Number.NaN, buf, 0), RANGE],
  ['fd > 2^31', () => ctx.read(2 ** 31, buf, 0), RANGE],
  ['fd object without fd', () => ctx.read({} as never, buf, 0), TYPE],
  ['FileHandle-like with bad fd', () => ctx.read({ fd: 'x' } as never, buf, 0), TYPE],
  ['closed FileHandle (fd -1)', () => ctx.read({ fd: -1 }, buf, 0), 'EBADF'],
  ['buffer a string', () => ctx.read(0, 'abc' as never, 0), TYPE],
  ['buffer an ArrayBuffer', () => ctx.write(0, new ArrayBuffer(8) as never, 0), TYPE],
  ['buffer detached', () => ctx.read(0, detached, 0), VALUE],
  ['buffer resizable', () => ctx.read(0, resizable, 0), VALUE],
  ['position missing', () => ctx.read(0, buf, undefined as never), TYPE],
  ['position negative', () => ctx.read(0, buf, -1), RANGE],
  ['position fractional', () => ctx.read(0, buf, 0.5), RANGE],
  ['position NaN', () => ctx.write(0, buf, Number.NaN), RANGE],
  ['position > 2^53 as a number', () => ctx.read(0, buf, 2 ** 53), RANGE],
  ['position a negative bigint', () => ctx.read(0, buf, -1n), RANGE],
  ['position >= 2^63', () => ctx.read(0, buf, 2n ** 63n), RANGE],
  ['position a string', () => ctx.read(0, buf, '0' as never), TYPE],
  ['buffers not an array', () => ctx.readv(0, buf as never, 0), TYPE],
  ['buffers with a non-view', () => ctx.writev(0, [buf, 'x' as never], 0), TYPE],
  ['buffers past IOV_MAX', () => ctx.readv(0, new Array(1025).fill(buf), 0), RANGE],
  ['buffers with a detached one', () => ctx.readv(0, [buf, detached], 0), VALUE],
  ['options not an object', () => ctx.read(0, buf, 0, 5 as never), TYPE],
  ['rwFlags unknown bit', () => ctx.read(0, buf, 0, { rwFlags: 0x100 }), RANGE],
  ['rwFlags negative', () => ctx.read(0, buf, 0, { rwFlags: -1 }), RANGE],
  ['rwFlags on fsync', () => ctx.fsync(0, { rwFlags: 2 }), VALUE],
  ['rwFlags on poll', () => ctx.poll(0, POLL.IN, { rwFlags: 8 }), VALUE],
  ['priority not an object', () => ctx.read(0, buf, 0, { priority: 'rt' as never }), TYPE],
  [
    'priority class unknown',
    () => ctx.read(0, buf, 0, { priority: { class: 'max' as never, level: 0 } }),
    VALUE,
  ],
  ['priority level 8', () => ctx.read(0, buf, 0, { priority: { class: 'be', level: 8 } }), RANGE],
  [
    'priority level fractional',
    () => ctx.read(0, buf, 0, { priority: { class: 'be', level: 0.5 } }),
    RANGE,
  ],
  ['signal not an AbortSignal', () => ctx.read(0, buf, 0, { signal: 'x' as never }), TYPE],
  ['poll events unknown bits', () => ctx.poll(0, 0x4000), VALUE],
  ['poll events > 16 bits', () => ctx.poll(0, 0x10000), RANGE],
  ['poll events negative', () => ctx.poll(0, -1), RANGE],
  ['poll events a string', () => ctx.poll(0, '1' as never), TYPE],
  ['run a non-request', () => ctx.run({ command: 'read' } as never), TYPE],
  ['run options not an object', () => ctx.run(new ReadRequest(0, buf, 0), 1 as never), TYPE],
  ['fdatasync fd negative', () => ctx.fdatasync(-3), RANGE],
];

test.each(promiseCases)('%s -> rejects %s, nothing submitted', async (_name, call, code) => {
  let threw = false;
  let promise: Promise<unknown> | undefined;
  try {
    promise = call();
  } catch {
    threw = true;
  }
  expect(threw).toBe(false);
  expect(ctx.queued).toBe(0);
  await expect(promise).rejects.toMatchObject({ code });
  expect(ctx.inFlight).toBe(0);
});

test.each([
  ['options not an object', () => new AioContext(5 as never), TYPE],
  ['maxRequests 0', () => new AioContext({ maxRequests: 0 }), RANGE],
  ['maxRequests > 65536', () => new AioContext({ maxRequests: 65537 }), RANGE],
  ['maxRequests fractional', () => new AioContext({ maxRequests: 1.5 }), RANGE],
  ['maxRequests a string', () => new AioContext({ maxRequests: '8' as never }), TYPE],
  ['backend unknown', () => new AioContext({ backend: 'uring' as never }), VALUE],
  [
    'submitBatch above maxRequests',
    () => new AioContext({ maxRequests: 4, submitBatch: 5 }),
    RANGE,
  ],
  ['submitBatch 0', () => new AioContext({ submitBatch: 0 }), RANGE],
  ['submit a non-request', () => ctx.submit(3 as never), TYPE],
  ['getEvents minNr negative', () => ctx.getEvents(-1, 1), RANGE],
  ['getEvents maxNr NaN', () => ctx.getEvents(0, Number.NaN), RANGE],
  ['getEvents timeout fractional', () => ctx.getEvents(0, 1, 1.5), RANGE],
  ['cancel a non-request', () => ctx.cancel(null as never), TYPE],
  ['cancel an idle request', () => ctx.cancel(new ReadRequest(0, buf, 0)), VALUE],
])('%s -> throws %s', (_name, call, code) => {
  expect(call).toThrow(expect.objectContaining({ code }));
});

test('SharedArrayBuffer-backed views are accepted (their memory stays put while referenced)', async () => {
  const { fileWith, pattern, tempDir } = await import('./helpers.js');
  const tmp = tempDir();
  const fd = fileWith(tmp.path('sab'), pattern(16));
  const shared = new Uint8Array(new SharedArrayBuffer(16));
  expect(await ctx.read(fd, shared, 0)).toBe(16);
  expect(Buffer.from(shared)).toEqual(pattern(16));
  require('node:fs').closeSync(fd);
  tmp.cleanup();
});

describe('a buffer detached after the call, before the flush', () => {
  // The kernel must never get an address JavaScript no longer owns: the flush checks again.
  const detach = (view: ArrayBufferView) =>
    structuredClone(view.buffer, { transfer: [view.buffer as ArrayBuffer] });

  test.each([
    ['read', (fd: number, b: Uint8Array) => ctx.read(fd, b, 0), 'buffer'],
    ['write', (fd: number, b: Uint8Array) => ctx.write(fd, b, 0), 'buffer'],
    ['readv', (fd: number, b: Uint8Array) => ctx.readv(fd, [Buffer.alloc(4), b], 0), 'buffers'],
    ['writev', (fd: number, b: Uint8Array) => ctx.writev(fd, [b, Buffer.alloc(4)], 0), 'buffers'],
    [
      'run(ReadRequest)',
      (fd: number, b: Uint8Array) => ctx.run(new ReadRequest(fd, b, 0)),
      'buffer',
    ],
  ])('%s rejects ERR_INVALID_ARG_VALUE and leaves the file alone', async (_name, call, name) => {
    const { fileWith, pattern, tempDir } = await import('./helpers.js');
    const { closeSync, readFileSync } = await import('node:fs');
    const tmp = tempDir();
    const path = tmp.path('f');
    const fd = fileWith(path, pattern(64));
    try {
      const view = new Uint8Array(new ArrayBuffer(32)).fill(7);
      const promise = call(fd, view);
      detach(view);
      expect(view.byteLength).toBe(0);
      const error = await promise.then(
        () => null,
        (e: unknown) => e,
      );
      expect(error).toMatchObject({ code: VALUE });
      expect((error as Error).message).toContain(
        `argument '${name}' was detached before the request reached the kernel`,
      );
      expect(readFileSync(path)).toEqual(pattern(64));
      expect(ctx.inFlight).toBe(0);
    } finally {
      closeSync(fd);
      tmp.cleanup();
    }
  });
});
