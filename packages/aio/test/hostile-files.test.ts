// Hostile input over the files API of @aio/core (validation.test.ts covers AioContext and
// the requests): each bad input gets its documented code and nothing reaches the kernel.
import { writeFileSync } from 'node:fs';
import * as core from '../src/index.js';
import {
  allocAligned,
  createReadStream,
  createWriteStream,
  directAlignment,
  isAlignedView,
  open,
  probe,
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
  ['readFile options null', () => readFile(file, null as never), TYPE],
  ['readFile chunkSize huge', () => readFile(file, { chunkSize: 2 ** 53 }), RANGE],
  ['readFile concurrency negative', () => readFile(file, { concurrency: -1 }), RANGE],
  ['readFile signal not a signal', () => readFile(file, { signal: {} as never }), TYPE],
  ['writeFile data detached', () => writeFile(file, detached), VALUE],
  ['writeFile data a number', () => writeFile(file, 5 as never), TYPE],
  ['writeFile flag r+', () => writeFile(file, 'x', { flag: 'r+' as never }), VALUE],
  ['directAlignment(NaN)', () => directAlignment(Number.NaN), RANGE],
  ['directAlignment(null)', () => directAlignment(null as never), TYPE],
  ['directAlignment({ fd: -1 }) (closed handle)', () => directAlignment({ fd: -1 }), 'EBADF'],
];

test.each(rejections)('%s -> rejects %s', async (_name, call, code) => {
  await expect(call()).rejects.toMatchObject({ code });
});

const throws: Array<[string, () => unknown, string]> = [
  ['allocAligned size NaN', () => allocAligned(Number.NaN), RANGE],
  ['allocAligned size > 4 GiB', () => allocAligned(2 ** 32 + 1), RANGE],
  ['allocAligned alignment 3', () => allocAligned(8, 3), VALUE],
  ['allocAligned alignment string', () => allocAligned(8, '4096' as never), TYPE],
  [
    'createReadStream highWaterMark NaN',
    () => createReadStream(file, { highWaterMark: Number.NaN }),
    RANGE,
  ],
  ['createReadStream end fractional', () => createReadStream(file, { end: 1.5 }), RANGE],
  ['createReadStream options a string', () => createReadStream(file, 'utf8' as never), TYPE],
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
      await expect(f.read('x' as never, 0)).rejects.toMatchObject({ code: TYPE });
      await expect(f.read(Buffer.alloc(1), -1)).rejects.toMatchObject({ code: RANGE });
      await expect(f.read(detached, 0)).rejects.toMatchObject({ code: VALUE });
      await expect(f.write(Buffer.alloc(1))).rejects.toMatchObject({ code: TYPE }); // position needed
      await expect(f.write(Buffer.alloc(1), Number.NaN)).rejects.toMatchObject({ code: RANGE });
      await expect(f.readv([Buffer.alloc(1), 3 as never], 0)).rejects.toMatchObject({ code: TYPE });
      await expect(f.writev(new Array(1025).fill(Buffer.alloc(1)), 0)).rejects.toMatchObject({
        code: RANGE,
      });
      await expect(f.read(Buffer.alloc(1), 0, { rwFlags: 0x100 })).rejects.toMatchObject({
        code: RANGE,
      });
    } finally {
      await f.close();
    }
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
