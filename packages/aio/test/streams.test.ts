import {
  createReadStream as fsReadStream,
  readdirSync,
  readFileSync,
  readlinkSync,
  writeFileSync,
} from 'node:fs';
import { pipeline } from 'node:stream/promises';
import { AioContext, createReadStream, createWriteStream } from '../src/index.js';
import { expectBytes, pattern, tempDir, untilTurns } from './helpers.js';

const tmp = tempDir();
afterAll(() => tmp.cleanup());

/** How many of this process's fds refer to `path` (other tests' fds do not count). */
function fdsOn(path: string): number {
  let n = 0;
  for (const fd of readdirSync('/proc/self/fd')) {
    try {
      if (readlinkSync(`/proc/self/fd/${fd}`) === path) n++;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error; // closed while we looked
    }
  }
  return n;
}

async function collect(stream: NodeJS.ReadableStream): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const part of stream) parts.push(part as Buffer);
  return Buffer.concat(parts);
}

describe.each([
  ['buffered', false],
  ['direct', true],
] as const)('%s streams', (mode, direct) => {
  test.each([0, 1, 4097, (2 << 20) + 5])('read stream of %i bytes equals node:fs', async (size) => {
    const content = pattern(size, 4);
    const path = tmp.path(`rs-${mode}-${size}`);
    writeFileSync(path, content);
    const data = await collect(
      createReadStream(path, { direct, highWaterMark: 64 * 1024, concurrency: 3 }),
    );
    expectBytes(data, content);
  });

  test('start and end (inclusive) select the same bytes as fs.createReadStream', async () => {
    const content = pattern(100_000, 5);
    const path = tmp.path(`range-${mode}`);
    writeFileSync(path, content);
    for (const [start, end] of [
      [0, 0],
      [1, 4096],
      [777, 99_999],
      [50_000, 200_000],
    ] as const) {
      const ours = await collect(
        createReadStream(path, { direct, start, end, highWaterMark: 10_000 }),
      );
      const theirs = await collect(fsReadStream(path, { start, end }));
      expectBytes(ours, theirs);
    }
  });

  test('write stream: random chunk sizes, then the file equals what was written', async () => {
    const content = pattern((1 << 20) + 333, 6);
    const path = tmp.path(`ws-${mode}`);
    const ws = createWriteStream(path, { direct, highWaterMark: 32 * 1024, concurrency: 4 });
    let at = 0;
    let i = 0;
    while (at < content.length) {
      const n = Math.min(content.length - at, 1 + ((i++ * 7919) % 50_000));
      const chunk = Buffer.from(content.subarray(at, at + n));
      at += n;
      // Once its callback ran, the producer may reuse the buffer: the stream must not care.
      const ok = ws.write(chunk, () => chunk.fill(0));
      if (!ok) await new Promise((resolve) => ws.once('drain', resolve));
    }
    await new Promise<void>((resolve, reject) =>
      ws.end((error?: Error | null) => (error ? reject(error) : resolve())),
    );
    expect(ws.bytesWritten).toBe(content.length);
    expectBytes(readFileSync(path), content);
  });

  test('pipeline from a read stream to a write stream copies a file', async () => {
    const content = pattern(3 << 20, 7);
    const src = tmp.path(`src-${mode}`);
    const dst = tmp.path(`dst-${mode}`);
    writeFileSync(src, content);
    await pipeline(createReadStream(src, { direct }), createWriteStream(dst, { direct }));
    expectBytes(readFileSync(dst), content);
  });
});

