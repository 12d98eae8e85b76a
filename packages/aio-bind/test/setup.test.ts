import {
  AIO_RING_MAGIC,
  AioError,
  aioLimits,
  io_destroy,
  io_getevents,
  io_setup,
  io_submit,
  readRingHeader,
} from '../src/index.js';

const BAD_CTX = 0x1234_5000n;

describe('io_setup / io_destroy', () => {
  test('creates a context whose ring the kernel sized at least as large as asked', () => {
    const ctx = io_setup(128);
    try {
      expect(typeof ctx).toBe('bigint');
      const header = readRingHeader(ctx);
      expect(header.magic).toBe(AIO_RING_MAGIC);
      expect(header.nr).toBeGreaterThanOrEqual(128);
      expect(header).toMatchObject({ head: 0, tail: 0, incompatFeatures: 0, headerLength: 32 });
    } finally {
      io_destroy(ctx);
    }
  });

  test('reserves slots in aio-nr until destroyed', () => {
    // aio-nr is system-wide: other processes (and this suite's worker tests) move it while we
    // look. A sample in which nothing else moved shows the reservation and its return.
    let sample = { added: 0, returned: 0 };
    for (let attempt = 0; attempt < 10; attempt++) {
      const before = aioLimits().nr;
      const ctx = io_setup(1000);
      const during = aioLimits().nr;
      io_destroy(ctx);
      sample = { added: during - before, returned: during - aioLimits().nr };
      if (sample.added >= 1000 && sample.returned === sample.added) break;
    }
    expect(sample.added).toBeGreaterThanOrEqual(1000);
    expect(sample.returned).toBe(sample.added);
    expect(aioLimits().maxNr).toBeGreaterThan(0);
  });

  test('nr_events 0 -> EINVAL with code, negative errno, syscall and hint', () => {
    let error: unknown;
    try {
      io_setup(0);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(AioError);
    expect(error).toMatchObject({
      code: 'EINVAL',
      errno: -22,
      syscall: 'io_setup',
      name: 'AioError',
    });
    const e = error as AioError;
    expect(e.message).toBe(`io_setup EINVAL: ${e.hint}`);
    expect(e.hint).toContain('it was 0');
  });

  test('more than aio-max-nr -> EAGAIN, and the hint names the limit and its usage', () => {
    const { maxNr } = aioLimits();
    expect(() => io_setup(maxNr + 1)).toThrow(
      expect.objectContaining({
        code: 'EAGAIN',
        errno: -11,
        hint: expect.stringContaining(`/proc/sys/fs/aio-max-nr is ${maxNr}`),
      }),
    );
  });

  test('io_destroy twice -> EINVAL, and the ring is no longer readable', () => {
    const ctx = io_setup(4);
    io_destroy(ctx);
    expect(() => io_destroy(ctx)).toThrow(
      expect.objectContaining({ code: 'EINVAL', syscall: 'io_destroy' }),
    );
    expect(() => readRingHeader(ctx)).toThrow(
      expect.objectContaining({ code: 'ERR_INVALID_ARG_VALUE' }),
    );
  });

  test.each([
    ['io_destroy', () => io_destroy(BAD_CTX)],
    ['io_submit', () => io_submit(BAD_CTX, [])],
    [
      'io_getevents',
      () => io_getevents(BAD_CTX, 0, 1, new Uint8Array(32), { tv_sec: 0, tv_nsec: 0 }),
    ],
  ])('%s on a context that does not exist -> EINVAL', (syscall, call) => {
    expect(call).toThrow(expect.objectContaining({ code: 'EINVAL', syscall }));
  });

  test.each([
    ['a number', () => io_setup('4' as never), 'ERR_INVALID_ARG_TYPE'],
    ['negative', () => io_setup(-1), 'ERR_OUT_OF_RANGE'],
    ['above u32', () => io_setup(2 ** 32), 'ERR_OUT_OF_RANGE'],
    ['fractional', () => io_setup(1.5), 'ERR_OUT_OF_RANGE'],
    ['ctx not a bigint', () => io_destroy(5 as never), 'ERR_INVALID_ARG_TYPE'],
    ['ctx zero', () => io_destroy(0n), 'ERR_OUT_OF_RANGE'],
    ['ctx above u64', () => io_destroy(1n << 64n), 'ERR_OUT_OF_RANGE'],
  ])('rejects %s before the kernel', (_name, call, code) => {
    expect(call).toThrow(expect.objectContaining({ code }));
  });
});
