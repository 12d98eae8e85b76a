// One iocb (like one read(2)) moves at most MAX_RW_COUNT = 0x7ffff000 bytes. A buffered
// AioFile.read or readv of more, in the middle of a regular file, is continued until complete
// (node:fs returns the kernel's short count there); lengths past 2 ** 31 - 1 are refused with
// ERR_OUT_OF_RANGE, as node:fs refuses them. Serial: each case holds a 2 GiB buffer.
import { closeSync, ftruncateSync, openSync } from 'node:fs';
import { open as fsOpen } from 'node:fs/promises';
import { open } from '../src/index.js';
import { tempDir } from './helpers.js';

const MAX_RW_COUNT = 0x7fff_f000;
const tmp = tempDir();
afterAll(() => tmp.cleanup());

test('reads over the 2 GiB kernel cap are continued; over 2 ** 31 - 1 they are refused', async () => {
  const path = tmp.path('sparse-3g');
  const fd = openSync(path, 'w');
  ftruncateSync(fd, 3 * 2 ** 30); // a hole: reads give zeros, nothing is stored
  closeSync(fd);
  const length = MAX_RW_COUNT + 1000;
  const buffer = Buffer.allocUnsafe(2 ** 31);
  const file = await open(path, 'r');
  const handle = await fsOpen(path, 'r');
  try {
    buffer.fill(1, 0, length);
    expect((await file.read(buffer, 0, length, 4096)).bytesRead).toBe(length);
    expect(buffer.indexOf(1)).toBe(-1); // every byte came from the file
    // node:fs returns the kernel's count for the same call: the documented difference.
    expect((await handle.read(buffer, 0, length, 4096)).bytesRead).toBe(MAX_RW_COUNT);
    const parts = [buffer.subarray(0, MAX_RW_COUNT), Buffer.alloc(5000, 1)];
    expect((await file.readv(parts, 4096)).bytesRead).toBe(MAX_RW_COUNT + 5000);
    expect(parts[1]!.indexOf(1)).toBe(-1);
    await expect(file.read(buffer, 0, 2 ** 31, 0)).rejects.toMatchObject({
      code: 'ERR_OUT_OF_RANGE',
    });
    await expect(file.read(buffer)).rejects.toMatchObject({ code: 'ERR_OUT_OF_RANGE' });
  } finally {
    await file.close();
    await handle.close();
  }
}, 120_000);
