// Views that lie (own properties, getters, subclasses, patched prototypes), impostors (a Proxy,
// a look-alike) and growable SharedArrayBuffer views, over every public function of
// @aio/bind that reads a caller's memory without the kernel writing into it. Each case must
// either use the view's true memory or throw a coded error. The functions whose lying input
// would make the kernel write past a buffer are in hostile-kernel.test.ts (child processes).
import {
  addressOf,
  CompletionRing,
  decodeIocb,
  decodeIoEvent,
  decodeStatx,
  encodeIocb,
  encodeIovecs,
  IOCB_CMD,
  IocbArray,
  io_destroy,
  io_setup,
  io_submit,
  reapRing,
} from '../src/index.js';
import { isDetached, validateStructBuffer, validateView } from '../src/internal.js';
import { liarsIn } from './fixtures/liars.js';
import { closeAll, fileWith, pattern, tempDir } from './helpers.js';

const { liars, impostors, grown, withPatchedPrototypes } = liarsIn();
const CLAIM = 1 << 20;
const tmp = tempDir();
let ctx: bigint;
let fd: number;
beforeAll(() => {
  ctx = io_setup(16);
  fd = fileWith(tmp.dir, 'data', pattern(4096));
});
afterAll(() => {
  io_destroy(ctx);
  closeAll(fd);
  tmp.cleanup();
});

type Outcome = { code: string } | { uncoded: string } | { value: unknown };
function outcome(call: () => unknown): Outcome {
  try {
    return { value: call() };
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    return typeof code === 'string' ? { code } : { uncoded: String(error) };
  }
}

/** A short view at a non-zero offset of a larger buffer, filled with a pattern. */
const short = (bytes: number) => () => {
  const view = new Uint8Array(new ArrayBuffer(bytes + 64), 32, bytes);
  for (let i = 0; i < bytes; i++) view[i] = (i * 7 + 1) & 0xff;
  return view;
};
const shortDataView = (bytes: number) => () => new DataView(new ArrayBuffer(bytes + 64), 32, bytes);

describe.each([
  ['Uint8Array', short],
  ['DataView', shortDataView],
])('lying %s views', (_kind, make) => {
  const cases = (bytes: number) => liars(make(bytes), CLAIM);

  test.each(cases(16))('%s: addressOf and encodeIovecs use the true memory', (_l, liar, twin) => {
    expect(addressOf(liar)).toBe(addressOf(twin));
    const iov = new DataView(encodeIovecs([liar]).buffer);
    expect([iov.getBigUint64(0, true), iov.getBigUint64(8, true)]).toEqual([addressOf(twin), 16n]);
  });

  test.each(cases(16))('%s: 16 true bytes are too short for every struct', (_l, liar) => {
    expect({
      encodeIocb: outcome(() => encodeIocb(liar, { aio_fildes: 1 })),
      decodeIocb: outcome(() => decodeIocb(liar)),
      decodeIoEvent: outcome(() => decodeIoEvent(liar)),
      decodeStatx: outcome(() => decodeStatx(liar as Uint8Array)),
      validateStructBuffer: outcome(() => validateStructBuffer(liar, 'v', 64)),
      reapRing: outcome(() => reapRing(ctx, liar as Uint8Array, 1)),
    }).toEqual({
      encodeIocb: { code: 'ERR_OUT_OF_RANGE' },
      decodeIocb: { code: 'ERR_OUT_OF_RANGE' },
      decodeIoEvent: { code: 'ERR_OUT_OF_RANGE' },
      decodeStatx: { code: 'ERR_OUT_OF_RANGE' },
      validateStructBuffer: { code: 'ERR_OUT_OF_RANGE' },
      reapRing: { code: 'ERR_OUT_OF_RANGE' },
    });
  });

  test.each(cases(64))(
    '%s: iocb and io_event codecs read and write the true memory',
    (_l, liar, twin) => {
      encodeIocb(liar, { aio_fildes: 5, aio_data: 9n });
      expect(decodeIocb(twin)).toMatchObject({ aio_fildes: 5, aio_data: 9n });
      expect(decodeIocb(liar)).toEqual(decodeIocb(twin));
      expect(decodeIoEvent(liar, 1)).toEqual(decodeIoEvent(twin, 1));
      expect(outcome(() => decodeIoEvent(liar, 2))).toEqual({ code: 'ERR_OUT_OF_RANGE' });
    },
  );
});

