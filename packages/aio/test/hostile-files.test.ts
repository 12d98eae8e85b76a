// Hostile input over the files API of @aio/core (validation.test.ts covers AioContext and
// the requests): each bad input gets its documented code and nothing reaches the kernel.
import { readFileSync, writeFileSync } from 'node:fs';
import * as core from '../src/index.js';
import {
  allocAligned,
  appendFile,
  createReadStream,
  createWriteStream,
  directAlignment,
  directAlignmentSync,
  isAlignedView,
  open,
  probe,
  probeSync,
  readFile,
  writeFile,
} from '../src/index.js';
import { tempDir } from './helpers.js';

const tmp = tempDir();
const file = tmp.path('f');
writeFileSync(file, 'content');
afterAll(() => tmp.cleanup());

const TYPE = 'ERR_INVALID_ARG_TYPE';
const RANGE = 'ERR_OUT_OF_RANGE';
const VALUE = 'ERR_INVALID_ARG_VALUE';
const detached = (() => {
  const ab = new ArrayBuffer(8);
  const v = new Uint8Array(ab);
  structuredClone(ab, { transfer: [ab] });
  return v;
})();

const rejections: Array<[string, () => Promise<unknown>, string]> = [
  ['open flags unknown', () => open(file, 'rw+x' as never), VALUE],
  ['open flags NaN', () => open(file, Number.NaN), RANGE],
  ['open options not an object', () => open(file, 'r', 5 as never), TYPE],
  ['open mode fractional', () => open(file, 'w', { mode: 1.5 }), RANGE],
  ['readFile options a number', () => readFile(file, 5 as never), TYPE],
  ['readFile chunkSize huge', () => readFile(file, { chunkSize: 2 ** 53 }), RANGE],
  ['readFile concurrency negative', () => readFile(file, { concurrency: -1 }), RANGE],
  ['readFile signal not a signal', () => readFile(file, { signal: {} as never }), TYPE],
  ['writeFile data detached', () => writeFile(file, detached), VALUE],
  ['writeFile options a number', () => writeFile(file, 'x', 5 as never), TYPE],
  ['writeFile encoding unknown', () => writeFile(file, 'x', 'utf9' as never), VALUE],
  ['writeFile flush not a boolean', () => writeFile(file, 'x', { flush: 1 as never }), TYPE],
  ['appendFile data a number', () => appendFile(file, 5 as never), TYPE],
  ['appendFile encoding unknown', () => appendFile(file, 'x', { encoding: 'x' as never }), VALUE],
  ['readFile a bad fd', () => readFile(-1), RANGE],
  ['readFile a boolean', () => readFile(true as never), TYPE],
  ['readFile encoding unknown', () => readFile(file, 'nope' as never), VALUE],
  ['writeFile data a number', () => writeFile(file, 5 as never), TYPE],
  ['writeFile flag unknown', () => writeFile(file, 'x', { flag: 'rw' as never }), VALUE],
  ['directAlignment(NaN)', () => directAlignment(Number.NaN), RANGE],
  ['directAlignment(null)', () => directAlignment(null as never), TYPE],
  ['directAlignment({ fd: -1 }) (closed handle)', () => directAlignment({ fd: -1 }), 'EBADF'],
];

test.each(rejections)('%s -> rejects %s', async (_name, call, code) => {
  await expect(call()).rejects.toMatchObject({ code });
});

