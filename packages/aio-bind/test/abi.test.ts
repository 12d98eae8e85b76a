import { endianness } from 'node:os';
import koffi from 'koffi';
import {
  AIO_RING,
  IO_EVENT,
  IO_EVENT_LAYOUT,
  IOCB,
  IOCB_LAYOUT,
  IOVEC,
  iocbLayout,
  iovecLayout,
  NATIVE_ABI,
  SIZEOF_IO_EVENT,
  SIZEOF_IOCB,
  SIZEOF_IOVEC,
  SIZEOF_TIMESPEC,
  TIMESPEC,
  timespecLayout,
} from '../src/index.js';

// Offsets from include/uapi/linux/aio_abi.h. PADDED(aio_key, aio_rw_flags) puts aio_key first
// on little-endian and second on big-endian; every other field is fixed by __u64/__u32 types.
const KERNEL_IOCB = {
  LE: { aio_key: 8, aio_rw_flags: 12 },
  BE: { aio_key: 12, aio_rw_flags: 8 },
} as const;
const FIXED = {
  aio_data: 0,
  aio_lio_opcode: 16,
  aio_reqprio: 18,
  aio_fildes: 20,
  aio_buf: 24,
  aio_nbytes: 32,
  aio_offset: 40,
  aio_reserved2: 48,
  aio_flags: 56,
  aio_resfd: 60,
};

describe('iocbLayout', () => {
  test.each([
    ['LE', 64, 0],
    ['LE', 32, 0],
    ['BE', 64, 0],
    ['BE', 32, 4],
  ] as const)('%s %i-bit matches the kernel ABI', (endianness, wordBits, pointerInSlot) => {
    const layout = iocbLayout({ endianness, wordBits });
    expect(layout).toMatchObject({ ...FIXED, ...KERNEL_IOCB[endianness], size: 64, pointerInSlot });
  });

  test('every field fits in 64 bytes without overlap', () => {
    for (const endianness of ['LE', 'BE'] as const) {
      const l = iocbLayout({ endianness, wordBits: 64 });
      const spans = [
        [l.aio_data, 8],
        [l.aio_key, 4],
        [l.aio_rw_flags, 4],
        [l.aio_lio_opcode, 2],
        [l.aio_reqprio, 2],
        [l.aio_fildes, 4],
        [l.aio_buf, 8],
        [l.aio_nbytes, 8],
        [l.aio_offset, 8],
        [l.aio_reserved2, 8],
        [l.aio_flags, 4],
        [l.aio_resfd, 4],
      ].sort((a, b) => a[0]! - b[0]!);
      let end = 0;
      for (const [start, size] of spans) {
        expect(start).toBe(end);
        end = start! + size!;
      }
      expect(end).toBe(64);
    }
  });

  test('the native layout is the one for this machine', () => {
    expect(IOCB_LAYOUT).toEqual(iocbLayout(NATIVE_ABI));
    // Checked against independent sources: the OS byte order and koffi's pointer size.
    expect(NATIVE_ABI).toEqual({ endianness: endianness(), wordBits: koffi.sizeof('void *') * 8 });
  });
});

describe('other struct layouts', () => {
  test('io_event is 32 bytes everywhere', () => {
    expect(IO_EVENT_LAYOUT).toEqual({ size: 32, data: 0, obj: 8, res: 16, res2: 24 });
  });
  test.each([
    [64, { size: 16, iov_base: 0, iov_len: 8 }, { size: 16, tv_sec: 0, tv_nsec: 8 }],
    [32, { size: 8, iov_base: 0, iov_len: 4 }, { size: 8, tv_sec: 0, tv_nsec: 4 }],
  ] as const)('iovec and timespec on %i-bit', (wordBits, iovec, timespec) => {
    expect(iovecLayout({ endianness: 'LE', wordBits })).toEqual(iovec);
    expect(timespecLayout({ endianness: 'BE', wordBits })).toEqual(timespec);
  });
  test('SIZEOF constants', () => {
    expect([SIZEOF_IOCB, SIZEOF_IO_EVENT, SIZEOF_IOVEC, SIZEOF_TIMESPEC]).toEqual([64, 32, 16, 16]);
  });
});

describe('koffi struct types agree with the computed layouts', () => {
  test('sizes', () => {
    expect(koffi.sizeof(IOCB)).toBe(SIZEOF_IOCB);
    expect(koffi.sizeof(IO_EVENT)).toBe(SIZEOF_IO_EVENT);
    expect(koffi.sizeof(IOVEC)).toBe(SIZEOF_IOVEC);
    expect(koffi.sizeof(TIMESPEC)).toBe(SIZEOF_TIMESPEC);
    expect(koffi.sizeof(AIO_RING)).toBe(32);
  });
  test('iocb offsets', () => {
    for (const field of Object.keys(FIXED).concat('aio_key', 'aio_rw_flags')) {
      expect([field, koffi.offsetof(IOCB, field)]).toEqual([
        field,
        IOCB_LAYOUT[field as keyof typeof FIXED],
      ]);
    }
  });
  test('loading the module twice defines no named type twice', () => {
    jest.isolateModules(() => {
      const again = require('../src/types.js') as typeof import('../src/types.js');
      expect(again.IOCB).not.toBe(IOCB);
      expect(koffi.sizeof(again.IOCB)).toBe(64);
    });
  });
});
