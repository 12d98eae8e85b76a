import { closeSync, constants, openSync, statSync } from 'node:fs';
import { join } from 'node:path';
import {
  EFD,
  eventfd,
  fileType,
  S_IF,
  SIZEOF_STATX,
  STATX,
  STATX_OFFSETS,
  statx,
} from '../src/index.js';
import { pipe, socketPair } from './fixtures/pipes.js';
import { closeAll, fileWith, pattern, tempDir } from './helpers.js';

const tmp = tempDir();
afterAll(() => tmp.cleanup());

describe('fileType', () => {
  test('tells regular files, pipes, sockets, char devices, directories and eventfds apart', () => {
    const file = fileWith(tmp.dir, 'reg', pattern(1));
    const [r, w] = pipe();
    const [a, b] = socketPair();
    const nul = openSync('/dev/null', 'r');
    const dir = openSync(tmp.dir, constants.O_RDONLY | constants.O_DIRECTORY);
    const efd = eventfd(0, EFD.CLOEXEC);
    try {
      expect(fileType(file)).toBe(S_IF.REG);
      expect(fileType(r)).toBe(S_IF.FIFO);
      expect(fileType(a)).toBe(S_IF.SOCK);
      expect(fileType(nul)).toBe(S_IF.CHR);
      expect(fileType(dir)).toBe(S_IF.DIR);
      expect(fileType(efd)).toBe(0); // anonymous inode: no type bits
    } finally {
      closeAll(file, r, w, a, b, nul, dir, efd);
    }
  });

  test('a closed fd -> statx EBADF', () => {
    expect(() => fileType(999_999)).toThrow(
      expect.objectContaining({ code: 'EBADF', syscall: 'statx' }),
    );
  });
});

describe('statx', () => {
  test('by path and by fd, the size agrees with fs.statSync', () => {
    const fd = fileWith(tmp.dir, 'sized', pattern(12345));
    const le = require('node:os').endianness() === 'LE';
    const byFd = statx(fd, null, 0, STATX.BASIC_STATS, new Uint8Array(SIZEOF_STATX));
    const byPath = statx(
      null,
      join(tmp.dir, 'sized'),
      0,
      STATX.BASIC_STATS,
      new Uint8Array(SIZEOF_STATX),
    );
    for (const buf of [byFd, byPath]) {
      const dv = new DataView(buf.buffer);
      expect(Number(dv.getBigUint64(STATX_OFFSETS.stx_size, le))).toBe(
        statSync(join(tmp.dir, 'sized')).size,
      );
    }
    closeSync(fd);
  });

  test.each([
    ['a missing path', () => statx(null, '/nonexistent/x', 0, 1, new Uint8Array(256)), 'ENOENT'],
    [
      'a NUL in the path',
      () => statx(null, 'a\0b', 0, 1, new Uint8Array(256)),
      'ERR_INVALID_ARG_VALUE',
    ],
    ['a short buffer', () => statx(null, '/', 0, 1, new Uint8Array(255)), 'ERR_OUT_OF_RANGE'],
    [
      'a path of the wrong type',
      () => statx(null, 5 as never, 0, 1, new Uint8Array(256)),
      'ERR_INVALID_ARG_TYPE',
    ],
  ])('refuses %s', (_name, call, code) => {
    expect(call).toThrow(expect.objectContaining({ code }));
  });
});
