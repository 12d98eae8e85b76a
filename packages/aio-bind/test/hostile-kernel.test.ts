// Lying views given to the calls whose kernel side writes through them (io_getevents,
// io_pgetevents, io_cancel, statx) or reads a pointer array through them (io_submit). Were a
// lie believed, the kernel would write past a buffer, so every case runs in a child process:
// a crash there fails the test with its signal instead of corrupting jest's heap. Each case
// must throw a coded error before the kernel sees it, or work with the view's true memory.
import { runChild } from '../../../test-support/child.js';
import { LIARS_JS } from './fixtures/liars.js';

const CHILD = `${LIARS_JS}
const fs = require('node:fs');
const B = AIO;
const results = {};
function record(name, call) {
  try { results[name] = { value: call() }; }
  catch (e) { results[name] = typeof e.code === 'string' ? { code: e.code } : { uncoded: String(e) }; }
}
const ctx = B.io_setup(8);
const short = (bytes) => () => new Uint8Array(new ArrayBuffer(bytes + 64), 32, bytes);
const CLAIM = 1 << 20;
for (const [label, liar] of liars(short(32), CLAIM)) {
  record('io_getevents nr 2, ' + label, () => B.io_getevents(ctx, 0, 2, liar, { tv_sec: 0, tv_nsec: 0 }));
  record('io_pgetevents nr 2, ' + label, () => B.io_pgetevents(ctx, 0, 2, liar, { tv_sec: 0, tv_nsec: 0 }));
}
for (const [label, liar] of liars(short(16), CLAIM)) {
  record('io_cancel result, ' + label, () => B.io_cancel(ctx, new Uint8Array(64), liar));
  record('io_cancel iocb, ' + label, () => B.io_cancel(ctx, liar, new Uint8Array(32)));
  record('statx buf, ' + label, () => B.statx(null, '/', 0, B.STATX.TYPE, liar));
  record('io_submit iocb, ' + label, () => B.io_submit(ctx, [liar]));
}
// A pointer array claiming 1000 entries holds one: the kernel must read exactly one.
const fd = fs.openSync(process.execPath, 'r');
const out = Buffer.alloc(8);
const table = new B.IocbArray(1);
table.prepare(0, B.IOCB_CMD.PREAD, fd, B.addressOf(out), 8, 0, 77);
const pointers = new BigUint64Array(1);
pointers[0] = table.addresses[0];
Object.defineProperty(pointers, 'length', { value: 1000 });
record('io_submit pointers claiming 1000, nr omitted', () => B.io_submit(ctx, pointers));
record('io_submit pointers claiming 1000, nr 1000', () => B.io_submit(ctx, pointers, 1000));
const events = new Uint8Array(64);
record('the one read completed', () => B.io_getevents(ctx, 1, 2, events, { tv_sec: 5, tv_nsec: 0 }) + ':' + B.decodeIoEvent(events).data);
// Impostors, patched prototypes and a growable SharedArrayBuffer.
for (const [label, impostor] of impostors(short(256))) {
  record('io_getevents ' + label, () => B.io_getevents(ctx, 0, 1, impostor));
  record('statx ' + label, () => B.statx(null, '/', 0, B.STATX.TYPE, impostor));
  record('io_submit ' + label, () => B.io_submit(ctx, impostor));
}
withPatchedPrototypes(CLAIM, () => {
  record('patched: io_getevents nr 2 into 32 bytes', () => B.io_getevents(ctx, 0, 2, new Uint8Array(32)));
  record('patched: statx into 16 bytes', () => B.statx(null, '/', 0, B.STATX.TYPE, new Uint8Array(16)));
  record('patched: io_cancel into 16 bytes', () => B.io_cancel(ctx, new Uint8Array(64), new Uint8Array(16)));
});
const stx = grown(16, 256);
record('grown SAB: statx', () => B.decodeStatx(B.statx(null, '/', 0, B.STATX.TYPE, stx)).mode === fs.statSync('/').mode);
record('grown SAB: io_getevents nr 8', () => B.io_getevents(ctx, 0, 8, grown(32, 256), { tv_sec: 0, tv_nsec: 0 }));
record('grown SAB: io_cancel of nothing in flight', () => B.io_cancel(ctx, grown(0, 64), grown(0, 32)));
B.io_destroy(ctx);
console.log(JSON.stringify(results));
`;

test('no lying, impostor or growable view makes the kernel write past its memory', async () => {
  const result = await runChild('bind', CHILD, { timeoutMs: 30_000 });
  expect(result).toMatchObject({ code: 0, signal: null, timedOut: false, stderr: '' });
  const got = JSON.parse(result.stdout) as Record<string, unknown>;
  const RANGE = { code: 'ERR_OUT_OF_RANGE' };
  const TYPE = { code: 'ERR_INVALID_ARG_TYPE' };
  const labels = [
    'own byteLength',
    'own length',
    'own byteOffset',
    'own buffer',
    'own getters',
    'subclass getters',
  ];
  const expected: Record<string, unknown> = {};
  for (const label of labels) {
    expected[`io_getevents nr 2, ${label}`] = RANGE;
    expected[`io_pgetevents nr 2, ${label}`] = RANGE;
  }
  for (const label of labels) {
    expected[`io_cancel result, ${label}`] = RANGE;
    expected[`io_cancel iocb, ${label}`] = RANGE;
    expected[`statx buf, ${label}`] = RANGE;
    expected[`io_submit iocb, ${label}`] = RANGE;
  }
  Object.assign(expected, {
    'io_submit pointers claiming 1000, nr omitted': { value: 1 },
    'io_submit pointers claiming 1000, nr 1000': RANGE,
    'the one read completed': { value: '1:77' },
  });
  for (const label of ['a Proxy of a view', 'a look-alike with Symbol.toStringTag']) {
    expected[`io_getevents ${label}`] = TYPE;
    expected[`statx ${label}`] = TYPE;
    expected[`io_submit ${label}`] = TYPE;
  }
  Object.assign(expected, {
    'patched: io_getevents nr 2 into 32 bytes': RANGE,
    'patched: statx into 16 bytes': RANGE,
    'patched: io_cancel into 16 bytes': RANGE,
    'grown SAB: statx': { value: true },
    'grown SAB: io_getevents nr 8': { value: 0 },
    'grown SAB: io_cancel of nothing in flight': { code: 'EINVAL' },
  });
  expect(got).toEqual(expected);
});
