import {
  AioError,
  errnoException,
  InvalidArgTypeError,
  InvalidArgValueError,
  IOPRIO_CLASS,
  ioprioValue,
  OutOfRangeError,
  SYSCALL_TABLE,
  syscallNumbers,
  UnsupportedPlatformError,
} from '../src/index.js';

describe('AioError', () => {
  test.each([
    [11, 'io_submit', 'EAGAIN', 'No free slot'],
    [9, 'io_submit', 'EBADF', 'iocb 3 (fd 7)'],
    [22, 'io_cancel', 'EINVAL', 'only IOCB_CMD_POLL'],
    [1, 'io_pgetevents', 'EPERM', 'seccomp'],
    [4, 'io_getevents', 'EINTR', 'call again'],
    [95, 'io_submit', 'ENOTSUP', 'RWF_NOWAIT'],
    [22, 'IOCB_CMD_PWRITE', 'EINVAL', 'O_DIRECT'],
    [28, 'IOCB_CMD_PWRITE', 'ENOSPC', 'full'],
  ] as const)('errno %i from %s -> %s with a specific hint', (errno, syscall, code, hint) => {
    const e = errnoException(errno, syscall, { index: 3, fd: 7 });
    expect(e).toBeInstanceOf(AioError);
    expect(e).toBeInstanceOf(Error);
    expect(e).toMatchObject({ name: 'AioError', code, errno: -errno, syscall });
    expect(e.hint).toContain(hint);
    expect(e.message).toBe(`${syscall} ${code}: ${e.hint}`);
    expect(e.stack).toContain('AioError');
  });

  test('an errno without a hint falls back to the system description', () => {
    const e = errnoException(2, 'io_submit');
    expect(e).toMatchObject({ code: 'ENOENT', hint: 'no such file or directory.' });
  });

  test('context fields are kept', () => {
    expect(errnoException(9, 'io_submit', { index: 2, fd: 5 })).toMatchObject({ index: 2, fd: 5 });
  });
});

describe('argument errors carry Node codes', () => {
  test.each([
    [
      new InvalidArgTypeError('fd', 'of type number', 'x'),
      TypeError,
      'ERR_INVALID_ARG_TYPE',
      'The "fd" argument must be of type number. Received type string (\'x\')',
    ],
    [
      new InvalidArgValueError('buf', 1n, 'is detached'),
      TypeError,
      'ERR_INVALID_ARG_VALUE',
      "The argument 'buf' is detached. Received 1n",
    ],
    [
      new OutOfRangeError('nr', '>= 1', -1),
      RangeError,
      'ERR_OUT_OF_RANGE',
      'The value of "nr" is out of range. It must be >= 1. Received -1',
    ],
  ])('%s', (error, Class, code, message) => {
    expect(error).toBeInstanceOf(Class);
    expect(error).toMatchObject({ code, message });
  });
});

describe('platform', () => {
  test('x86_64 numbers are the kernel ones', () => {
    expect(syscallNumbers('x64', 'linux')).toEqual({
      io_setup: 206,
      io_destroy: 207,
      io_getevents: 208,
      io_submit: 209,
      io_cancel: 210,
      eventfd2: 290,
      statx: 332,
      io_pgetevents: 333,
      cachestat: 451,
    });
    for (const numbers of Object.values(SYSCALL_TABLE)) expect(numbers.cachestat).toBe(451);
    expect(SYSCALL_TABLE.arm64).toBe(SYSCALL_TABLE.riscv64);
    expect(SYSCALL_TABLE.arm64).toMatchObject({
      io_setup: 0,
      io_submit: 2,
      io_getevents: 4,
      io_pgetevents: 292,
    });
  });
  test.each([
    ['ia32', 'linux'],
    ['arm', 'linux'],
    ['mips', 'linux'],
    ['x64', 'darwin'],
  ])('%s on %s is refused with a clear error, not guessed', (arch, platform) => {
    expect(() => syscallNumbers(arch, platform)).toThrow(UnsupportedPlatformError);
    expect(() => syscallNumbers(arch, platform)).toThrow(
      expect.objectContaining({ code: 'ERR_AIO_UNSUPPORTED_PLATFORM' }),
    );
  });
});

describe('ioprioValue', () => {
  test('encodes class and level as IOPRIO_PRIO_VALUE does', () => {
    expect(ioprioValue(IOPRIO_CLASS.BE, 4)).toBe((2 << 13) | 4);
    expect(ioprioValue(IOPRIO_CLASS.IDLE, 0)).toBe(3 << 13);
    expect(ioprioValue(IOPRIO_CLASS.NONE, 0)).toBe(0);
  });
  test.each([
    [IOPRIO_CLASS.BE, 8],
    [IOPRIO_CLASS.RT, -1],
    [4 as never, 0],
    [IOPRIO_CLASS.NONE, 3],
    [IOPRIO_CLASS.BE, 1.5],
  ])('refuses class %p level %p', (cls, level) => {
    expect(() => ioprioValue(cls, level)).toThrow(
      expect.objectContaining({ code: 'ERR_OUT_OF_RANGE' }),
    );
  });
});
