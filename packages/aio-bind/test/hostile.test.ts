// Hostile input over every public function of @aio/bind: wrong types, negative, fractional,
// huge (> 2^53) and NaN numbers, detached buffers, buffers shorter than the kernel would write,
// counts past IOV_MAX. (Views that lie about their length, offset or buffer, impostors and
// patched prototypes: hostile-views.test.ts and, where the kernel writes, hostile-kernel.) Each must throw one of Node's argument codes synchronously: an errno
// code here would mean the input reached the kernel. (What the raw layer deliberately does not
// check, raw addresses and nbytes against aio_buf, is listed in its README.)
import {
  addressOf,
  CompletionRing,
  cachestat,
  decodeIocb,
  decodeIoEvent,
  decodeStatx,
  encodeIocb,
  encodeIovecs,
  eventfd,
  eventfdRead,
  eventfdWait,
  FdPoller,
  fcntl,
  fileType,
  IocbArray,
  IoEventArray,
  io_cancel,
  io_destroy,
  io_getevents,
  io_pgetevents,
  io_setup,
  io_submit,
  ioprioValue,
  readRingHeader,
  reapRing,
  statx,
  syscallNumbers,
} from '../src/index.js';
import { toU64, validateContext } from '../src/internal.js';

const TYPE = 'ERR_INVALID_ARG_TYPE';
const RANGE = 'ERR_OUT_OF_RANGE';
const VALUE = 'ERR_INVALID_ARG_VALUE';
const HUGE = 2 ** 53 + 2;

const detached = (() => {
  const ab = new ArrayBuffer(64);
  const view = new Uint8Array(ab);
  structuredClone(ab, { transfer: [ab] });
  return view;
})();
const resizable = new Uint8Array(
  new (ArrayBuffer as unknown as new (n: number, o: object) => ArrayBuffer)(64, {
    maxByteLength: 128,
  }),
);

let ctx: bigint;
beforeAll(() => {
  ctx = io_setup(4);
});
afterAll(() => io_destroy(ctx));

const iocb = () => new Uint8Array(64);
const events = () => new Uint8Array(64);

