// createReadStream / createWriteStream against node:fs (after node's test-fs-read-stream* and
// test-fs-write-stream* tests): option checks, event order, ranges, encodings, the fd option
// (number, FileHandle, AioFile), autoClose / emitClose / flush, members, and memory.
import * as fs from 'node:fs';
import * as fsp from 'node:fs/promises';
import { finished } from 'node:stream';
import {
  open,
  createReadStream as readStream,
  createWriteStream as writeStream,
} from '../src/index.js';
import { freshFile, outcome, tmp } from './node-compat.js';

afterAll(() => tmp.cleanup());

type Make = (path: unknown, options?: unknown) => NodeJS.ReadableStream | NodeJS.WritableStream;
const READ: Array<[string, Make]> = [
  ['node:fs', fs.createReadStream as unknown as Make],
  ['@aio/core', readStream as unknown as Make],
];
const WRITE: Array<[string, Make]> = [
  ['node:fs', fs.createWriteStream as unknown as Make],
  ['@aio/core', writeStream as unknown as Make],
];
const CONTENT = Buffer.from('0123456789abcdefghij'.repeat(8000));

/** What a user sees of a stream: its events in order ('data' joined), data, error code, fd closed. */
async function observe(stream: NodeJS.ReadableStream | NodeJS.WritableStream, act?: () => void) {
  const events: string[] = [];
  const chunks: Array<Buffer | string> = [];
  const s = stream as fs.ReadStream;
  let error: unknown;
  for (const name of ['open', 'ready', 'data', 'end', 'finish', 'error', 'close']) {
    s.on(name, (arg: unknown) => {
      if (name === 'data') chunks.push(arg as Buffer);
      if (name === 'error') error = (arg as { code?: string }).code;
      if (name !== 'data' || events.at(-1) !== 'data') events.push(name);
    });
  }
  act?.();
  // finished() waits for 'close' when the stream will emit one (emitClose), else for its end.
  await new Promise<void>((resolve) => finished(s, () => setImmediate(resolve)));
  await new Promise((resolve) => setImmediate(resolve));
  const data =
    chunks.length > 0 && typeof chunks[0] === 'string'
      ? chunks.join('')
      : Buffer.concat(chunks as Buffer[]);
  return { events, data, error, pending: s.pending };
}

const creation: Array<[string, unknown, unknown]> = [
  ['undefined options', 'P', undefined],
  ['null options', 'P', null],
  ['an encoding string', 'P', 'utf8'],
  ['{ encoding }', 'P', { encoding: 'hex' }],
  ['options 123', 'P', 123],
  ['options 0', 'P', 0],
  ['options true', 'P', true],
  ['options false', 'P', false],
  ['{ start: NaN }', 'P', { start: Number.NaN }],
  ['{ end: NaN }', 'P', { end: Number.NaN }],
  ['{ start: NaN, end: NaN }', 'P', { start: Number.NaN, end: Number.NaN }],
  ['{ start: -1 }', 'P', { start: -1 }],
  ['{ start: 1.5 }', 'P', { start: 1.5 }],
  ["{ start: '1' }", 'P', { start: '1' }],
  ['{ start: 10, end: 2 }', 'P', { start: 10, end: 2 }],
  ['{ end: Infinity }', 'P', { end: Number.POSITIVE_INFINITY }],
  ['{ highWaterMark: NaN }', 'P', { highWaterMark: Number.NaN }],
  ['{ highWaterMark: -1 }', 'P', { highWaterMark: -1 }],
  ['{ encoding: bogus }', 'P', { encoding: 'bogus' }],
  ["{ fd: 'x' }", null, { fd: 'x' }],
  ['{ fd: -1 }', null, { fd: -1 }],
  ['{ fd: 1.5 }', null, { fd: 1.5 }],
  ['{ fd: 2 ** 31 }', null, { fd: 2 ** 31 }],
  ['a number path', 5, undefined],
  ['a null path without fd', null, {}],
  ['a path with a NUL', 'P\0', undefined],
  ['{ flush: 1 } (write)', 'P', { flush: 1 }],
  ['{ flush: true } (write)', 'P', { flush: true }],
];

describe.each([
  ['createReadStream', READ],
  ['createWriteStream', WRITE],
] as const)('%s throws as node:fs at creation', (_kind, makers) => {
  test.each(creation)('%s', async (_name, path, options) => {
    const results = [];
    for (const [, make] of makers) {
      const p = path === 'P' ? freshFile('x') : path === 'P\0' ? `${freshFile('x')}\0` : path;
      const result = await outcome(() => {
        const stream = make(p, options) as fs.ReadStream;
        stream.on('error', () => {});
        stream.destroy();
        return 'created';
      });
      results.push(result);
    }
    expect(results[1]).toEqual(results[0]);
  });
});

