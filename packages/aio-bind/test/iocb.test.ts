import {
  addressOf,
  decodeIocb,
  encodeIocb,
  IOCB_CMD,
  IOCB_FLAG,
  IocbArray,
  iocbLayout,
  RWF,
  SIZEOF_IOCB,
} from '../src/index.js';

const ALL = {
  aio_data: 0x0102030405060708n,
  aio_key: 0x11223344,
  aio_rw_flags: RWF.NOWAIT | RWF.HIPRI,
  aio_lio_opcode: IOCB_CMD.PWRITEV,
  aio_reqprio: -2,
  aio_fildes: 0xfedcba98,
  aio_buf: 0xffff_ffff_ffff_fff0n,
  aio_nbytes: 0x1_0000_0001n,
  aio_offset: -5n,
  aio_reserved2: 0n,
  aio_flags: IOCB_FLAG.RESFD | IOCB_FLAG.IOPRIO,
  aio_resfd: 77,
};

describe('encodeIocb / decodeIocb', () => {
  test('round-trips every field natively', () => {
    const bytes = encodeIocb(new Uint8Array(SIZEOF_IOCB), ALL);
    expect(decodeIocb(bytes)).toEqual({ ...ALL, aio_rw_flags: RWF.NOWAIT | RWF.HIPRI });
  });

  test('missing fields are zero, and the whole 64 bytes are rewritten', () => {
    const bytes = new Uint8Array(SIZEOF_IOCB).fill(0xaa);
    encodeIocb(bytes, { aio_fildes: 3 });
    const decoded = decodeIocb(bytes);
    expect(decoded.aio_fildes).toBe(3);
    expect(Buffer.from(bytes).subarray(0, 20)).toEqual(Buffer.alloc(20));
    expect(Buffer.from(bytes).subarray(24)).toEqual(Buffer.alloc(SIZEOF_IOCB - 24));
  });

  test.each(['LE', 'BE'] as const)('%s bytes sit where the kernel reads them', (endianness) => {
    const layout = iocbLayout({ endianness, wordBits: 64 });
    const bytes = encodeIocb(
      new Uint8Array(64),
      { aio_key: 1, aio_rw_flags: 2, aio_fildes: 3 },
      layout,
    );
    const dv = new DataView(bytes.buffer);
    const le = endianness === 'LE';
    expect(dv.getUint32(endianness === 'LE' ? 8 : 12, le)).toBe(1); // aio_key
    expect(dv.getUint32(endianness === 'LE' ? 12 : 8, le)).toBe(2); // aio_rw_flags
    expect(dv.getUint32(20, le)).toBe(3);
    // Big-endian: the most significant byte comes first.
    expect(bytes[20]).toBe(le ? 3 : 0);
    expect(bytes[23]).toBe(le ? 0 : 3);
    expect(decodeIocb(bytes, layout)).toMatchObject({ aio_key: 1, aio_rw_flags: 2, aio_fildes: 3 });
  });

  test('a 32-bit big-endian pointer lands in the low half of aio_buf', () => {
    const layout = iocbLayout({ endianness: 'BE', wordBits: 32 });
    const bytes = encodeIocb(new Uint8Array(64), { aio_buf: 0x12345678 }, layout);
    expect([...bytes.subarray(24, 32)]).toEqual([0, 0, 0, 0, 0x12, 0x34, 0x56, 0x78]);
    expect(layout.aio_buf + layout.pointerInSlot).toBe(28);
  });

  test('encodes into a subarray at its offset and returns the target', () => {
    const big = new Uint8Array(200);
    const target = big.subarray(100, 164);
    expect(encodeIocb(target, { aio_fildes: 9 })).toBe(target);
    expect(decodeIocb(big.subarray(100)).aio_fildes).toBe(9);
  });

  test.each([
    ['target too short', () => encodeIocb(new Uint8Array(63), {}), 'ERR_OUT_OF_RANGE'],
    ['target not a view', () => encodeIocb([] as never, {}), 'ERR_INVALID_ARG_TYPE'],
    [
      'fields not an object',
      () => encodeIocb(new Uint8Array(64), null as never),
      'ERR_INVALID_ARG_TYPE',
    ],
    [
      'unknown field',
      () => encodeIocb(new Uint8Array(64), { aio_nbyte: 1 } as never),
      'ERR_INVALID_ARG_VALUE',
    ],
    [
      'opcode > u16',
      () => encodeIocb(new Uint8Array(64), { aio_lio_opcode: 0x10000 }),
      'ERR_OUT_OF_RANGE',
    ],
    [
      'reqprio < s16',
      () => encodeIocb(new Uint8Array(64), { aio_reqprio: -0x8001 }),
      'ERR_OUT_OF_RANGE',
    ],
    ['negative fd', () => encodeIocb(new Uint8Array(64), { aio_fildes: -1 }), 'ERR_OUT_OF_RANGE'],
    [
      'fractional fd',
      () => encodeIocb(new Uint8Array(64), { aio_fildes: 1.5 }),
      'ERR_OUT_OF_RANGE',
    ],
    [
      'NaN flags',
      () => encodeIocb(new Uint8Array(64), { aio_flags: Number.NaN }),
      'ERR_OUT_OF_RANGE',
    ],
    [
      'string fd',
      () => encodeIocb(new Uint8Array(64), { aio_fildes: '3' as never }),
      'ERR_INVALID_ARG_TYPE',
    ],
    [
      'nbytes > 2^64',
      () => encodeIocb(new Uint8Array(64), { aio_nbytes: 1n << 64n }),
      'ERR_OUT_OF_RANGE',
    ],
    [
      'unsafe number',
      () => encodeIocb(new Uint8Array(64), { aio_nbytes: 2 ** 53 }),
      'ERR_OUT_OF_RANGE',
    ],
    [
      'offset > s64',
      () => encodeIocb(new Uint8Array(64), { aio_offset: 1n << 63n }),
      'ERR_OUT_OF_RANGE',
    ],
    ['decode short', () => decodeIocb(new Uint8Array(10)), 'ERR_OUT_OF_RANGE'],
  ])('%s -> %s', (_name, call, code) => {
    expect(call).toThrow(expect.objectContaining({ code }));
  });
});