describe('lying views the engine hands to the kernel', () => {
  test.each(liars(short(16), CLAIM))(
    '%s: prepareView takes the true address and length',
    (_l, liar, twin) => {
      const table = new IocbArray(1);
      table.prepareView(0, IOCB_CMD.PREAD, fd, liar, 0, 1);
      expect(decodeIocb(table.at(0))).toMatchObject({ aio_buf: addressOf(twin), aio_nbytes: 16n });
    },
  );

  test.each(liars(short(32), CLAIM))(
    '%s: CompletionRing.reap copies one event into 32 true bytes',
    (_l, liar, twin) => {
      const ring = new CompletionRing(ctx);
      const table = new IocbArray(3);
      const out = Buffer.alloc(3);
      for (let i = 0; i < 3; i++) {
        table.prepare(i, IOCB_CMD.PREAD, fd, addressOf(out.subarray(i, i + 1)), 1, i, 40 + i);
      }
      expect(io_submit(ctx, table.addresses, 3)).toBe(3); // buffered: complete inside io_submit
      expect(ring.reap(liar as Uint8Array, 100)).toBe(1);
      expect(decodeIoEvent(twin)).toMatchObject({ data: 40n, res: 1 });
      expect(ring.reap(new Uint8Array(64), 2)).toBe(2);
    },
  );
});

describe('impostors are not views', () => {
  test.each(impostors(short(64)))('%s is refused by every function', (_l, impostor) => {
    const v = impostor as Uint8Array;
    const calls = {
      addressOf: () => addressOf(v),
      encodeIovecs: () => encodeIovecs([v]),
      encodeIocb: () => encodeIocb(v, {}),
      decodeIocb: () => decodeIocb(v),
      decodeIoEvent: () => decodeIoEvent(v),
      decodeStatx: () => decodeStatx(v),
      validateView: () => validateView(v, 'v'),
      reapRing: () => reapRing(ctx, v, 1),
      prepareView: () => new IocbArray(1).prepareView(0, IOCB_CMD.PREAD, fd, v, 0, 0),
      'CompletionRing.reap': () => new CompletionRing(ctx).reap(v, 1),
    };
    const got = Object.fromEntries(Object.entries(calls).map(([k, f]) => [k, outcome(f)]));
    const expected = Object.fromEntries(
      Object.keys(calls).map((k) => [k, { code: 'ERR_INVALID_ARG_TYPE' }]),
    );
    expect(got).toEqual(expected);
    expect(isDetached(impostor as ArrayBuffer)).toBe(false);
  });
});

describe('patched prototypes and globals', () => {
  test('TypedArray, DataView and ArrayBuffer getters, ArrayBuffer.isView and Array.isArray', () => {
    const view16 = short(16)();
    const view64 = short(64)();
    const address = addressOf(view16);
    const got = withPatchedPrototypes(CLAIM, () => ({
      addressOf: outcome(() => addressOf(view16)),
      encodeIocb: outcome(() => encodeIocb(view16, {})),
      decodeIoEvent: outcome(() => decodeIoEvent(view64, 1)),
      reapRing: outcome(() => reapRing(ctx, view16, 1)),
      notAView: outcome(() => addressOf({} as Uint8Array)),
      notAnArray: outcome(() => encodeIovecs({ length: 1, 0: view16 } as never)),
    }));
    expect(got).toEqual({
      addressOf: { value: address },
      encodeIocb: { code: 'ERR_OUT_OF_RANGE' },
      decodeIoEvent: { value: decodeIoEvent(view64, 1) },
      reapRing: { code: 'ERR_OUT_OF_RANGE' },
      notAView: { code: 'ERR_INVALID_ARG_TYPE' },
      notAnArray: { code: 'ERR_INVALID_ARG_TYPE' },
    });
  });
});

describe('length-tracking views of a growable SharedArrayBuffer', () => {
  test('one that grew from 16 to 256 bytes is accepted with its current length', () => {
    const view = grown(16, 256);
    expect(view.byteLength).toBe(256);
    expect(addressOf(view)).toBe(addressOf(new Uint8Array(view.buffer)));
    const iov = new DataView(encodeIovecs([view]).buffer);
    expect(iov.getBigUint64(8, true)).toBe(256n);
    encodeIocb(view, { aio_fildes: 7 });
    expect(decodeIocb(view).aio_fildes).toBe(7);
    expect(decodeIoEvent(view, 7).res).toBe(0);
    expect(decodeStatx(view).mask).toBe(0);
    expect(reapRing(ctx, view, 8)).toBe(0);
    const table = new IocbArray(1);
    table.prepareView(0, IOCB_CMD.PREAD, fd, view, 0, 0);
    expect(decodeIocb(table.at(0))).toMatchObject({ aio_buf: addressOf(view), aio_nbytes: 256n });
  });

  test('one that grew from 0 bytes gets a real address', () => {
    const view = grown(0, 4096);
    const table = new IocbArray(1);
    table.prepareView(0, IOCB_CMD.PREAD, fd, view, 0, 0);
    const { aio_buf, aio_nbytes } = decodeIocb(table.at(0));
    expect(aio_nbytes).toBe(4096n);
    expect(aio_buf).toBe(addressOf(view));
    expect(aio_buf).not.toBe(0n);
  });
});
