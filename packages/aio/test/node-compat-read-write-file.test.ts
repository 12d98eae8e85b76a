// readFile / writeFile / appendFile against node:fs (after node's test-fs-readfile*,
// -write-file* and -append-file* tests): the same sources, options, data and errors, on the
// same bytes, observed the same way. node:fs's promise API refuses fds; its callback API is
// the reference for them.
import * as fs from 'node:fs';
import * as fsp from 'node:fs/promises';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { appendFile, open, readFile, writeFile } from '../src/index.js';
import { freshFile, outcome, tmp } from './node-compat.js';

afterAll(() => tmp.cleanup());

const fdReadFile = promisify(fs.readFile);
const fdWriteFile = promisify(fs.writeFile);
const fdAppendFile = promisify(fs.appendFile);
const CONTENT = 'abcdefghij'.repeat(5000) + 'héllo';

type Api = {
  readFile: (file: unknown, options?: unknown) => Promise<unknown>;
  writeFile: (file: unknown, data: unknown, options?: unknown) => Promise<unknown>;
  appendFile: (file: unknown, data: unknown, options?: unknown) => Promise<unknown>;
  open: (path: string, flags: string) => Promise<{ close(): Promise<void> }>;
};
const NODE = fsp as unknown as Api;
const AIO = { readFile, writeFile, appendFile, open } as unknown as Api;

const readCases: Array<[string, string | null, (api: Api, path: string) => Promise<unknown>]> = [
  ['a path', CONTENT, (a, p) => a.readFile(p)],
  ['a file: URL', CONTENT, (a, p) => a.readFile(pathToFileURL(p))],
  ['a Buffer path', CONTENT, (a, p) => a.readFile(Buffer.from(p))],
  [
    'options undefined, null, {}',
    'x',
    async (a, p) => [
      await a.readFile(p, undefined),
      await a.readFile(p, null),
      await a.readFile(p, {}),
    ],
  ],
  ['a bare encoding', CONTENT, (a, p) => a.readFile(p, 'utf8')],
  ['{ encoding: base64 }', CONTENT, (a, p) => a.readFile(p, { encoding: 'base64' })],
  ['{ encoding: latin1 } of utf8 bytes', 'héllo', (a, p) => a.readFile(p, { encoding: 'latin1' })],
  ['a function as options is no options', 'x', (a, p) => a.readFile(p, () => {})],
  ['an empty file', '', (a, p) => a.readFile(p)],
  ['an empty file as utf8', '', (a, p) => a.readFile(p, 'utf8')],
  ['{ flag: a+ } reads', 'abc', (a, p) => a.readFile(p, { flag: 'a+' })],
  ['{ flag: w+ } truncates first', 'abc', (a, p) => a.readFile(p, { flag: 'w+' })],
  ['{ flag: wx } on an existing file -> EEXIST', 'abc', (a, p) => a.readFile(p, { flag: 'wx' })],
  ['{ flag: r } on a missing file -> ENOENT', null, (a, p) => a.readFile(p)],
  ['a directory -> EISDIR', null, (a) => a.readFile(tmp.dir)],
  ['an unknown encoding -> ERR_INVALID_ARG_VALUE', 'x', (a, p) => a.readFile(p, 'utf9')],
  ['options a number -> ERR_INVALID_ARG_TYPE', 'x', (a, p) => a.readFile(p, 5)],
  ['options true -> ERR_INVALID_ARG_TYPE', 'x', (a, p) => a.readFile(p, true)],
  ['an unknown flag -> ERR_INVALID_ARG_VALUE', 'x', (a, p) => a.readFile(p, { flag: 'nope' })],
  ['a signal that is not one -> ERR_INVALID_ARG_TYPE', 'x', (a, p) => a.readFile(p, { signal: 1 })],
  ['an aborted signal -> ABORT_ERR', 'x', (a, p) => a.readFile(p, { signal: AbortSignal.abort() })],
  ['a path with a NUL -> ERR_INVALID_ARG_VALUE', null, (a, p) => a.readFile(`${p}\0x`)],
  ['a path of a wrong type -> ERR_INVALID_ARG_TYPE', null, (a) => a.readFile(true)],
  [
    'a FileHandle, after a partial read, from its position',
    CONTENT,
    async (a, p) => {
      const handle = await fsp.open(p, 'r');
      await handle.read(Buffer.alloc(7));
      try {
        return await a.readFile(handle, 'utf8');
      } finally {
        await handle.close();
      }
    },
  ],
  [
    'an abort during the open of an empty file -> ABORT_ERR',
    '',
    async (a, p) => {
      const ac = new AbortController();
      const reading = a.readFile(p, { signal: ac.signal });
      ac.abort();
      return reading;
    },
  ],
];

