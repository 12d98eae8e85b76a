// The raw layer does not pin memory: an address is a number, and the garbage collector frees
// a buffer that nothing else references, even if the kernel still holds its address. This
// test shows it, so that the README's warning is a fact, not a guess.
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { addressOf, encodeIocb, encodeIovecs, IOCB_CMD } from '../src/index.js';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

async function collected(ref: WeakRef<object>): Promise<boolean> {
  for (let i = 0; i < 10 && ref.deref() !== undefined; i++) {
    await new Promise((resolve) => setImmediate(resolve)); // WeakRefs clear between jobs
    gc();
  }
  return ref.deref() === undefined;
}

describe('GC hazard of raw addresses', () => {
  test('a buffer referenced only through its address in an iocb is collected', async () => {
    let buffer: ArrayBuffer | null = new ArrayBuffer(1 << 20);
    const ref = new WeakRef(buffer);
    const iocb = encodeIocb(new Uint8Array(64), {
      aio_lio_opcode: IOCB_CMD.PREAD,
      aio_buf: addressOf(buffer),
      aio_nbytes: 1 << 20,
    });
    buffer = null;
    expect(await collected(ref)).toBe(true);
    expect(iocb.byteLength).toBe(64); // the iocb still holds the (now dangling) address
  });

  test('the same holds for buffers inside an iovec array', async () => {
    let parts: ArrayBuffer[] | null = [new ArrayBuffer(4096), new ArrayBuffer(4096)];
    const ref = new WeakRef(parts[1]!);
    const iov = encodeIovecs(parts.map((p) => new Uint8Array(p)));
    parts = null;
    expect(await collected(ref)).toBe(true);
    expect(iov.byteLength).toBe(32);
  });

  test('a buffer that stays referenced is not collected (the control case)', async () => {
    const buffer = new ArrayBuffer(1 << 20);
    const ref = new WeakRef(buffer);
    addressOf(buffer);
    expect(await collected(ref)).toBe(false);
    expect(buffer.byteLength).toBe(1 << 20);
  });
});