const reading: Array<[string, string | Buffer | null, (path: string) => [unknown, unknown]]> = [
  ['a whole file', CONTENT, (p) => [p, undefined]],
  ['an empty file', '', (p) => [p, undefined]],
  ['start and end', CONTENT, (p) => [p, { start: 777, end: 99_999 }]],
  ['start only', CONTENT, (p) => [p, { start: 150_000 }]],
  ['end only', CONTENT, (p) => [p, { end: 0 }]],
  ['start past the end of file', CONTENT, (p) => [p, { start: 1 << 20 }]],
  [
    'an encoding, chunks split inside characters',
    'ééééé€€€',
    (p) => [p, { encoding: 'utf8', highWaterMark: 3 }],
  ],
  ['a bare encoding string', 'héllo', (p) => [p, 'latin1']],
  ['highWaterMark 1', 'abc', (p) => [p, { highWaterMark: 1 }]],
  ['highWaterMark 0 reads nothing', 'abc', (p) => [p, { highWaterMark: 0 }]],
  ['emitClose: false', 'abc', (p) => [p, { emitClose: false }]],
  ['a missing file -> ENOENT', null, (p) => [p, undefined]],
  ['a directory -> EISDIR after open', null, () => [tmp.dir, undefined]],
  ['flags zz -> an error event', 'abc', (p) => [p, { flags: 'zz' }]],
  ["mode 'abc' -> an error event", 'abc', (p) => [p, { mode: 'abc' }]],
  ['flags w+ (truncates, reads nothing)', 'abc', (p) => [p, { flags: 'w+' }]],
];

test.each(reading)('read stream: %s', async (_name, content, args) => {
  const results = [];
  for (const [, make] of READ) {
    const [path, options] = args(freshFile(content));
    results.push(await observe(make(path, options) as fs.ReadStream));
  }
  expect(results[1]).toEqual(results[0]);
});

test.each([
  ['a number fd after a partial read: from its position, then closed', 'number', {}],
  ['a number fd with autoClose: false stays open', 'number', { autoClose: false }],
  ['a number fd with start', 'number', { start: 5, end: 9 }],
  ['a FileHandle', 'handle', {}],
  ['a FileHandle with end', 'handle', { end: 3 }],
] as const)('read stream of %s', async (_name, kind, options) => {
  const results = [];
  for (const [, make] of READ) {
    const path = freshFile(CONTENT);
    const fd = kind === 'number' ? fs.openSync(path, 'r') : await fsp.open(path, 'r');
    if (typeof fd === 'number') fs.readSync(fd, Buffer.alloc(3), 0, 3, null);
    const seen = await observe(make(null, { ...options, fd }) as fs.ReadStream);
    const open = typeof fd === 'number' ? outcome(() => fs.fstatSync(fd).size) : fd.fd;
    results.push({ ...seen, open: await open });
    if (typeof fd === 'number') await outcome(() => fs.closeSync(fd));
    else await fd.close();
  }
  expect(results[1]).toEqual(results[0]);
});

test('read stream of an AioFile behaves as one of a FileHandle (pointer, close)', async () => {
  const results = [];
  for (const opener of [(p: string) => fsp.open(p, 'r'), (p: string) => open(p, 'r')]) {
    const handle = (await opener(freshFile(CONTENT))) as fsp.FileHandle;
    await handle.read(Buffer.alloc(10));
    const seen = await observe(handle.createReadStream({ end: 20 }) as fs.ReadStream);
    results.push({ ...seen, fd: handle.fd });
  }
  expect(results[1]).toEqual(results[0]);
});

test('members: path, fd, pending, bytesRead, flags, mode, start, end, autoClose', async () => {
  const results = [];
  for (const [, make] of READ) {
    const path = freshFile(CONTENT);
    const s = make(path, { start: 2, end: 100 }) as fs.ReadStream &
      Record<string, unknown> & { fd: unknown };
    const before = {
      path: s.path === path,
      fd: s.fd,
      pending: s.pending,
      flags: s.flags,
      mode: s.mode,
    };
    await new Promise<void>((resolve) => s.once('ready', () => resolve()));
    const opened = { pending: s.pending, fd: typeof s.fd };
    const seen = await observe(s);
    results.push({
      before,
      opened,
      seen,
      bytesRead: s.bytesRead,
      start: s.start,
      end: s.end,
      autoClose: s.autoClose,
      fd: s.fd,
    });
  }
  expect(results[1]).toEqual(results[0]);
});

test('close(callback) mid-way destroys the stream, closes the fd and calls back', async () => {
  const results = [];
  for (const [, make] of READ) {
    const s = make(freshFile(CONTENT), { highWaterMark: 1024 }) as fs.ReadStream & { fd: unknown };
    await new Promise<void>((resolve) => s.once('data', () => resolve()));
    const closed = await new Promise((resolve) => s.close((error) => resolve(error ?? null)));
    results.push({ closed, destroyed: s.destroyed, fd: s.fd });
  }
  expect(results[1]).toEqual(results[0]);
});

