// AioFile against fs.promises FileHandle (after node's test-fs-promises-file-handle-* tests):
// each case runs on both, on the same bytes, and must observe the same results, error codes
// and file contents.
import { readFileSync, statSync } from 'node:fs';
import { open as fsOpen } from 'node:fs/promises';
import { text } from 'node:stream/consumers';
import { open } from '../src/index.js';
import { type AnyHandle, freshFile, onBoth, tmp } from './node-compat.js';

afterAll(() => tmp.cleanup());

const HELLO = 'Hello world';
type Case = [string, string | null, string, (h: AnyHandle) => unknown];

// biome-ignore lint/suspicious/noExplicitAny: one scenario runs on both handle types
const fh = (h: AnyHandle): any => h;

const reads: Case[] = [
  ['read(buffer) reads at the file pointer', HELLO, 'r', (h) => fh(h).read(Buffer.alloc(5))],
  ['read(buffer, offset)', HELLO, 'r', (h) => fh(h).read(Buffer.alloc(8), 3)],
  ['read(buffer, offset, length)', HELLO, 'r', (h) => fh(h).read(Buffer.alloc(8), 1, 2)],
  [
    'read(buffer, offset, length, position)',
    HELLO,
    'r',
    (h) => fh(h).read(Buffer.alloc(8), 0, 3, 6),
  ],
  [
    'read(buffer, null, null, null)',
    HELLO,
    'r',
    (h) => fh(h).read(Buffer.alloc(4), null, null, null),
  ],
  ['read(buffer, { position })', HELLO, 'r', (h) => fh(h).read(Buffer.alloc(4), { position: 2 })],
  [
    'read(buffer, { offset, length, position })',
    HELLO,
    'r',
    (h) => fh(h).read(Buffer.alloc(6), { offset: 1, length: 3, position: 4 }),
  ],
  [
    'read({ buffer, length })',
    HELLO,
    'r',
    (h) => fh(h).read({ buffer: Buffer.alloc(6), length: 2 }),
  ],
  [
    'read() allocates 16 KiB',
    HELLO,
    'r',
    async (h) => {
      const { bytesRead, buffer } = await fh(h).read();
      return [bytesRead, buffer.length, buffer.subarray(0, bytesRead)];
    },
  ],
  [
    'read past the end (position 2 ** 32)',
    'xyz',
    'r',
    (h) => fh(h).read(Buffer.alloc(1), 0, 1, 2 ** 32),
  ],
  ['read of length 0', HELLO, 'r', (h) => fh(h).read(Buffer.alloc(4), 0, 0, 0)],
  ['read into an empty buffer, no length', HELLO, 'r', (h) => fh(h).read(Buffer.alloc(0))],
  ['read of an empty file', '', 'r', (h) => fh(h).read(Buffer.alloc(4))],
  [
    'read into a Uint16Array and a DataView',
    HELLO,
    'r',
    async (h) => [
      await fh(h).read(new Uint16Array(2), 0, 4, 0),
      await fh(h).read(new DataView(new ArrayBuffer(3)), 0, 3, 1),
    ],
  ],
  [
    'sequential reads without a position follow the pointer; positioned ones do not move it',
    'abcdefghij',
    'r',
    async (h) => {
      const out: string[] = [];
      const b = () => Buffer.alloc(3);
      out.push((await fh(h).read(b())).buffer.toString());
      out.push((await fh(h).read(b(), 0, 3, 0)).buffer.toString());
      out.push((await fh(h).read(b(), 0, 3, -1)).buffer.toString());
      out.push((await fh(h).read(b(), { offset: 0 })).buffer.toString());
      const last = await fh(h).read(b());
      out.push(
        last.buffer.subarray(0, last.bytesRead).toString(),
        String((await fh(h).read(b())).bytesRead),
      );
      return out;
    },
  ],
  [
    'read: length past the buffer -> ERR_OUT_OF_RANGE',
    HELLO,
    'r',
    (h) => fh(h).read(Buffer.alloc(4), 0, 10),
  ],
  ['read: negative offset -> ERR_OUT_OF_RANGE', HELLO, 'r', (h) => fh(h).read(Buffer.alloc(4), -1)],
  [
    'read: offset past the buffer -> ERR_OUT_OF_RANGE',
    HELLO,
    'r',
    (h) => fh(h).read(Buffer.alloc(4), 5, 1),
  ],
  [
    'read: empty buffer, length 1 -> ERR_INVALID_ARG_VALUE',
    HELLO,
    'r',
    (h) => fh(h).read(Buffer.alloc(0), 0, 1),
  ],
  ['read: a string -> ERR_INVALID_ARG_TYPE', HELLO, 'r', (h) => fh(h).read('x')],
  ['read: options of a wrong type -> ERR_INVALID_ARG_TYPE', HELLO, 'r', (h) => fh(h).read(5)],
  [
    'read: { buffer } not a view -> ERR_INVALID_ARG_TYPE',
    HELLO,
    'r',
    (h) => fh(h).read({ buffer: [1] }),
  ],
  ['read: a write-only file -> EBADF', HELLO, 'w', (h) => fh(h).read(Buffer.alloc(4), 0, 4, 0)],
];

