// pnpm demo: reads a generated file through the raw kernel AIO binding and says what it did.
import { closeSync, mkdtempSync, openSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  addressOf,
  decodeIoEvent,
  encodeIocb,
  IOCB_CMD,
  io_destroy,
  io_getevents,
  io_setup,
  io_submit,
  readRingHeader,
  reapRing,
} from '@aio/bind';

const dir = mkdtempSync(join(tmpdir(), 'aio-demo-'));
const path = join(dir, 'demo.bin');
const size = 64 * 1024;
const content = Buffer.alloc(size);
for (let i = 0; i < size; i++) content[i] = (i * 31 + 7) & 0xff;
writeFileSync(path, content);
console.log(`generated ${path} (${size} bytes)`);

const fd = openSync(path, 'r');
const ctx = io_setup(32);
console.log(
  `io_setup(32) -> context 0x${ctx.toString(16)}, ring of ${readRingHeader(ctx).nr} slots`,
);
try {
  // Four 16 KiB reads in one io_submit; the buffers stay referenced until reaped.
  const buffers = Array.from({ length: 4 }, () => Buffer.alloc(16 * 1024));
  const iocbs = buffers.map((buffer, i) =>
    encodeIocb(new Uint8Array(64), {
      aio_lio_opcode: IOCB_CMD.PREAD,
      aio_fildes: fd,
      aio_buf: addressOf(buffer),
      aio_nbytes: buffer.length,
      aio_offset: i * buffer.length,
      aio_data: i,
    }),
  );
  console.log(`io_submit(4 PREAD iocbs) -> ${io_submit(ctx, iocbs)} accepted`);

  // Buffered reads complete inside io_submit: the events are already on the ring.
  const events = new Uint8Array(4 * 32);
  let got = reapRing(ctx, events, 4);
  console.log(`reapRing -> ${got} events, no syscall`);
  if (got < 4) got += io_getevents(ctx, 4 - got, 4 - got, events.subarray(got * 32));
  for (let i = 0; i < got; i++) {
    const e = decodeIoEvent(events, i);
    console.log(`  event data=${e.data} res=${e.res} (bytes at offset ${Number(e.data) * 16384})`);
  }
  const same = Buffer.concat(buffers).equals(content);
  console.log(`bytes read match the file: ${same}`);
  if (!same) process.exitCode = 1;
} finally {
  io_destroy(ctx);
  closeSync(fd);
  rmSync(dir, { recursive: true, force: true });
}
console.log('io_destroy done');
