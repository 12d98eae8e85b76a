import { decodeIoEvent, IoEventArray, SIZEOF_IO_EVENT } from '../src/index.js';

function eventBytes(
  count: number,
  fill: (dv: DataView, at: number, i: number) => void,
): Uint8Array {
  const bytes = new Uint8Array(count * SIZEOF_IO_EVENT);
  const dv = new DataView(bytes.buffer);
  for (let i = 0; i < count; i++) fill(dv, i * SIZEOF_IO_EVENT, i);
  return bytes;
}

describe('decodeIoEvent', () => {
  test('reads data, obj, signed res and res2 at an index', () => {
    const bytes = eventBytes(3, (dv, at, i) => {
      dv.setBigUint64(at, BigInt(i) + (1n << 62n), true);
      dv.setBigUint64(at + 8, 0xdead_beefn, true);
      dv.setBigInt64(at + 16, i === 1 ? -22n : 4096n, true);
      dv.setBigInt64(at + 24, 0n, true);
    });
    expect(decodeIoEvent(bytes, 1)).toEqual({
      data: (1n << 62n) + 1n,
      obj: 0xdead_beefn,
      res: -22,
      res2: 0,
    });
    expect(decodeIoEvent(bytes).res).toBe(4096);
  });
  test('refuses an index past the end', () => {
    expect(() => decodeIoEvent(new Uint8Array(64), 2)).toThrow(
      expect.objectContaining({ code: 'ERR_OUT_OF_RANGE' }),
    );
  });
});

describe('IoEventArray', () => {
  test('accessors agree with decodeIoEvent on every field', () => {
    const events = new IoEventArray(4);
    const dv = new DataView(events.bytes.buffer);
    const values = [0n, 1n, 2n ** 40n + 5n, 2n ** 52n];
    const results = [0n, -1n, 3n * 2n ** 32n + 7n, -4095n];
    values.forEach((v, i) => {
      dv.setBigUint64(i * 32, v, true);
      dv.setBigUint64(i * 32 + 8, v * 3n, true);
      dv.setBigInt64(i * 32 + 16, results[i]!, true);
      dv.setBigInt64(i * 32 + 24, -results[i]!, true);
    });
    for (let i = 0; i < 4; i++) {
      const decoded = decodeIoEvent(events.bytes, i);
      expect(events.at(i)).toEqual(decoded);
      expect(events.data(i)).toBe(decoded.data);
      expect(events.dataNumber(i)).toBe(Number(decoded.data));
      expect(events.obj(i)).toBe(decoded.obj);
      expect(events.res(i)).toBe(decoded.res);
      expect(events.res2(i)).toBe(decoded.res2);
    }
  });
  test('has length * 32 bytes', () => {
    expect(new IoEventArray(5).bytes.byteLength).toBe(160);
  });
});
