// The non-blocking engine on real page-cache states: reads of files that are partly cached
// (first, middle or last page, or nothing) give the same bytes as node:fs through every path
// (one read, 64 KiB reads that come back short or EAGAIN and go on on the threadpool, readv,
// readFile, streams); requests on the threadpool lane can be aborted, closed under and lose
// their last reference without harm; the event loop keeps turning. Page states are made with
// posix_fadvise and checked with cachestat (see page-cache.ts), never guessed.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, openSync, readFileSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { AioContext, createReadStream, ReadRequest, readFile } from '../src/index.js';
import { closeAll, expectBytes, pattern, tempDir, untilTurns, withContext } from './helpers.js';
import { cacheOnly, evict, pageSize, residentPages } from './page-cache.js';

const tmp = tempDir();
afterAll(() => tmp.cleanup());
const PAGE = pageSize();
const CHUNK = 64 * 1024; // below the size that goes to the threadpool directly

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

const SIZES = [0, 1, PAGE - 1, PAGE + 1, 3 * 1024 * 1024 + 123];
type Shape = 'first page' | 'middle page' | 'last page' | 'nothing';
const SHAPES: Shape[] = ['first page', 'middle page', 'last page', 'nothing'];

function pagesOf(size: number, shape: Shape): number[] {
  const last = Math.max(Math.ceil(size / PAGE) - 1, 0);
  if (shape === 'first page') return size > 0 ? [0] : [];
  if (shape === 'middle page') return size > 0 ? [last >> 1] : [];
  if (shape === 'last page') return size > 0 ? [last] : [];
  return [];
}

function fileOf(size: number, shape: Shape): { path: string; content: Buffer } {
  const path = tmp.path(`f-${size}-${shape.replace(' ', '-')}`);
  const content = pattern(size, size & 0xff);
  writeFileSync(path, content);
  const pages = pagesOf(size, shape);
  cacheOnly(path, pages);
  // The premise holds: exactly those pages are cached (cachestat is there on Linux >= 6.5).
  expect(residentPages(path)).toBe(pages.length);
  return { path, content };
}

async function readInChunks(ctx: AioContext, fd: number, size: number): Promise<Buffer> {
  const out = Buffer.alloc(size);
  const reads: Promise<number>[] = [];
  for (let at = 0; at < size; at += CHUNK) {
    reads.push(ctx.read(fd, out.subarray(at, Math.min(at + CHUNK, size)), at));
  }
  const got = await Promise.all(reads);
  expect(got.reduce((a, b) => a + b, 0)).toBe(size);
  return out;
}

describe.each(SHAPES)('a file with only its %s cached', (shape) => {
  test.each(SIZES)(
    '%i bytes: one read, 64 KiB reads and readv give node:fs bytes',
    async (size) => {
      await withContext(async (ctx) => {
        let { path, content } = fileOf(size, shape);
        const fd = openSync(path, 'r');
        try {
          const whole = Buffer.alloc(size + 100); // past the end: a short read, the total
          expect(await ctx.read(fd, whole, 0)).toBe(size);
          expectBytes(whole.subarray(0, size), content);
          ({ path, content } = fileOf(size, shape));
          expectBytes(await readInChunks(ctx, fd, size), content);
          ({ path, content } = fileOf(size, shape));
          const parts = [Buffer.alloc(size >> 2), Buffer.alloc(1), Buffer.alloc(size)];
          expect(await ctx.readv(fd, parts, 0)).toBe(size);
          expectBytes(Buffer.concat(parts).subarray(0, size), content);
          if (size > CHUNK && shape !== 'nothing') expect(ctx.stats.lane).toBeGreaterThan(0);
        } finally {
          closeAll(fd);
        }
      });
    },
  );

  test.each(SIZES)('%i bytes: readFile and a read stream give node:fs bytes', async (size) => {
    let { path, content } = fileOf(size, shape);
    expectBytes(await readFile(path), content);
    ({ path, content } = fileOf(size, shape));
    const chunks: Buffer[] = [];
    for await (const chunk of createReadStream(path, { highWaterMark: CHUNK })) chunks.push(chunk);
    expectBytes(Buffer.concat(chunks), content);
  });
});