const writes: Case[] = [
  ['write(buffer) at the pointer', 'abcdef', 'r+', (h) => fh(h).write(Buffer.from('XY'))],
  ['write(buffer, offset)', 'abcdef', 'r+', (h) => fh(h).write(Buffer.from('XYZ'), 1)],
  ['write(buffer, offset, length)', 'abcdef', 'r+', (h) => fh(h).write(Buffer.from('XYZ'), 1, 1)],
  [
    'write(buffer, offset, length, position)',
    'abcdef',
    'r+',
    (h) => fh(h).write(Buffer.from('XYZ'), 0, 2, 4),
  ],
  ['write past the end leaves a hole', 'ab', 'r+', (h) => fh(h).write(Buffer.from('Z'), 0, 1, 5)],
  [
    'write(buffer, { offset, length, position })',
    'abcdef',
    'r+',
    (h) => fh(h).write(Buffer.from('XYZ'), { offset: 1, length: 2, position: 2 }),
  ],
  ['write(string)', 'abcdef', 'r+', (h) => fh(h).write('héllo')],
  ['write(string, position)', 'abcdef', 'r+', (h) => fh(h).write('XY', 3)],
  ['write(string, null, encoding)', 'abcdef', 'r+', (h) => fh(h).write('aGk=', null, 'base64')],
  ['write(string, position, a non-string encoding)', 'abcdef', 'r+', (h) => fh(h).write('Q', 0, 7)],
  ['write of an empty buffer', 'abc', 'r+', (h) => fh(h).write(Buffer.alloc(0))],
  ['write of an empty string', 'abc', 'r+', (h) => fh(h).write('')],
  ['write of a Float64Array', '', 'w', (h) => fh(h).write(new Float64Array([1.5, -2]))],
  [
    'sequential writes without a position append to each other, then read on',
    'abcdefghij',
    'r+',
    async (h) => {
      await fh(h).write(Buffer.from('12'));
      await fh(h).write('34');
      await fh(h).write(Buffer.from('9'), 0, 1, 9); // positioned: the pointer stays
      await fh(h).writev([Buffer.from('5'), Buffer.from('6')]);
      return fh(h).read(Buffer.alloc(2));
    },
  ],
  [
    'write: hex of odd length -> ERR_INVALID_ARG_VALUE',
    'abc',
    'r+',
    (h) => fh(h).write('abc', 0, 'hex'),
  ],
  ['write: a number -> ERR_INVALID_ARG_TYPE', 'abc', 'r+', (h) => fh(h).write(5)],
  [
    'write: offset past the end -> ERR_OUT_OF_RANGE',
    'abc',
    'r+',
    (h) => fh(h).write(Buffer.alloc(2), 3),
  ],
  [
    'write: length past the end -> ERR_OUT_OF_RANGE',
    'abc',
    'r+',
    (h) => fh(h).write(Buffer.alloc(2), 0, 3),
  ],
  ['write: a read-only file -> EBADF', 'abc', 'r', (h) => fh(h).write(Buffer.from('x'), 0, 1, 0)],
  [
    'append mode: every write goes to the end; a read after it is at the end',
    'start;',
    'a+',
    async (h) => {
      const before = await fh(h).read(Buffer.alloc(3));
      await fh(h).write(Buffer.from('one;'), 0, 4, 0);
      await fh(h).write(Buffer.from('two;'));
      return [
        before,
        await fh(h).read(Buffer.alloc(4)),
        await fh(h).read(Buffer.alloc(3), 0, 3, 0),
      ];
    },
  ],
];

