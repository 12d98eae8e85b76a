import { addressOf, encodeIovecs, IOV_MAX } from '../src/index.js';

describe('addressOf', () => {
  test('includes the byteOffset of a view', () => {
    const buf = Buffer.alloc(64);
    expect(addressOf(buf.subarray(10)) - addressOf(buf)).toBe(10n);
    const u32 = new Uint32Array(buf.buffer, buf.byteOffset + 8, 2);
    expect(addressOf(u32) - addressOf(buf)).toBe(8n);
  });
  test('works for ArrayBuffer, DataView and SharedArrayBuffer', () => {
    const ab = new ArrayBuffer(16);
    expect(addressOf(ab)).toBe(addressOf(new Uint8Array(ab)));
    expect(addressOf(new DataView(ab, 4))).toBe(addressOf(ab) + 4n);
    const sab = new SharedArrayBuffer(16);
    expect(addressOf(sab)).toBe(addressOf(new Uint8Array(sab)));
    expect(addressOf(sab)).not.toBe(0n);
  });
  test('refuses detached memory', () => {
    const ab = new ArrayBuffer(8);
    const view = new Uint8Array(ab);
    structuredClone(ab, { transfer: [ab] });
    expect(() => addressOf(ab)).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARG_VALUE' }));
    expect(() => addressOf(view)).toThrow(
      expect.objectContaining({ code: 'ERR_INVALID_ARG_VALUE' }),
    );
  });
  test.each([null, 1, 'x', {}, [1, 2]])('refuses %p', (value) => {
    expect(() => addressOf(value as never)).toThrow(
      expect.objectContaining({ code: 'ERR_INVALID_ARG_TYPE' }),
    );
  });
});

describe('encodeIovecs', () => {
  test('writes { iov_base, iov_len } per buffer', () => {
    const a = Buffer.alloc(10);
    const b = new Uint16Array(3);
    const iov = encodeIovecs([a, b]);
    const dv = new DataView(iov.buffer);
    expect(iov.byteLength).toBe(32);
    expect(dv.getBigUint64(0, true)).toBe(addressOf(a));
    expect(dv.getBigUint64(8, true)).toBe(10n);
    expect(dv.getBigUint64(16, true)).toBe(addressOf(b));
    expect(dv.getBigUint64(24, true)).toBe(6n);
  });
  test('32-bit big-endian layout uses 8-byte iovecs', () => {
    const iov = encodeIovecs([Buffer.alloc(3)], { endianness: 'BE', wordBits: 32 });
    expect(iov.byteLength).toBe(8);
    expect(new DataView(iov.buffer).getUint32(4, false)).toBe(3);
  });
  test('an empty array gives an empty buffer', () => {
    expect(encodeIovecs([]).byteLength).toBe(0);
  });
  test.each([
    ['not an array', () => encodeIovecs('x' as never), 'ERR_INVALID_ARG_TYPE'],
    [
      'a non-view element',
      () => encodeIovecs([Buffer.alloc(1), 3 as never]),
      'ERR_INVALID_ARG_TYPE',
    ],
    [
      'more than IOV_MAX',
      () => encodeIovecs(new Array(IOV_MAX + 1).fill(Buffer.alloc(1))),
      'ERR_OUT_OF_RANGE',
    ],
  ])('refuses %s', (_name, call, code) => {
    expect(call).toThrow(expect.objectContaining({ code }));
  });
});
