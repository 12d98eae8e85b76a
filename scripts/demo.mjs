// pnpm demo: Linux kernel AIO from Node through @aio/core, on a generated file, saying what it did.
import { constants, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { addressOf } from '@aio/bind';
import { AioContext, POLL, ReadRequest, WriteRequest } from '@aio/core';

const dir = mkdtempSync(join(tmpdir(), 'aio-demo-'));
const path = join(dir, 'demo.bin');
const size = 4 << 20;
const content = Buffer.alloc(size);
for (let i = 0; i < size; i++) content[i] = (i * 31 + 7) & 0xff;
writeFileSync(path, content);
console.log(`generated ${path} (${size >> 20} MiB)`);

function aligned(bytes) {
  const raw = Buffer.alloc(bytes + 4096);
  const off = Number(addressOf(raw) % 4096n);
  return raw.subarray(off === 0 ? 0 : 4096 - off).subarray(0, bytes);
}

const ctx = new AioContext({ maxRequests: 64 });
try {
  console.log(
    `AioContext: ${ctx.maxRequests} requests in flight at most, woken by '${ctx.backend}'`,
  );

  // 1. Buffered reads: 1024 requests asked for in one tick, batched into io_submit calls.
  const file = await open(path, 'r');
  const chunks = Array.from({ length: 1024 }, () => Buffer.alloc(4096));
  let start = performance.now();
  const counts = await Promise.all(chunks.map((chunk, i) => ctx.read(file, chunk, i * 4096)));
  let ms = performance.now() - start;
  const same = Buffer.concat(chunks).equals(content);
  console.log(
    `read ${counts.reduce((a, b) => a + b, 0)} bytes in 1024 requests (${ms.toFixed(1)} ms); match: ${same}`,
  );
  await file.close();

  // 2. O_DIRECT: the device does the work while the event loop is free.
  try {
    const direct = await open(path, constants.O_RDONLY | constants.O_DIRECT);
    const blocks = Array.from({ length: 256 }, () => aligned(16384));
    let ticks = 0;
    const timer = setInterval(() => ticks++, 1);
    start = performance.now();
    await Promise.all(blocks.map((block, i) => ctx.read(direct, block, i * 16384)));
    ms = performance.now() - start;
    clearInterval(timer);
    const ok = Buffer.concat(blocks).equals(content);
    console.log(
      `O_DIRECT: 256 x 16 KiB in ${ms.toFixed(1)} ms, the event loop ran ${ticks} timer ticks meanwhile; match: ${ok}`,
    );
    await direct.close();
  } catch (error) {
    console.log(`O_DIRECT not available here (${error.code}): skipped`);
  }

  // 3. Write, fsync, and read back through reusable requests (linux_aio-style blocks).
  const out = await open(path, 'r+');
  const write = new WriteRequest(out, Buffer.from('written through kernel AIO'), 0);
  const event = await ctx.run(write);
  await ctx.fsync(out);
  const read = await ctx.run(new ReadRequest(out, Buffer.alloc(26), 0));
  console.log(
    `run(WriteRequest) -> res ${event.res}; fsync done; read back: "${Buffer.from(read.data).toString()}"`,
  );

  // 4. Manual use: submit() now, collect on the event loop with events().
  const reqs = [0, 1, 2].map((i) => new ReadRequest(out, Buffer.alloc(8), 100 + i * 8));
  console.log(`submit(3 requests) -> ${ctx.submit(...reqs)} submitted`);
  let seen = 0;
  for await (const e of ctx.events()) {
    console.log(`  event: ${e.request.command} at ${e.request.position} -> ${e.res} bytes`);
    if (++seen === 3) break;
  }
  await out.close();
  console.log(`POLL constant from @aio/bind re-exported: POLL.IN = ${POLL.IN}`);
  if (!same || readFileSync(path).subarray(0, 26).toString() !== 'written through kernel AIO') {
    process.exitCode = 1;
  }
} finally {
  await ctx.close();
  rmSync(dir, { recursive: true, force: true });
}
console.log('context closed (io_destroy)');