const vectors: Case[] = [
  ['readv at the pointer', HELLO, 'r', (h) => fh(h).readv([Buffer.alloc(3), Buffer.alloc(4)])],
  [
    'readv at a position',
    HELLO,
    'r',
    (h) => fh(h).readv([Buffer.alloc(2), Buffer.alloc(0), Buffer.alloc(20)], 3),
  ],
  ['readv of no buffers', HELLO, 'r', (h) => fh(h).readv([])],
  ['readv: not an array -> ERR_INVALID_ARG_TYPE', HELLO, 'r', (h) => fh(h).readv(Buffer.alloc(1))],
  [
    'writev at the pointer, twice',
    'abcdefgh',
    'r+',
    async (h) => [
      await fh(h).writev([Buffer.from('1'), Buffer.from('23')]),
      await fh(h).writev([Buffer.from('4')]),
    ],
  ],
  ['writev at a position', 'abcdefgh', 'r+', (h) => fh(h).writev([Buffer.from('XY')], 5)],
  ['writev of no buffers', 'abc', 'r+', (h) => fh(h).writev([])],
  [
    'writev: an element not a view -> ERR_INVALID_ARG_TYPE',
    'abc',
    'r+',
    (h) => fh(h).writev(['x']),
  ],
];

const others: Case[] = [
  [
    'sync and datasync resolve nothing',
    'abc',
    'r+',
    async (h) => [await fh(h).sync(), await fh(h).datasync()],
  ],
  [
    'stat',
    'abc',
    'r',
    async (h) => {
      const s = await fh(h).stat();
      return [s.size, s.isFile(), s.constructor.name];
    },
  ],
  [
    'stat({ bigint: true })',
    'abc',
    'r',
    async (h) => {
      const s = await fh(h).stat({ bigint: true });
      return [typeof s.size, s.size === 3n];
    },
  ],
  [
    'truncate() empties; truncate(-5) is 0',
    'abcdef',
    'r+',
    async (h) => [await fh(h).truncate(), await fh(h).truncate(-5)],
  ],
  [
    'truncate(3); truncate(10) extends with zeros',
    'abcdef',
    'r+',
    async (h) => {
      await fh(h).truncate(3);
      await fh(h).truncate(10);
    },
  ],
  ['truncate: a string -> ERR_INVALID_ARG_TYPE', 'abc', 'r+', (h) => fh(h).truncate('1')],
  ['truncate: fractional -> ERR_OUT_OF_RANGE', 'abc', 'r+', (h) => fh(h).truncate(1.5)],
  ['truncate: a read-only file -> EINVAL', 'abc', 'r', (h) => fh(h).truncate(1)],
  [
    'chmod',
    'abc',
    'r',
    async (h) => {
      await fh(h).chmod(0o640);
      const mode = (await fh(h).stat()).mode & 0o777;
      await fh(h).chmod('600');
      return [mode, (await fh(h).stat()).mode & 0o777];
    },
  ],
  ['chmod: a bad string -> ERR_INVALID_ARG_VALUE', 'abc', 'r', (h) => fh(h).chmod('rwx')],
  ['chown to the owner', 'abc', 'r', (h) => fh(h).chown(process.getuid!(), process.getgid!())],
  ['chown: uid -2 -> ERR_OUT_OF_RANGE', 'abc', 'r', (h) => fh(h).chown(-2, 0)],
  [
    'utimes',
    'abc',
    'r',
    async (h) => {
      await fh(h).utimes(1000, new Date(2_000_000));
      const s = await fh(h).stat();
      return [s.atimeMs, s.mtimeMs];
    },
  ],
  ['utimes: an object -> ERR_INVALID_ARG_TYPE', 'abc', 'r', (h) => fh(h).utimes({}, 1)],
  [
    'readFile() from the pointer',
    'abcdef',
    'r',
    async (h) => {
      await fh(h).read(Buffer.alloc(2));
      return [await fh(h).readFile(), await fh(h).readFile('utf8')];
    },
  ],
  [
    'readFile({ encoding }) and a bad encoding',
    'abcdef',
    'r',
    async (h) => [
      await fh(h).readFile({ encoding: 'hex' }),
      await fh(h)
        .readFile('nope')
        .catch((e: { code: string }) => e.code),
    ],
  ],
  [
    'writeFile and appendFile write at the pointer',
    'abcdefgh',
    'r+',
    async (h) => {
      await fh(h).read(Buffer.alloc(2));
      await fh(h).writeFile('XY');
      await fh(h).appendFile(Buffer.from('Z'));
      await fh(h).writeFile(['1', Buffer.from('2')]);
    },
  ],
  ['writeFile with an encoding string', '', 'w', (h) => fh(h).writeFile('aGk=', 'base64')],
  [
    'readLines',
    'one\ntwo\r\nthree',
    'r',
    async (h) => {
      const lines: string[] = [];
      for await (const line of fh(h).readLines()) lines.push(line);
      return lines;
    },
  ],
  [
    'createReadStream of the handle, with start and encoding',
    HELLO,
    'r',
    async (h) => {
      const stream = fh(h).createReadStream({ start: 2, encoding: 'utf8' });
      return [await text(stream), h.fd];
    },
  ],
  [
    'createWriteStream to the handle',
    'abcdefgh',
    'r+',
    async (h) => {
      const stream = fh(h).createWriteStream({ start: 2 });
      await new Promise((resolve) => stream.end('XYZ', resolve));
      await new Promise((resolve) => stream.once('close', resolve));
      return [stream.bytesWritten, h.fd];
    },
  ],
  [
    'readableWebStream',
    HELLO,
    'r',
    async (h) => {
      const chunks: Buffer[] = [];
      for await (const chunk of fh(h).readableWebStream({ type: 'bytes' }))
        chunks.push(Buffer.from(chunk));
      return Buffer.concat(chunks);
    },
  ],
];