test.each(readCases)('readFile: %s', async (_name, content, call) => {
  const path = freshFile(content);
  const node = await outcome(() => call(NODE, path));
  const aio = await outcome(() => call(AIO, path));
  expect(aio).toEqual(node);
});

test.each([
  ['an fd, from its position', 'r', 3],
  ['an fd at its start', 'r', 0],
  ['an fd opened a+', 'a+', 2],
])('readFile(%s) matches fs.readFile', async (_name, flags, skip) => {
  const results = [];
  for (const read of [
    fdReadFile as (fd: number) => Promise<Buffer>,
    (fd: number) => readFile(fd),
  ]) {
    const fd = fs.openSync(freshFile(CONTENT), flags);
    try {
      if (skip > 0) fs.readSync(fd, Buffer.alloc(skip), 0, skip, null);
      results.push(await outcome(() => read(fd)));
    } finally {
      fs.closeSync(fd);
    }
  }
  expect(results[1]).toEqual(results[0]);
});

test('readFile(AioFile) reads from its pointer and moves it to the end, as FileHandle', async () => {
  const results = [];
  for (const api of [NODE, AIO]) {
    const handle = (await api.open(freshFile(CONTENT), 'r')) as fsp.FileHandle;
    await handle.read(Buffer.alloc(4));
    const rest = await api.readFile(handle);
    const after = await handle.read(Buffer.alloc(4));
    await handle.close();
    results.push([rest, after.bytesRead]);
  }
  expect(results[1]).toEqual(results[0]);
});

const DATA: Array<[string, () => unknown]> = [
  ['a string', () => 'héllo wörld'],
  ['a Buffer', () => Buffer.from('buffer data')],
  ['a Uint16Array', () => new Uint16Array([1, 2, 0xffff])],
  ['a DataView of part of a buffer', () => new DataView(Buffer.from('0123456789').buffer, 2, 5)],
  ['an empty string', () => ''],
  ['an array of strings and views', () => ['ab', Buffer.from('cd'), new Uint8Array([101])]],
  [
    'a generator',
    () =>
      (function* () {
        yield 'one;';
        yield Buffer.from('two;');
      })(),
  ],
  [
    'an async generator',
    () =>
      (async function* () {
        yield 'a';
        yield 'b';
      })(),
  ],
  ['a number -> ERR_INVALID_ARG_TYPE', () => 5],
  ['an object -> ERR_INVALID_ARG_TYPE', () => ({ toString: () => 'x' })],
  ['null -> ERR_INVALID_ARG_TYPE', () => null],
  ['an iterable of numbers -> ERR_INVALID_ARG_TYPE', () => [1, 2]],
];

test.each(DATA)('writeFile of %s', async (_name, data) => {
  const results = [];
  for (const api of [NODE, AIO]) {
    const path = freshFile('old content, longer than the new');
    const result = await outcome(() => api.writeFile(path, data()));
    results.push({ result, file: fs.readFileSync(path) });
  }
  expect(results[1]).toEqual(results[0]);
});

