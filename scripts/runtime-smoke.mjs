// A short end-to-end run of the built @aio/core under whatever runtime runs this file (Bun, or
// a node binary): it must either work or be refused with a typed error, never crash.
//   <runtime> scripts/runtime-smoke.mjs esm|cjs
// Prints `smoke: ok (...)` and exits 0 when it worked. When loading @aio/core, or creating a
// context before any I/O, throws an error whose code is ERR_AIO_*, prints
// `smoke: refused <code>: <message>` and exits 2. Anything else throws (exit 1).
// scripts/runtimes.mjs runs it and tells these apart from a crash.
import { execFileSync } from 'node:child_process';
import { closeSync, constants, mkdtempSync, openSync, rmSync, writeSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const form = process.argv[2];
if (form !== 'esm' && form !== 'cjs') throw new Error('usage: runtime-smoke.mjs esm|cjs');
const runtime = process.versions.bun ? `bun ${process.versions.bun}` : `node ${process.version}`;

function refused(stage, error) {
  // Only the package's own refusal counts: a missing build (ERR_MODULE_NOT_FOUND) must fail.
  if (!(error instanceof Error) || !/^ERR_AIO_[A-Z0-9_]+$/.test(String(error.code))) throw error;
  console.log(`smoke: refused ${error.code}: ${error.message} (at ${stage}, ${form}, ${runtime})`);
  process.exit(2);
}

let core;
try {
  core = form === 'cjs' ? createRequire(import.meta.url)('@aio/core') : await import('@aio/core');
} catch (error) {
  refused('load', error);
}
const { AioContext, POLL } = core;
let ctx;
try {
  ctx = new AioContext({ maxRequests: 8 });
} catch (error) {
  refused('new AioContext()', error);
}

const dir = mkdtempSync(join(tmpdir(), 'aio-smoke-'));
const fds = [];
try {
  const fd = openSync(join(dir, 'data'), 'w+');
  fds.push(fd);
  const data = Buffer.from('kernel AIO smoke test\n'.repeat(300));
  const wrote = await ctx.write(fd, data, 0);
  const back = Buffer.alloc(data.length);
  const read = await ctx.read(fd, back, 0);
  if (wrote !== data.length || read !== data.length || !back.equals(data)) {
    throw new Error(`round trip: wrote ${wrote}, read ${read}, same bytes: ${back.equals(data)}`);
  }
  // A poll on an empty FIFO completes only after io_submit returned, when data arrives: the
  // context's waker (its hook into the runtime's event loop) has to deliver that completion.
  // Two fds, one per end: the kernel refuses IOCB_CMD_POLL (EINVAL) on a FIFO opened O_RDWR,
  // and a reader without a writer would be readable (hang-up) at once.
  execFileSync('mkfifo', [join(dir, 'fifo')]);
  const reader = openSync(join(dir, 'fifo'), constants.O_RDONLY | constants.O_NONBLOCK);
  fds.push(reader);
  const writer = openSync(join(dir, 'fifo'), constants.O_WRONLY | constants.O_NONBLOCK);
  fds.push(writer);
  const polled = ctx.poll(reader, POLL.IN);
  setTimeout(() => writeSync(writer, 'x'), 10);
  const revents = await polled;
  if ((revents & POLL.IN) === 0) throw new Error(`poll: revents ${revents} without POLL.IN`);
  console.log(
    `smoke: ok (${form}, ${runtime}, backend '${ctx.backend}': ${read} bytes written and read back, a FIFO poll woke the event loop)`,
  );
} finally {
  await ctx.close();
  for (const fd of fds) closeSync(fd);
  rmSync(dir, { recursive: true, force: true });
}