const cases: Array<[string, () => unknown, string]> = [
  // io_setup
  ['io_setup(NaN)', () => io_setup(Number.NaN), RANGE],
  ['io_setup(-1)', () => io_setup(-1), RANGE],
  ['io_setup(0.5)', () => io_setup(0.5), RANGE],
  ['io_setup(huge)', () => io_setup(HUGE), RANGE],
  ['io_setup("8")', () => io_setup('8' as never), TYPE],
  ['io_setup(8n)', () => io_setup(8n as never), TYPE],
  // io_destroy / context arguments
  ['io_destroy(number)', () => io_destroy(1 as never), TYPE],
  ['io_destroy(-1n)', () => io_destroy(-1n), RANGE],
  ['io_destroy(2^64)', () => io_destroy(2n ** 64n), RANGE],
  ['validateContext(null)', () => validateContext(null), TYPE],
  // io_submit
  ['io_submit(ctx, null)', () => io_submit(ctx, null as never), TYPE],
  ['io_submit(ctx, [detached])', () => io_submit(ctx, [detached]), VALUE],
  ['io_submit(ctx, [resizable])', () => io_submit(ctx, [resizable]), VALUE],
  ['io_submit(ctx, [short])', () => io_submit(ctx, [new Uint8Array(63)]), RANGE],
  ['io_submit(ctx, [obj])', () => io_submit(ctx, [{} as never]), TYPE],
  ['io_submit nr NaN', () => io_submit(ctx, [iocb()], Number.NaN), RANGE],
  ['io_submit nr past array', () => io_submit(ctx, new BigUint64Array(1), 2), RANGE],
  ['io_submit nr negative', () => io_submit(ctx, new BigUint64Array(1), -1), RANGE],
  ['io_submit nr huge', () => io_submit(ctx, new BigUint64Array(1), HUGE), RANGE],
  // io_getevents / io_pgetevents
  ['io_getevents nr past events', () => io_getevents(ctx, 0, 3, events()), RANGE],
  ['io_getevents events detached', () => io_getevents(ctx, 0, 0, detached), VALUE],
  ['io_getevents events not a view', () => io_getevents(ctx, 0, 1, [] as never), TYPE],
  ['io_getevents minNr fractional', () => io_getevents(ctx, 0.5, 1, events()), RANGE],
  ['io_getevents nr NaN', () => io_getevents(ctx, 0, Number.NaN, events()), RANGE],
  ['io_getevents timeout string', () => io_getevents(ctx, 0, 1, events(), 'x' as never), TYPE],
  [
    'io_getevents tv_sec huge',
    () => io_getevents(ctx, 0, 1, events(), { tv_sec: 2n ** 63n, tv_nsec: 0 }),
    RANGE,
  ],
  [
    'io_getevents tv_sec fractional',
    () => io_getevents(ctx, 0, 1, events(), { tv_sec: 1.5, tv_nsec: 0 }),
    RANGE,
  ],
  [
    'io_getevents tv_nsec negative',
    () => io_getevents(ctx, 0, 1, events(), { tv_sec: 0, tv_nsec: -1 }),
    RANGE,
  ],
  ['io_pgetevents sigmask negative', () => io_pgetevents(ctx, 0, 1, events(), null, -1n), RANGE],
  ['io_pgetevents sigmask 2^64', () => io_pgetevents(ctx, 0, 1, events(), null, 2n ** 64n), RANGE],
  ['io_pgetevents nr past events', () => io_pgetevents(ctx, 0, 9, events()), RANGE],
  // io_cancel
  ['io_cancel iocb short', () => io_cancel(ctx, new Uint8Array(8), events()), RANGE],
  ['io_cancel result short', () => io_cancel(ctx, iocb(), new Uint8Array(31)), RANGE],
  ['io_cancel result detached', () => io_cancel(ctx, iocb(), detached), VALUE],
  // the ring
  ['reapRing events short', () => reapRing(ctx, new Uint8Array(31), 1), RANGE],
  ['reapRing max NaN', () => reapRing(ctx, events(), Number.NaN), RANGE],
  ['reapRing unknown ctx', () => reapRing(12345n, events(), 1), VALUE],
  ['readRingHeader unknown ctx', () => readRingHeader(12345n), VALUE],
  ['new CompletionRing(number)', () => new CompletionRing(5 as never), TYPE],
  // struct codecs
  ['encodeIocb target detached', () => encodeIocb(detached, {}), VALUE],
  ['encodeIocb aio_fildes huge', () => encodeIocb(iocb(), { aio_fildes: HUGE }), RANGE],
  ['encodeIocb aio_buf NaN', () => encodeIocb(iocb(), { aio_buf: Number.NaN }), RANGE],
  ['encodeIocb aio_nbytes -1', () => encodeIocb(iocb(), { aio_nbytes: -1 }), RANGE],
  ['encodeIocb aio_offset string', () => encodeIocb(iocb(), { aio_offset: '0' as never }), TYPE],
  ['encodeIocb aio_data 2^64', () => encodeIocb(iocb(), { aio_data: 2n ** 64n }), RANGE],
  ['encodeIocb fields array', () => encodeIocb(iocb(), [] as never), TYPE],
  ['decodeIocb detached', () => decodeIocb(detached), VALUE],
  ['decodeIoEvent index fractional', () => decodeIoEvent(events(), 0.5), RANGE],
  ['decodeIoEvent index past end', () => decodeIoEvent(events(), 2), RANGE],
  ['decodeStatx short', () => decodeStatx(new Uint8Array(255)), RANGE],
  ['encodeIovecs past IOV_MAX', () => encodeIovecs(new Array(1025).fill(new Uint8Array(1))), RANGE],
  ['encodeIovecs detached', () => encodeIovecs([detached]), VALUE],
  [
    'encodeIovecs SharedArrayBuffer ok, then a number',
    () => encodeIovecs([new Uint8Array(new SharedArrayBuffer(4)), 1 as never]),
    TYPE,
  ],
  ['addressOf(number)', () => addressOf(5 as never), TYPE],
  ['addressOf(detached)', () => addressOf(detached), VALUE],
  ['toU64(NaN)', () => toU64(Number.NaN, 'x'), RANGE],
  // tables
  ['new IocbArray(NaN)', () => new IocbArray(Number.NaN), RANGE],
  ['new IocbArray(huge)', () => new IocbArray(HUGE), RANGE],
  ['IocbArray.at(-1)', () => new IocbArray(1).at(-1), RANGE],
  ['new IoEventArray(0)', () => new IoEventArray(0), RANGE],
  // eventfd and polling
  ['eventfd(NaN)', () => eventfd(Number.NaN), RANGE],
  ['eventfd(0, -1)', () => eventfd(0, -1), RANGE],
  ['eventfd(0, unknown bit)', () => eventfd(0, 0o100), RANGE],
  ['eventfdRead(fractional)', () => eventfdRead(1.5), RANGE],
  ['eventfdWait(string)', () => eventfdWait('3' as never), TYPE],
  ['new FdPoller(huge)', () => new FdPoller(HUGE, () => {}), RANGE],
  // files
  ['fileType(-1)', () => fileType(-1), RANGE],
  ['fileType(NaN)', () => fileType(Number.NaN), RANGE],
  ['statx buf short', () => statx(null, '/', 0, 1, new Uint8Array(100)), RANGE],
  ['statx path number', () => statx(null, 1 as never, 0, 1, new Uint8Array(256)), TYPE],
  ['statx flags negative', () => statx(null, '/', -1, 1, new Uint8Array(256)), RANGE],
  ['fcntl fd huge', () => fcntl(HUGE, 3), RANGE],
  ['cachestat fd NaN', () => cachestat(Number.NaN), RANGE],
  ['cachestat offset huge', () => cachestat(0, HUGE), RANGE],
  ['cachestat length object', () => cachestat(0, 0, {} as never), TYPE],
  ['fcntl cmd NaN', () => fcntl(0, Number.NaN), RANGE],
  // constants and platform
  ['ioprioValue level NaN', () => ioprioValue(2, Number.NaN), RANGE],
  ['ioprioValue class string', () => ioprioValue('be' as never, 0), TYPE],
  [
    'syscallNumbers unknown arch',
    () => syscallNumbers('pdp11', 'linux'),
    'ERR_AIO_UNSUPPORTED_PLATFORM',
  ],
];