const writeCases: Array<[string, string | null, (api: Api, path: string) => Promise<unknown>]> = [
  ['a bare encoding', null, (a, p) => a.writeFile(p, 'aGk=', 'base64')],
  ['{ encoding: hex }', null, (a, p) => a.writeFile(p, '68656c6c6f', { encoding: 'hex' })],
  ['{ flag: a } appends', 'start;', (a, p) => a.writeFile(p, 'more', { flag: 'a' })],
  [
    '{ flag: r+ } overwrites without truncating',
    'abcdefgh',
    (a, p) => a.writeFile(p, 'XY', { flag: 'r+' }),
  ],
  [
    '{ flag: wx } on an existing file -> EEXIST',
    'abc',
    (a, p) => a.writeFile(p, 'x', { flag: 'wx' }),
  ],
  ['{ flag: r } -> EBADF', 'abc', (a, p) => a.writeFile(p, 'x', { flag: 'r' })],
  [
    '{ mode: 0o600 } on a new file',
    null,
    async (a, p) => {
      await a.writeFile(p, 'x', { mode: 0o600 });
      return fs.statSync(p).mode & 0o777;
    },
  ],
  [
    '{ mode: 0o600 } on an existing file keeps its mode',
    'old',
    async (a, p) => {
      fs.chmodSync(p, 0o644);
      await a.writeFile(p, 'x', { mode: 0o600 });
      return fs.statSync(p).mode & 0o777;
    },
  ],
  ['{ flush: true }', null, (a, p) => a.writeFile(p, 'flushed', { flush: true })],
  ['{ flush: 1 } -> ERR_INVALID_ARG_TYPE', null, (a, p) => a.writeFile(p, 'x', { flush: 1 })],
  [
    'an aborted signal -> ABORT_ERR (the file is left alone)',
    'keep',
    (a, p) => a.writeFile(p, 'x', { signal: AbortSignal.abort() }),
  ],
  ['a directory -> EISDIR', null, (a) => a.writeFile(tmp.dir, 'x')],
  ['a missing directory -> ENOENT', null, (a) => a.writeFile(tmp.path('no/such/file'), 'x')],
  [
    'an unknown encoding -> ERR_INVALID_ARG_VALUE',
    null,
    (a, p) => a.writeFile(p, 'x', { encoding: 'nope' }),
  ],
  [
    'a FileHandle, after a partial read, at its position',
    'abcdefgh',
    async (a, p) => {
      const handle = await fsp.open(p, 'r+');
      await handle.read(Buffer.alloc(3));
      try {
        await a.writeFile(handle, 'XY');
      } finally {
        await handle.close();
      }
    },
  ],
  ['appendFile to a new file', null, (a, p) => a.appendFile(p, 'new')],
  [
    'appendFile to an existing file, twice',
    'one;',
    async (a, p) => {
      await a.appendFile(p, 'two;');
      await a.appendFile(p, Buffer.from('three;'), 'utf8');
    },
  ],
  ['appendFile with { flag: w } overrides', 'old', (a, p) => a.appendFile(p, 'new', { flag: 'w' })],
  [
    'appendFile with { encoding: base64 }',
    'x',
    (a, p) => a.appendFile(p, 'aGk=', { encoding: 'base64' }),
  ],
  [
    'appendFile to a FileHandle writes at its position',
    'abcdef',
    async (a, p) => {
      const handle = await fsp.open(p, 'r+');
      try {
        await a.appendFile(handle, 'XY');
      } finally {
        await handle.close();
      }
    },
  ],
  ['appendFile of a number -> ERR_INVALID_ARG_TYPE', null, (a, p) => a.appendFile(p, 5)],
];

test.each(writeCases)('writeFile / appendFile: %s', async (_name, content, call) => {
  const results = [];
  for (const api of [NODE, AIO]) {
    const path = freshFile(content);
    const result = await outcome(() => call(api, path));
    let file: Buffer | string = 'missing';
    try {
      file = fs.readFileSync(path);
    } catch {}
    results.push({ result, file });
  }
  expect(results[1]).toEqual(results[0]);
});

test.each([
  ['writeFile', fdWriteFile, writeFile, 'r+'],
  ['appendFile', fdAppendFile, appendFile, 'r+'],
  ['appendFile', fdAppendFile, appendFile, 'a'],
] as const)('%s(fd opened %s) matches node:fs', async (_name, theirs, ours, flags) => {
  const results = [];
  for (const write of [
    theirs as (fd: number, d: string) => Promise<void>,
    ours as (fd: number, d: string) => Promise<void>,
  ]) {
    const path = freshFile('abcdefghij');
    const fd = fs.openSync(path, flags);
    try {
      if (flags === 'r+') fs.readSync(fd, Buffer.alloc(4), 0, 4, null);
      results.push({
        result: await outcome(() => write(fd, 'XYZ')),
        file: fs.readFileSync(path, 'utf8'),
      });
    } finally {
      fs.closeSync(fd);
    }
  }
  expect(results[1]).toEqual(results[0]);
});

test('writeFile(AioFile) writes at its pointer and moves it past the data', async () => {
  const path = freshFile('abcdefgh');
  const file = await open(path, 'r+');
  try {
    await file.read(Buffer.alloc(2));
    await writeFile(file, 'XY');
    await file.write('!');
  } finally {
    await file.close();
  }
  expect(fs.readFileSync(path, 'utf8')).toBe('abXY!fgh');
});

test('O_DIRECT writeFile with r+ keeps the tail of the file (no truncation to the new length)', async () => {
  const path = freshFile(Buffer.alloc(10_000, 1));
  await writeFile(path, Buffer.alloc(5000, 2), { flag: 'r+', direct: true });
  const expected = Buffer.alloc(10_000, 1);
  expected.fill(2, 0, 5000);
  expect(fs.readFileSync(path)).toEqual(expected);
  await writeFile(path, Buffer.alloc(700, 3), { direct: true }); // 'w': exactly 700 bytes
  expect(fs.readFileSync(path)).toEqual(Buffer.alloc(700, 3));
});
