// readFile / writeFile / open() against node:fs, byte for byte, on awkward sizes, buffered
// and O_DIRECT.
import { readFileSync, writeFileSync } from 'node:fs';
import { AioContext, defaultContext, open, readFile, writeFile } from '../src/index.js';
import { expectBytes, pattern, tempDir } from './helpers.js';

const tmp = tempDir();
afterAll(() => tmp.cleanup());

const SIZES = [0, 1, 511, 4095, 4096, 4097, (3 << 20) + 123];
const MODES = [
  ['buffered', false],
  ['direct', true],
] as const;

describe.each(MODES)('%s', (mode, direct) => {
  test.each(SIZES)('writeFile then readFile of %i bytes match node:fs', async (size) => {
    const content = pattern(size, size & 0xff);
    const path = tmp.path(`wf-${mode}-${size}`);
    await writeFile(path, content, { direct });
    expectBytes(readFileSync(path), content);
    const viaAio = await readFile(path, { direct });
    expect(viaAio.length).toBe(size);
    expectBytes(viaAio, content);
  });

  test('small chunks with several in flight, an unaligned source view, a string', async () => {
    const size = (1 << 20) + 777;
    const backing = pattern(size + 3, 9);
    const content = backing.subarray(3); // an address that is not aligned
    const path = tmp.path(`chunks-${mode}`);
    await writeFile(path, content, { direct, chunkSize: 10_000, concurrency: 3 });
    expectBytes(readFileSync(path), content);
    expectBytes(await readFile(path, { direct, chunkSize: 5000, concurrency: 7 }), content);
    await writeFile(path, 'héllo wörld', { direct });
    expect(readFileSync(path, 'utf8')).toBe('héllo wörld');
    await writeFile(path, 'aGk=', { direct, encoding: 'base64' });
    expect(readFileSync(path, 'utf8')).toBe('hi');
  });

  test('AioFile: read, write, readv, writev at awkward positions, then stat and size', async () => {
    const path = tmp.path(`af-${mode}`);
    const model = pattern(20_000, 1);
    writeFileSync(path, model);
    const file = await open(path, 'r+', { direct });
    try {
      expect(file.direct).toBe(direct);
      expect(file.fd).toBeGreaterThan(2);
      for (const [pos, len] of [
        [0, 1],
        [1, 511],
        [513, 4095],
        [4095, 4097],
        [19_999, 100],
        [25_000, 10],
      ] as const) {
        const buf = Buffer.alloc(len);
        const { bytesRead: n } = await file.read(buf, 0, len, pos);
        const expected = model.subarray(pos, pos + len);
        expect(n).toBe(expected.length);
        expect(buf.subarray(0, n)).toEqual(expected);
      }
      const patch = Buffer.from('awkward write');
      expect((await file.write(patch, 0, patch.length, 1001)).bytesWritten).toBe(patch.length);
      patch.copy(model, 1001);
      const tail = pattern(300, 44);
      expect((await file.write(tail, { position: 19_900 })).bytesWritten).toBe(300); // extends the file by 200 bytes
      const grown = Buffer.concat([model.subarray(0, 19_900), tail]);
      expect((await file.writev([Buffer.from('ab'), Buffer.from('cde')], 7)).bytesWritten).toBe(5);
      Buffer.from('abcde').copy(grown, 7);
      const parts = [Buffer.alloc(3), Buffer.alloc(9)];
      expect((await file.readv(parts, 5)).bytesRead).toBe(12);
      expect(Buffer.concat(parts)).toEqual(grown.subarray(5, 17));
      await file.sync();
      await file.datasync();
      expect(await file.size()).toBe(20_200);
      expect((await file.stat()).isFile()).toBe(true);
      await file.truncate(100);
      expect(await file.size()).toBe(100);
      expect(readFileSync(path)).toEqual(grown.subarray(0, 100));
    } finally {
      await file.close();
    }
  });
});

test('append mode writes at the end, whatever the position (RWF_APPEND)', async () => {
  const path = tmp.path('append');
  writeFileSync(path, 'start;');
  const file = await open(path, 'a');
  try {
    expect(file.append).toBe(true);
    await file.write(Buffer.from('one;'));
    await file.write(Buffer.from('two;'), 0, 4, 0); // position ignored in append mode
    await Promise.all([
      file.write(Buffer.from('x;')),
      file.writev([Buffer.from('y'), Buffer.from(';')]),
    ]);
  } finally {
    await file.close();
  }
  const text = readFileSync(path, 'utf8');
  // x; and y; were appended concurrently, each in one piece: either order is right.
  expect(['start;one;two;x;y;', 'start;one;two;y;x;']).toContain(text);
  await writeFile(path, 'more', { flag: 'a' });
  expect(readFileSync(path, 'utf8')).toBe(`${text}more`);
});