describe('IocbArray', () => {
  test('prepare() writes the same bytes as encodeIocb', () => {
    const table = new IocbArray(4);
    table.prepare(2, IOCB_CMD.PREAD, 5, 0x1000n, 4096, 2 ** 40 + 3, 2 ** 33 + 1);
    table.setRwFlags(2, RWF.NOWAIT);
    table.setPriority(2, 0x4001);
    table.setResfd(2, 9);
    const expected = encodeIocb(new Uint8Array(64), {
      aio_lio_opcode: IOCB_CMD.PREAD,
      aio_fildes: 5,
      aio_buf: 0x1000n,
      aio_nbytes: 4096,
      aio_offset: 2 ** 40 + 3,
      aio_data: 2 ** 33 + 1,
      aio_rw_flags: RWF.NOWAIT,
      aio_reqprio: 0x4001,
      aio_flags: IOCB_FLAG.IOPRIO | IOCB_FLAG.RESFD,
      aio_resfd: 9,
    });
    expect(Buffer.from(table.at(2))).toEqual(Buffer.from(expected));
  });

  test('prepare() clears what an earlier use set', () => {
    const table = new IocbArray(1);
    table.prepare(0, IOCB_CMD.POLL, 1, 1n, 0, 0, 0);
    table.setResfd(0, 3);
    table.setRwFlags(0, 1);
    table.prepare(0, IOCB_CMD.FSYNC, 4, 0n, 0, 0, 0);
    expect(decodeIocb(table.at(0))).toMatchObject({ aio_flags: 0, aio_resfd: 0, aio_rw_flags: 0 });
  });

  test('addresses are 64 bytes apart, and setOffset takes a bigint', () => {
    const table = new IocbArray(3);
    expect(table.addresses[1]! - table.addresses[0]!).toBe(64n);
    expect(table.addresses[2]! - table.addresses[0]!).toBe(128n);
    table.setOffset(1, 2n ** 60n);
    expect(decodeIocb(table.at(1)).aio_offset).toBe(2n ** 60n);
  });

  describe('prepareView()', () => {
    const pooled = Buffer.from('pooled'); // a slice of Node's shared 8 KiB pool
    const views: Array<[string, ArrayBufferView]> = [
      ['a Buffer', Buffer.alloc(4096)],
      ['a pooled Buffer', pooled],
      ['a subarray', Buffer.alloc(100).subarray(37, 90)],
      ['a small on-heap Uint8Array', new Uint8Array(16)],
      ['a Float64Array at an offset', new Float64Array(new ArrayBuffer(64), 16, 3)],
      ['a DataView', new DataView(new ArrayBuffer(32), 5, 20)],
      ['a SharedArrayBuffer view', new Uint8Array(new SharedArrayBuffer(64), 8, 8)],
    ];
    test.each(views)('%s: its address and byteLength, the same on every call', (_name, view) => {
      const table = new IocbArray(2);
      for (let round = 0; round < 3; round++) {
        table.prepareView(1, IOCB_CMD.PWRITE, 3, view, 512, 7);
        expect(decodeIocb(table.at(1))).toMatchObject({
          aio_lio_opcode: IOCB_CMD.PWRITE,
          aio_fildes: 3,
          aio_buf: addressOf(view),
          aio_nbytes: BigInt(view.byteLength),
          aio_offset: 512n,
          aio_data: 7n,
        });
      }
    });
    test('views of one ArrayBuffer at different offsets get their own addresses', () => {
      const ab = new ArrayBuffer(256);
      const table = new IocbArray(1);
      for (const offset of [0, 1, 100, 255]) {
        const view = new Uint8Array(ab, offset, 1);
        table.prepareView(0, IOCB_CMD.PREAD, 3, view, 0, 0);
        expect(decodeIocb(table.at(0)).aio_buf).toBe(addressOf(view));
      }
    });
    test('a view detached after an earlier call gets 0 bytes at address 0', () => {
      const ab = new ArrayBuffer(64);
      const view = new Uint8Array(ab);
      const table = new IocbArray(1);
      table.prepareView(0, IOCB_CMD.PREAD, 3, view, 0, 0);
      expect(decodeIocb(table.at(0)).aio_nbytes).toBe(64n);
      structuredClone(ab, { transfer: [ab] });
      table.prepareView(0, IOCB_CMD.PREAD, 3, view, 0, 0);
      expect(decodeIocb(table.at(0))).toMatchObject({ aio_buf: 0n, aio_nbytes: 0n });
    });
  });

  test.each([0, -1, 1.5, 2 ** 21])('rejects length %p', (n) => {
    expect(() => new IocbArray(n)).toThrow(expect.objectContaining({ code: 'ERR_OUT_OF_RANGE' }));
  });
  test('at() checks its index', () => {
    expect(() => new IocbArray(2).at(2)).toThrow(
      expect.objectContaining({ code: 'ERR_OUT_OF_RANGE' }),
    );
  });
});