describe('backpressure', () => {
  test('a paused consumer stops the read-ahead: at most `concurrency` requests and a bounded buffer', async () => {
    const path = tmp.path('slow');
    const content = pattern(8 << 20);
    writeFileSync(path, content);
    const ctx = new AioContext();
    // Counts the stream's reads as it makes them (ctx.inFlight misses those on the threadpool).
    const read = ctx.read.bind(ctx);
    let outstanding = 0;
    let maxOutstanding = 0;
    const idle: Array<() => void> = [];
    ctx.read = (...args: Parameters<AioContext['read']>) => {
      maxOutstanding = Math.max(maxOutstanding, ++outstanding);
      return read(...args).finally(() => {
        if (--outstanding === 0) for (const wake of idle.splice(0)) wake();
      });
    };
    const chunk = 64 * 1024;
    const rs = createReadStream(path, { highWaterMark: chunk, concurrency: 4, context: ctx });
    await new Promise((resolve) => rs.once('readable', resolve));
    // Nobody reads. The read-ahead must stop by itself: wait until every read it made has
    // completed, then give it loop turns in which it must not start another.
    if (outstanding > 0) await new Promise<void>((resolve) => idle.push(resolve));
    expect(await untilTurns(() => outstanding > 0, 20)).toBe(false);
    expect(rs.readableLength).toBeLessThanOrEqual(chunk * 5);
    expect(rs.bytesRead).toBeLessThan(1 << 20); // far from the 8 MiB of the file
    expect(maxOutstanding).toBeGreaterThan(0); // its reads do go through ctx.read
    expect(maxOutstanding).toBeLessThanOrEqual(4);
    const all = await collect(rs); // nothing was consumed before: this is the whole file
    expectBytes(all, content);
    expect(maxOutstanding).toBeLessThanOrEqual(4); // and never more while it was consumed
    await ctx.close();
  });

  test('write() returns false past highWaterMark, and "drain" comes once writes complete', async () => {
    const path = tmp.path('bp-write');
    const ws = createWriteStream(path, { highWaterMark: 1024, concurrency: 1 });
    await new Promise((resolve) => ws.once('ready', resolve));
    expect(ws.write(Buffer.alloc(4096, 1))).toBe(false);
    await new Promise((resolve) => ws.once('drain', resolve));
    await new Promise<void>((resolve) => ws.end(resolve));
    expect(readFileSync(path).length).toBe(4096);
  });
});

describe('errors and cleanup', () => {
  test('a missing file -> error ENOENT', async () => {
    const rs = createReadStream(tmp.path('nope'));
    await expect(collect(rs)).rejects.toMatchObject({ code: 'ENOENT' });
    expect(rs.destroyed).toBe(true);
  });

  test('the fd is closed on end, on destroy mid-way, and after a write error', async () => {
    const path = tmp.path('cleanup');
    writeFileSync(path, pattern(4 << 20));
    const opened = createReadStream(path);
    await new Promise((resolve) => opened.once('open', resolve));
    expect(fdsOn(path)).toBe(1);
    await collect(opened);
    expect(fdsOn(path)).toBe(0);

    const rs = createReadStream(path, { highWaterMark: 4096 });
    await new Promise((resolve) => rs.once('data', resolve));
    rs.destroy();
    await new Promise((resolve) => rs.once('close', resolve));
    expect(fdsOn(path)).toBe(0);

    const ws = createWriteStream(tmp.dir); // a directory cannot be opened for writing
    const closed = new Promise((resolve) => ws.once('close', resolve)); // 'close' follows 'error' at once
    const failed = await new Promise<Error>((resolve) => ws.once('error', resolve));
    expect(failed).toMatchObject({ code: 'EISDIR' });
    await closed;
    expect(fdsOn(tmp.dir)).toBe(0);
  });

  test('a write that the kernel refuses errors the stream and closes it', async () => {
    const path = tmp.path('ro-target');
    writeFileSync(path, 'x');
    const ws = createWriteStream(path, { flags: 'r' }); // opened read-only: writes fail (EBADF)
    const closed = new Promise((resolve) => ws.once('close', resolve));
    ws.write(Buffer.from('data'));
    const error = await new Promise<Error>((resolve) => ws.once('error', resolve));
    expect(error).toMatchObject({ code: 'EBADF' });
    await closed;
    expect(fdsOn(path)).toBe(0);
  });

  test('an abort signal destroys the stream and closes its fd', async () => {
    const path = tmp.path('abort');
    writeFileSync(path, pattern(1 << 20));
    const ac = new AbortController();
    const rs = createReadStream(path, { signal: ac.signal, highWaterMark: 4096 });
    await new Promise((resolve) => rs.once('data', resolve));
    ac.abort();
    await expect(collect(rs)).rejects.toMatchObject({ name: 'AbortError' });
    await new Promise((resolve) => setImmediate(resolve));
    expect(fdsOn(path)).toBe(0);
  });

  test.each([
    ['highWaterMark NaN', () => createReadStream('x', { highWaterMark: Number.NaN })],
    ['concurrency 0', () => createWriteStream('x', { concurrency: 0 })],
    ['negative start', () => createReadStream('x', { start: -1 })],
    ['direct append', () => createWriteStream('x', { direct: true, flags: 'a' })],
  ])('refuses %s', (_name, make) => {
    expect(make).toThrow(expect.objectContaining({ code: expect.stringMatching(/^ERR_/) }));
  });
});