test('a cold read goes to the threadpool and the rest of a partly cached one after it', async () => {
  const size = 8 * CHUNK;
  const { path, content } = fileOf(size, 'first page');
  const fd = openSync(path, 'r');
  await withContext(async (ctx) => {
    const first = Buffer.alloc(CHUNK);
    expect(await ctx.read(fd, first, 0)).toBe(CHUNK); // 1 page inline (short), the rest on the lane
    expect(first).toEqual(content.subarray(0, CHUNK));
    expect(ctx.stats).toMatchObject({ lane: 1, inline: 0 });
    evict(path);
    const cold = Buffer.alloc(CHUNK);
    expect(await ctx.read(fd, cold, 4 * CHUNK)).toBe(CHUNK); // EAGAIN: all of it on the lane
    expect(cold).toEqual(content.subarray(4 * CHUNK, 5 * CHUNK));
    expect(ctx.stats.lane).toBe(2);
    expect(await ctx.read(fd, cold, 4 * CHUNK)).toBe(CHUNK); // now cached: inline
    expect(ctx.stats).toMatchObject({ lane: 2, inline: 1 });
  });
  closeAll(fd);
});

describe('requests on the threadpool lane', () => {
  // A FIFO opened read-write can be neither read with RWF_NOWAIT nor polled through AIO: its
  // reads wait on the threadpool until someone writes, which the test controls.
  function fifo(): { fd: number; cleanup(): void } {
    const dir = mkdtempSync('/tmp/aio-lane-');
    execFileSync('mkfifo', [`${dir}/f`]);
    const fd = openSync(`${dir}/f`, 'r+');
    return {
      fd,
      cleanup: () => {
        closeAll(fd);
        rmSync(dir, { recursive: true, force: true });
      },
    };
  }

  test('aborted: rejects AbortError only once the read returned (the buffer stays pinned)', async () => {
    const f = fifo();
    await withContext(async (ctx) => {
      const controller = new AbortController();
      const buf = Buffer.alloc(8);
      const read = ctx.read(f.fd, buf, 0, { signal: controller.signal });
      const outcome = read.then(
        () => 'resolved',
        (e: { name: string }) => e.name,
      );
      await untilTurns(() => ctx.stats.lane === 1);
      controller.abort();
      let settled = false;
      void outcome.then(() => {
        settled = true;
      });
      await untilTurns(() => false, 50);
      expect(settled).toBe(false); // the pool thread still reads into buf
      writeSync(f.fd, 'late');
      expect(await outcome).toBe('AbortError');
      expect(buf.subarray(0, 4).toString()).toBe('late'); // where the kernel wrote: our buffer
    });
    f.cleanup();
  });

  test('close() waits for a lane request; closeSync() returns and the request settles later', async () => {
    const f = fifo();
    const ctx = new AioContext();
    const buf = Buffer.alloc(8);
    const read = ctx.read(f.fd, buf, 0);
    await untilTurns(() => ctx.stats.lane === 1);
    let closed = false;
    const closing = ctx.close().then(() => {
      closed = true;
    });
    await untilTurns(() => false, 50);
    expect(closed).toBe(false);
    writeSync(f.fd, 'one');
    expect(await read).toBe(3);
    await closing;
    const other = new AioContext();
    const read2 = other.read(f.fd, buf, 0);
    await untilTurns(() => other.stats.lane === 1);
    other.closeSync(); // cannot wait for the threadpool: the request goes on without the context
    expect(other.closed).toBe(true);
    writeSync(f.fd, 'two!');
    expect(await read2).toBe(4);
    expect(buf.subarray(0, 4).toString()).toBe('two!');
    f.cleanup();
  });

  test('the last reference to the buffer dropped and GC forced: the lane still reads into it', async () => {
    const f = fifo();
    await withContext(async (ctx) => {
      const event = (() => {
        const request = new ReadRequest(f.fd, Buffer.alloc(4096, 1), 0);
        return ctx.run(request); // only the context holds the buffer now
      })();
      await untilTurns(() => ctx.stats.lane === 1);
      for (let i = 0; i < 5; i++) {
        gc();
        Buffer.alloc(1 << 20, 2); // heap churn where a freed buffer would be reused
      }
      writeSync(f.fd, 'after gc');
      const done = await event;
      expect(done.res).toBe(8);
      expect(Buffer.from(done.data!).toString()).toBe('after gc');
    });
    f.cleanup();
  });
});