test('an already-aborted signal: AbortError, then close, no data and no fd left open', async () => {
  for (const [, make] of [READ[1]!, WRITE[1]!]) {
    const path = freshFile('abc');
    const before = fs.readdirSync('/proc/self/fd').length;
    const s = make(path, { signal: AbortSignal.abort() }) as fs.ReadStream;
    const events: string[] = [];
    s.on('error', (e) => events.push(`error:${e.name}`));
    s.on('data', () => events.push('data'));
    await new Promise<void>((resolve) => s.once('close', () => resolve()));
    await new Promise((resolve) => setImmediate(resolve));
    expect(events).toEqual(['error:AbortError']);
    expect(fs.readdirSync('/proc/self/fd').length).toBe(before);
  }
});

test('chunks smaller than the buffer do not pin it: 1000 small-file streams keep <= 3x the data', async () => {
  const path = freshFile('a small file, not homogeneous: 0123456789');
  const arrayBuffers = new Set<ArrayBufferLike>();
  for (let round = 0; round < 250; round++) {
    await Promise.all(
      Array.from({ length: 4 }, async () => {
        for await (const chunk of readStream(path)) arrayBuffers.add((chunk as Buffer).buffer);
      }),
    );
  }
  const retained = [...arrayBuffers].reduce((sum, ab) => sum + ab.byteLength, 0);
  expect(retained / (1000 * fs.statSync(path).size)).toBeLessThanOrEqual(3);
});

const writing: Array<
  [string, string | null, (p: string) => [unknown, unknown], Array<string | Buffer>]
> = [
  ['a new file', null, (p) => [p, undefined], ['abc', Buffer.from('def')]],
  ['{ flags: r+, start }', 'abcdefghij', (p) => [p, { flags: 'r+', start: 3 }], ['XY']],
  ['{ flags: a }', 'start;', (p) => [p, { flags: 'a' }], ['one;', 'two;']],
  ['{ encoding: hex } as the default encoding', null, (p) => [p, { encoding: 'hex' }], ['6869']],
  ['a bare encoding string', null, (p) => [p, 'base64'], ['aGk=']],
  ['{ flush: true }', null, (p) => [p, { flush: true }], ['flushed']],
  ['emitClose: false', null, (p) => [p, { emitClose: false }], ['x']],
  ['{ flags: wx } on an existing file -> EEXIST', 'x', (p) => [p, { flags: 'wx' }], ['y']],
  ['a directory -> EISDIR', null, () => [tmp.dir, undefined], ['y']],
  ['{ flags: r } -> the write fails EBADF', 'x', (p) => [p, { flags: 'r' }], ['y']],
];

test.each(writing)('write stream: %s', async (_name, content, args, chunks) => {
  const results = [];
  for (const [, make] of WRITE) {
    const path = freshFile(content);
    const [target, options] = args(path);
    const s = make(target, options) as fs.WriteStream;
    const seen = await observe(s, () => {
      for (const chunk of chunks) s.write(chunk);
      s.end();
    });
    let file: Buffer | null = null;
    try {
      file = fs.readFileSync(path);
    } catch {}
    results.push({ ...seen, bytesWritten: s.bytesWritten, file });
  }
  expect(results[1]).toEqual(results[0]);
});

test('write stream: members, close(callback), a number fd and a FileHandle as fd', async () => {
  const results = [];
  for (const [, make] of WRITE) {
    const path = freshFile('abcdefghij');
    const s = make(path, { flags: 'r+' }) as fs.WriteStream & Record<string, unknown>;
    const before = {
      pending: s.pending,
      fd: s.fd,
      path: s.path === path,
      flags: s.flags,
      mode: s.mode,
    };
    s.write('12');
    const closed = await new Promise((resolve) => s.close((error) => resolve(error ?? null)));
    const fd = fs.openSync(path, 'r+');
    fs.readSync(fd, Buffer.alloc(5), 0, 5, null);
    const viaFd = make(null, { fd, autoClose: false }) as fs.WriteStream;
    await new Promise<void>((resolve) => viaFd.end('Z', () => resolve()));
    const stillOpen = await outcome(() => fs.fstatSync(fd).size);
    fs.closeSync(fd);
    const handle = await fsp.open(path, 'r+');
    const viaHandle = make(null, { fd: handle, start: 8 }) as fs.WriteStream;
    await new Promise<void>((resolve) => viaHandle.end('!', () => resolve()));
    await new Promise<void>((resolve) => viaHandle.once('close', () => resolve()));
    results.push({
      before,
      closed,
      bytesWritten: s.bytesWritten,
      fd: s.fd,
      stillOpen,
      handleFd: handle.fd,
      file: fs.readFileSync(path, 'utf8'),
    });
  }
  expect(results[1]).toEqual(results[0]);
});