describe.each([
  ['read', reads],
  ['write', writes],
  ['readv / writev', vectors],
  ['other methods', others],
] as const)('%s', (_group, cases) => {
  test.each(cases)('%s', async (_name, content, flags, scenario) => {
    const { node, aio } = await onBoth(content, flags, scenario);
    expect(aio).toEqual(node);
  });
});

test('after close: every method rejects EBADF, close resolves again, "close" is emitted once', async () => {
  const results = [];
  for (const opener of [(p: string) => fsOpen(p, 'r+'), (p: string) => open(p, 'r+')]) {
    const handle = fh(await opener(freshFile(HELLO)));
    let closes = 0;
    handle.on('close', () => closes++);
    await handle.close();
    await handle.close();
    const codes = [];
    for (const call of [
      () => handle.read(Buffer.alloc(1)),
      () => handle.write(Buffer.from('x')),
      () => handle.readv([Buffer.alloc(1)]),
      () => handle.writev([Buffer.alloc(1)]),
      () => handle.stat(),
      () => handle.truncate(),
      () => handle.sync(),
      () => handle.readFile(),
      () => handle.chmod(0o600),
    ]) {
      codes.push(
        await call().then(
          () => 'resolved',
          (e: { code: string }) => e.code,
        ),
      );
    }
    results.push({ fd: handle.fd, closes, codes });
  }
  expect(results[1]).toEqual(results[0]);
  expect(results[0]!.codes).toEqual(Array(9).fill('EBADF')); // one per method above
});

test('the same bytes land in the file as with node:fs for a mixed sequence', async () => {
  // Node's validateRead/validateWrite: a write, then reads back through a stream of a handle.
  const data = 'Hello world'.repeat(100);
  for (const opener of [(p: string) => fsOpen(p, 'w+'), (p: string) => open(p, 'w+')]) {
    const path = freshFile(null);
    const handle = fh(await opener(path));
    const buffer = Buffer.from(data);
    expect((await handle.write(buffer, 0, buffer.length)).bytesWritten).toBe(buffer.length);
    const back = await handle.read(Buffer.alloc(11), 0, 11, 0);
    expect(back.buffer.toString()).toBe('Hello world');
    await handle.close();
    expect(readFileSync(path, 'utf8')).toBe(data);
    expect(statSync(path).size).toBe(1100);
  }
});