describe('the event loop keeps turning', () => {
  test('a timer and an immediate set before a cold readFile run before it resolves', async () => {
    const path = tmp.path('cold-64m');
    writeFileSync(path, pattern(64 << 20, 5));
    evict(path);
    const order: string[] = [];
    setImmediate(() => order.push('immediate'));
    setTimeout(() => order.push('timer'), 0);
    const data = await readFile(path);
    order.push('readFile');
    // Which of the two comes first is node's business (it depends on the loop phase this test
    // started in, and on how long the writes above took); both must come before the read.
    expect(order).toHaveLength(3);
    expect(order.slice(0, 2).sort()).toEqual(['immediate', 'timer']);
    expect(order[2]).toBe('readFile');
    expect(data.length).toBe(64 << 20);
  });

  test('a timer fires during a loop of 100,000 cached reads', async () => {
    const path = tmp.path('cached');
    writeFileSync(path, pattern(1 << 20));
    readFileSync(path);
    const fd = openSync(path, 'r');
    await withContext(async (ctx) => {
      let firedAt = -1;
      let i = 0;
      setTimeout(() => {
        firedAt = i;
      }, 0);
      const buf = Buffer.alloc(64);
      for (; i < 100_000; i++) await ctx.read(fd, buf, (i * 64) % (1 << 20));
      expect(firedAt).toBeGreaterThanOrEqual(0);
      expect(firedAt).toBeLessThan(100_000);
      expect(ctx.stats.yields).toBeGreaterThan(0);
    });
    closeAll(fd);
  });

  test('readFile of /dev/zero with a signal: the timer that aborts it gets to run', async () => {
    const signal = AbortSignal.timeout(50);
    await expect(readFile('/dev/zero', { signal })).rejects.toMatchObject({ name: 'AbortError' });
  });
});

describe('where buffered writes go', () => {
  test('small writes of cached or whole pages inline; large ones, and partial pages that are not cached, to the lane', async () => {
    const path = tmp.path('writes');
    writeFileSync(path, pattern(128 * PAGE));
    const fd = openSync(path, 'r+');
    await withContext(async (ctx) => {
      expect(await ctx.write(fd, Buffer.alloc(PAGE, 1), 2 * PAGE)).toBe(PAGE); // whole page
      expect(await ctx.write(fd, Buffer.alloc(10, 2), 3 * PAGE + 5)).toBe(10); // cached page
      expect(ctx.stats).toMatchObject({ inline: 2, lane: 0 });
      expect(await ctx.write(fd, Buffer.alloc(256 * 1024, 3), 0)).toBe(256 * 1024); // large
      expect(ctx.stats.lane).toBe(1);
      evict(path);
      expect(residentPages(path, 70 * PAGE, PAGE)).toBe(0);
      expect(await ctx.write(fd, Buffer.alloc(10, 4), 70 * PAGE + 5)).toBe(10); // must read the page
      expect(ctx.stats.lane).toBe(2);
      expect(await ctx.write(fd, Buffer.alloc(10, 5), 70 * PAGE + 100)).toBe(10); // now cached
      expect(ctx.stats.lane).toBe(2);
    });
    closeAll(fd);
    const bytes = readFileSync(path);
    expect(bytes.subarray(70 * PAGE + 5, 70 * PAGE + 15)).toEqual(Buffer.alloc(10, 4));
    expect(bytes.subarray(70 * PAGE + 100, 70 * PAGE + 110)).toEqual(Buffer.alloc(10, 5));
    expect(bytes.subarray(2 * PAGE - 1, 2 * PAGE)).toEqual(Buffer.alloc(1, 3));
  });
});