test.each(cases)('%s -> %s, thrown before any syscall', (_name, call, code) => {
  let error: unknown;
  try {
    const result = call();
    if (result instanceof Promise) result.catch(() => {});
  } catch (e) {
    error = e;
  }
  expect(error).toMatchObject({ code });
  expect((error as { syscall?: string }).syscall).toBeUndefined(); // not an AioError from the kernel
});

test('the table covers every exported function', () => {
  const exported = Object.entries(require('../src/index.js') as Record<string, unknown>)
    .filter(([, v]) => typeof v === 'function' && !/Error$/.test((v as { name: string }).name))
    .map(([k]) => k);
  const covered = new Set(cases.map(([name]) => name.replace(/^new /, '').split(/[(. ]/)[0]));
  // aioLimits takes no argument; the layout builders and errnoException build values only.
  const exempt = new Set([
    'aioLimits',
    'iocbLayout',
    'iovecLayout',
    'timespecLayout',
    'errnoException',
  ]);
  const missing = exported.filter((name) => !covered.has(name) && !exempt.has(name));
  expect(missing).toEqual([]);
});

test('the validators are on @aio/bind/internal, not on the public entry', () => {
  const moved = [
    'validateContext',
    'validateInteger',
    'validateStructBuffer',
    'validateView',
    'toU64',
    'isDetached',
    'S64_MAX',
    'U64_MAX',
  ];
  const pub = require('../src/index.js') as Record<string, unknown>;
  const internal = require('../src/internal.js') as Record<string, unknown>;
  expect(moved.filter((name) => name in pub)).toEqual([]);
  expect(moved.filter((name) => !(name in internal))).toEqual([]);
});