const throws: Array<[string, () => unknown, string]> = [
  ['directAlignmentSync(NaN)', () => directAlignmentSync(Number.NaN), RANGE],
  ['directAlignmentSync(null)', () => directAlignmentSync(null as never), TYPE],
  [
    'directAlignmentSync({ fd: -1 }) (closed handle)',
    () => directAlignmentSync({ fd: -1 }),
    'EBADF',
  ],
  ['probeSync(5)', () => probeSync(5 as never), TYPE],
  ['allocAligned size NaN', () => allocAligned(Number.NaN), RANGE],
  ['allocAligned size > 4 GiB', () => allocAligned(2 ** 32 + 1), RANGE],
  ['allocAligned alignment 3', () => allocAligned(8, 3), VALUE],
  ['allocAligned alignment string', () => allocAligned(8, '4096' as never), TYPE],
  [
    'createReadStream highWaterMark NaN',
    () => createReadStream(file, { highWaterMark: Number.NaN }),
    VALUE,
  ],
  ['createReadStream end fractional', () => createReadStream(file, { end: 1.5 }), RANGE],
  ['createReadStream options a number', () => createReadStream(file, 5 as never), TYPE],
  ['createReadStream start > end', () => createReadStream(file, { start: 10, end: 2 }), RANGE],
  ['createReadStream fd a string', () => createReadStream(null, { fd: 'x' as never }), TYPE],
  ['createReadStream fd -1', () => createReadStream(null, { fd: -1 }), RANGE],
  ['createReadStream path a number', () => createReadStream(5 as never), TYPE],
  ['createReadStream encoding unknown', () => createReadStream(file, 'utf9' as never), VALUE],
  ['createWriteStream flush 1', () => createWriteStream(file, { flush: 1 as never }), TYPE],
  [
    'createWriteStream start negative',
    () => createWriteStream(tmp.path('w'), { start: -1 }),
    RANGE,
  ],
  [
    'createWriteStream concurrency huge',
    () => createWriteStream(tmp.path('w'), { concurrency: 1e6 }),
    RANGE,
  ],
  [
    'createWriteStream direct append',
    () => createWriteStream(tmp.path('w'), { direct: true, flags: 'a' }),
    VALUE,
  ],
];

test.each(throws)('%s -> throws %s', (_name, call, code) => {
  expect(call).toThrow(expect.objectContaining({ code }));
});

test('AioFile methods refuse bad input before the kernel, buffered and direct', async () => {
  for (const direct of [false, true]) {
    const f = await open(file, 'r+', { direct });
    try {
      await expect(f.read('x' as never)).rejects.toMatchObject({ code: TYPE }); // not a view or options
      await expect(f.read({ buffer: 'x' as never })).rejects.toMatchObject({ code: TYPE });
      await expect(f.read([] as never)).rejects.toMatchObject({ code: TYPE });
      await expect(f.read(Buffer.alloc(1), 0, 1, -2)).rejects.toMatchObject({ code: RANGE });
      await expect(f.read(Buffer.alloc(1), 0, 1, 'x' as never)).rejects.toMatchObject({
        code: TYPE,
      });
      await expect(f.read(Buffer.alloc(1), -1)).rejects.toMatchObject({ code: RANGE }); // offset
      await expect(f.read(Buffer.alloc(4), 1, 4)).rejects.toMatchObject({ code: RANGE }); // past the end
      await expect(f.read(Buffer.alloc(4), 0, 1.5)).rejects.toMatchObject({ code: RANGE });
      await expect(f.read(Buffer.alloc(4), 0, '1' as never)).rejects.toMatchObject({ code: TYPE });
      await expect(f.read(Buffer.alloc(0), 0, 1)).rejects.toMatchObject({ code: VALUE }); // empty
      await expect(f.read(detached, 0, 1)).rejects.toMatchObject({ code: VALUE });
      await expect(f.write(5 as never)).rejects.toMatchObject({ code: TYPE });
      await expect(f.write(Buffer.alloc(1), 0, 1, Number.NaN)).rejects.toMatchObject({
        code: RANGE,
      });
      await expect(f.write(Buffer.alloc(2), 3)).rejects.toMatchObject({ code: RANGE });
      await expect(f.write('x', 2n ** 63n)).rejects.toMatchObject({ code: RANGE });
      await expect(f.readv([Buffer.alloc(1), 3 as never], 0)).rejects.toMatchObject({ code: TYPE });
      await expect(f.readv('x' as never, 0)).rejects.toMatchObject({ code: TYPE });
      await expect(f.read(Buffer.alloc(1), { position: 0, rwFlags: 0x100 })).rejects.toMatchObject({
        code: RANGE,
      });
      await expect(f.truncate(1.5)).rejects.toMatchObject({ code: RANGE });
      await expect(f.truncate('1' as never)).rejects.toMatchObject({ code: TYPE });
    } finally {
      await f.close();
    }
  }
});