test('O_DIRECT append: aligned data goes to the aligned end; misaligned is refused clearly', async () => {
  const { allocAligned } = await import('../src/index.js');
  const path = tmp.path('dappend');
  writeFileSync(path, Buffer.alloc(4096, 1));
  const file = await open(path, 'a', { direct: true });
  try {
    expect((await file.write(allocAligned(4096).fill(2))).bytesWritten).toBe(4096);
    await expect(file.write(Buffer.alloc(100))).rejects.toMatchObject({
      code: 'ERR_AIO_MISALIGNED',
      field: 'length',
    });
  } finally {
    await file.close();
  }
  const data = readFileSync(path);
  expect(data.length).toBe(8192);
  expect(data.subarray(4096)).toEqual(Buffer.alloc(4096, 2));
});

test('close() waits for pending requests; afterwards requests reject with EBADF', async () => {
  const path = tmp.path('closing');
  writeFileSync(path, pattern(1 << 20));
  const file = await open(path, 'r');
  const reads = Array.from({ length: 50 }, (_, i) =>
    file.read(Buffer.alloc(4096), 0, 4096, i * 4096).then((r) => r.bytesRead),
  );
  await file.close();
  expect(await Promise.all(reads)).toEqual(Array(50).fill(4096));
  expect(file.fd).toBe(-1);
  await expect(file.read(Buffer.alloc(1), 0, 1, 0)).rejects.toMatchObject({ code: 'EBADF' });
  await file.close(); // idempotent
});

test('await using closes the file; a given context is used', async () => {
  const path = tmp.path('using');
  writeFileSync(path, 'x');
  const ctx = new AioContext();
  let fd = -1;
  {
    await using file = await open(path, 'r', { context: ctx });
    expect(file.context).toBe(ctx);
    fd = file.fd;
    expect((await file.read(Buffer.alloc(1))).bytesRead).toBe(1);
  }
  expect(fd).toBeGreaterThan(2);
  await ctx.close();
  expect(defaultContext()).toBe(defaultContext()); // one process-wide context
});

test.each([
  [
    'a flag that fs.open does not know',
    () => open(tmp.path('x'), 'rw' as never),
    'ERR_INVALID_ARG_VALUE',
  ],
  [
    'flags of a wrong type (fs.open says VALUE)',
    () => open(tmp.path('x'), {} as never),
    'ERR_INVALID_ARG_VALUE',
  ],
  ['a mode out of range', () => open(tmp.path('x'), 'w', { mode: -1 }), 'ERR_OUT_OF_RANGE'],
  ['a missing file', () => open(tmp.path('missing'), 'r'), 'ENOENT'],
  [
    'O_DIRECT on /proc',
    () => open('/proc/self/status', 'r', { direct: true }),
    'ERR_AIO_DIRECT_UNSUPPORTED',
  ],
  ['readFile chunkSize 0', () => readFile(tmp.path('x'), { chunkSize: 0 }), 'ERR_OUT_OF_RANGE'],
  [
    'readFile concurrency fractional',
    () => readFile(tmp.path('x'), { concurrency: 1.5 }),
    'ERR_OUT_OF_RANGE',
  ],
  [
    'writeFile data of a wrong type',
    () => writeFile(tmp.path('x'), 5 as never),
    'ERR_INVALID_ARG_TYPE',
  ],
  [
    'writeFile direct append',
    () => writeFile(tmp.path('x'), 'a', { direct: true, flag: 'a' }),
    'ERR_INVALID_ARG_VALUE',
  ],
  [
    'writeFile unknown flag',
    () => writeFile(tmp.path('x'), 'a', { flag: 'rw' as never }),
    'ERR_INVALID_ARG_VALUE',
  ],
  ['readFile aborted', () => readFile(tmp.path('x'), { signal: AbortSignal.abort() }), 'ABORT_ERR'],
])('%s -> rejects %s', async (_name, call, code) => {
  await expect(call()).rejects.toMatchObject({ code });
});
