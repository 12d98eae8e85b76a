import { closeSync, constants, openSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { addressOf, errnoException, IOCB_CMD, RWF } from '../src/index.js';
import { runOne } from './fixtures/run.js';
import { alignedBuffer, pattern, tempDir, withContext } from './helpers.js';

const tmp = tempDir();
afterAll(() => tmp.cleanup());

function openDirect(name: string, content: Uint8Array): number {
  const path = join(tmp.dir, name);
  writeFileSync(path, content);
  return openSync(path, constants.O_RDWR | constants.O_DIRECT);
}

describe('O_DIRECT', () => {
  test('aligned buffer, offset and length: the read goes to the device and matches', () => {
    const content = pattern(64 * 1024);
    const fd = openDirect('direct', content);
    const out = alignedBuffer(8192);
    expect(addressOf(out) % 4096n).toBe(0n);
    withContext(4, (ctx) => {
      const { event } = runOne(ctx, {
        aio_lio_opcode: IOCB_CMD.PREAD,
        aio_fildes: fd,
        aio_buf: addressOf(out),
        aio_nbytes: 8192,
        aio_offset: 16384,
      });
      expect(event.res).toBe(8192);
      expect(out).toEqual(content.subarray(16384, 16384 + 8192));
    });
    closeSync(fd);
  });

  test('aligned write with RWF_DSYNC lands on disk', () => {
    const fd = openDirect('dwrite', Buffer.alloc(8192));
    const data = alignedBuffer(4096).fill(0x5a);
    withContext(4, (ctx) => {
      const { event } = runOne(ctx, {
        aio_lio_opcode: IOCB_CMD.PWRITE,
        aio_fildes: fd,
        aio_buf: addressOf(data),
        aio_nbytes: 4096,
        aio_offset: 4096,
        aio_rw_flags: RWF.DSYNC,
      });
      expect(event.res).toBe(4096);
    });
    closeSync(fd);
    const { readFileSync } = require('node:fs') as typeof import('node:fs');
    const back = readFileSync(join(tmp.dir, 'dwrite'));
    expect(back.subarray(4096)).toEqual(Buffer.alloc(4096, 0x5a));
  });

  test('a misaligned buffer is not refused at submit: the completion carries -EINVAL', () => {
    const fd = openDirect('misaligned', pattern(8192));
    const out = alignedBuffer(4096 + 1).subarray(1);
    withContext(4, (ctx) => {
      const { event } = runOne(ctx, {
        aio_lio_opcode: IOCB_CMD.PREAD,
        aio_fildes: fd,
        aio_buf: addressOf(out),
        aio_nbytes: 4096,
      });
      expect(event.res).toBe(-22);
      const error = errnoException(-event.res, 'IOCB_CMD_PREAD', { fd });
      expect(error).toMatchObject({ code: 'EINVAL', syscall: 'IOCB_CMD_PREAD' });
      expect(error.hint).toContain('O_DIRECT');
    });
    closeSync(fd);
  });
});