test('a view whose byteLength, byteOffset or buffer lie transfers only its true bytes', async () => {
  const path = tmp.path('lying');
  writeFileSync(path, Buffer.alloc(64, 7));
  const f = await open(path, 'r+');
  try {
    const lie = (view: Uint8Array) => {
      Object.defineProperty(view, 'byteLength', { value: 1 << 20 });
      Object.defineProperty(view, 'length', { value: 1 << 20 });
      Object.defineProperty(view, 'byteOffset', { value: 1 << 20 });
      Object.defineProperty(view, 'buffer', { value: new ArrayBuffer(1 << 20) });
      return view;
    };
    const small = lie(new Uint8Array(16));
    expect((await f.read(small, 0, undefined, 0)).bytesRead).toBe(16); // not 1 MiB into 16 bytes
    expect([...small]).toEqual(new Array(16).fill(7));
    expect((await f.read({ buffer: lie(new Uint8Array(8)), position: 0 })).bytesRead).toBe(8);
    expect((await f.readv([lie(new Uint8Array(4)), lie(new Uint8Array(4))], 0)).bytesRead).toBe(8);
    expect((await f.write(lie(new Uint8Array(3).fill(1)), 0, undefined, 0)).bytesWritten).toBe(3);
    expect((await f.writev([lie(new Uint8Array(2).fill(2))], 3)).bytesWritten).toBe(2);
    await writeFile(path, lie(new Uint8Array(5).fill(3)));
    expect(readFileSync(path)).toEqual(Buffer.alloc(5, 3));
    class Liar extends Uint8Array {
      override get byteLength() {
        return 1 << 20;
      }
    }
    expect((await f.read(new Liar(4), 0, undefined, 0)).bytesRead).toBe(4);
  } finally {
    await f.close();
  }
});

test('getters of option objects run once, at the call; Proxies are not views', async () => {
  const path = tmp.path('getters');
  writeFileSync(path, 'abcdefgh');
  const f = await open(path, 'r');
  try {
    let reads = 0;
    const options = {
      get position() {
        reads++;
        return reads === 1 ? 2 : -5; // a second read would see a bad value
      },
    };
    const buf = Buffer.alloc(3);
    const done = f.read(buf, options);
    expect(reads).toBe(1);
    expect((await done).bytesRead).toBe(3);
    expect(buf.toString()).toBe('cde');
    expect(reads).toBe(1);
    let encodingReads = 0;
    const fileOptions = {
      get encoding() {
        encodingReads++;
        return 'utf8' as const;
      },
    };
    expect(await readFile(path, fileOptions)).toBe('abcdefgh');
    expect(encodingReads).toBe(1);
    const proxy = new Proxy(Buffer.alloc(4), {});
    await expect(f.read(proxy)).rejects.toMatchObject({ code: TYPE });
    await expect(f.readv([proxy])).rejects.toMatchObject({ code: TYPE });
    await expect(writeFile(tmp.path('p'), proxy as never)).rejects.toMatchObject({ code: TYPE });
    // A Proxy of options is read like any object: each property once.
    const seen: PropertyKey[] = [];
    const spy = new Proxy(
      { position: 0, length: 2 },
      {
        get(target, key, receiver) {
          seen.push(key);
          return Reflect.get(target, key, receiver);
        },
      },
    );
    expect((await f.read(Buffer.alloc(4), spy)).bytesRead).toBe(2);
    expect(seen.filter((k) => k === 'position')).toEqual(['position']);
  } finally {
    await f.close();
  }
});

test('probe and isAlignedView refuse what they cannot use', async () => {
  await expect(probe(5 as never)).rejects.toMatchObject({ code: TYPE });
  expect(() => isAlignedView('x' as never, 512)).toThrow(expect.objectContaining({ code: TYPE }));
});

test('every exported function of @aio/core is covered by a hostile-input table', () => {
  const covered = new Set(
    [...rejections, ...throws]
      .map(([name]) => name.split(/[ (]/)[0]!)
      .concat(
        // validation.test.ts, requests.test.ts and the two tests above
        ['AioContext', 'isAlignedView', 'probe', 'AioFile'],
      ),
  );
  const exempt = new Set([
    'defaultContext', // no arguments
    'closeDefaultContext', // no arguments
    'formatProbe', // formats a ProbeReport it is given
    'probeCommand', // argv strings; unknown ones print the usage (probe.test.ts)
    'alignUp', // pure arithmetic: nothing reaches the kernel
    'alignDown',
  ]);
  const functions = Object.entries(core)
    .filter(([, v]) => typeof v === 'function')
    .map(([k]) => k)
    .filter((k) => !/Error$|Request$|Stream$|^AioEvent$/.test(k)); // classes tested elsewhere
  expect(functions.filter((k) => !covered.has(k) && !exempt.has(k))).toEqual([]);
});
