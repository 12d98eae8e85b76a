// Memory safety against hostile values and call orders, each case as a user could write it.
// The ones that corrupted the heap, crashed or hung before run in a child process (a failure
// there is a wrong answer or a signal, never a damaged test worker); each prints one result
// line that the test compares.
import { runChild } from '../../../test-support/child.js';
import { tempDir } from './helpers.js';

const tmp = tempDir();
afterAll(() => tmp.cleanup());

/** Runs `body` (async, with `ctx`, `fs`, `file` = a 1 MiB file of byte i & 0xff) in a child. */
async function inChild(body: string): Promise<unknown> {
  const file = tmp.path(`data-${Math.random().toString(36).slice(2)}`);
  const result = await runChild(
    'core',
    `const { AioContext, ReadRequest } = AIO; const fs = require('node:fs');
    const file = ${JSON.stringify(file)};
    const content = Buffer.alloc(1 << 20); for (let i = 0; i < content.length; i++) content[i] = i & 0xff;
    fs.writeFileSync(file, content);
    const ctx = new AioContext();
    const fd = fs.openSync(file, 'r+');
    const settle = (p) => p.then((v) => ({ ok: typeof v === 'object' && v !== null ? v.res : v }), (e) => ({ code: e.code }));
    (async () => { ${body} })().then(
      (out) => { console.log(JSON.stringify(out)); try { ctx.closeSync(); } catch {} },
      (e) => { console.log(JSON.stringify({ crashed: String(e && e.stack || e) })); },
    );`,
    { timeoutMs: 20_000 },
  );
  expect(result).toMatchObject({ signal: null, timedOut: false });
  return JSON.parse(result.stdout.trim().split('\n').pop()!);
}

describe('views that lie about themselves', () => {
  test('a byteLength redefined on the view: the true 16 bytes are read and written', async () => {
    expect(
      await inChild(`
        const v = new Uint8Array(16);
        Object.defineProperty(v, 'byteLength', { value: 1 << 20 });
        const read = await ctx.read(fd, v, 100);
        const w = new Uint8Array(16).fill(7);
        Object.defineProperty(w, 'byteLength', { value: 65536 });
        const wrote = await ctx.write(fd, w, 0);
        const after = fs.readFileSync(file);
        return { read, first: v[0], wrote, untouched: after[16] === 16, written: after[15] };`),
    ).toEqual({ read: 16, first: 100, wrote: 16, untouched: true, written: 7 });
  });

  test('a subclass getter and a Proxy: the true length, or a coded refusal', async () => {
    expect(
      await inChild(`
        class Lying extends Uint8Array { get byteLength() { return 1 << 20; } get length() { return 1 << 20; } }
        const lying = new Lying(32);
        const r1 = await ctx.read(fd, lying, 0);
        const r2 = await settle(ctx.read(fd, new Proxy(new Uint8Array(8), {}), 0));
        const r3 = await ctx.readv(fd, [lying, new Lying(8)], 0);
        return { r1, r2, r3, last: lying[31] };`),
    ).toEqual({ r1: 32, r2: { code: 'ERR_INVALID_ARG_TYPE' }, r3: 40, last: 31 });
  });

  test('a lying byteOffset does not poison the address cache for honest views of the buffer', async () => {
    expect(
      await inChild(`
        const ab = new ArrayBuffer(8192);
        const liar = new Uint8Array(ab, 0, 16);
        Object.defineProperty(liar, 'byteOffset', { value: 4096 });
        await ctx.read(fd, liar, 50); // lands at byte 0 of ab, whatever it claims
        const honest = new Uint8Array(ab, 0, 16);
        await ctx.read(fd, honest, 200);
        const bytes = new Uint8Array(ab);
        return { at0: bytes[0], at4096: bytes[4096] };`),
    ).toEqual({ at0: 200, at4096: 0 });
  });

  test('readv: a buffer transferred away behind a growable SharedArrayBuffer that grew as much is refused', async () => {
    expect(
      await inChild(`
        const ab = new ArrayBuffer(1024);
        const sab = new SharedArrayBuffer(1024, { maxByteLength: 4096 });
        const tracking = new Uint8Array(sab); // length-tracking: grows with sab
        const p = settle(ctx.readv(fd, [new Uint8Array(ab), tracking], 0));
        structuredClone(ab, { transfer: [ab] }); // detached before the flush
        sab.grow(2048); // the total length is back to what was checked
        const first = await p;
        const grown = await ctx.read(fd, tracking, 0); // the view of the grown buffer is fine
        return { first, grown };`),
    ).toEqual({ first: { code: 'ERR_INVALID_ARG_VALUE' }, grown: 2048 });
  });
});

describe('caller code around the call', () => {
  test('an fd getter runs once, at the call; a throwing one rejects its own request only', async () => {
    expect(
      await inChild(`
        let calls = 0;
        const file = { get fd() { calls++; return fd; } };
        const bad = { get fd() { throw Object.assign(new Error('boom'), { code: 'E_BOOM' }); } };
        const results = await Promise.all([
          settle(ctx.read(file, Buffer.alloc(8), 0)),
          settle(ctx.read(bad, Buffer.alloc(8), 0)),
          settle(ctx.read(fd, Buffer.alloc(8), 8)),
        ]);
        return { calls, results };`),
    ).toEqual({ calls: 1, results: [{ ok: 8 }, { code: 'E_BOOM' }, { ok: 8 }] });
  });

  test('a getter that detaches a buffer of an earlier request: that request is refused, none other', async () => {
    expect(
      await inChild(`
        const victim = new ArrayBuffer(64);
        const first = settle(ctx.read(fd, new Uint8Array(victim), 0));
        const file = { get fd() { structuredClone(victim, { transfer: [victim] }); return fd; } };
        const second = settle(ctx.read(file, Buffer.alloc(8), 0));
        return [await first, await second];`),
    ).toEqual([{ code: 'ERR_INVALID_ARG_VALUE' }, { ok: 8 }]);
  });

  test('a getter that calls submit() or closeSync(): the requests are right, nothing hangs', async () => {
    expect(
      await inChild(`
        const extra = new ReadRequest(fd, Buffer.alloc(4), 0);
        const submitting = { get fd() { ctx.submit(extra); return fd; } };
        const a = await settle(ctx.read(submitting, Buffer.alloc(8), 0));
        const events = ctx.getEvents(1, 1);
        const closer = { get fd() { ctx.closeSync(); return fd; } };
        const b = await settle(ctx.read(closer, Buffer.alloc(8), 0));
        return { a, event: events[0].res, b, closed: ctx.closed };`),
    ).toEqual({ a: { ok: 8 }, event: 4, b: { code: 'ERR_AIO_CLOSED' }, closed: true });
  });

  test('an AbortSignal whose removeEventListener calls closeSync(): never called by the engine', async () => {
    expect(
      await inChild(`
        const controller = new AbortController();
        const signal = controller.signal;
        let overridden = 0;
        signal.removeEventListener = () => { overridden++; ctx.closeSync(); };
        const n = await ctx.read(fd, Buffer.alloc(8), 0, { signal });
        // A real abort listener runs outside the engine: closeSync() from it is fine (it runs
        // before the engine's own listener, and finishes the queued read first).
        signal.addEventListener('abort', () => ctx.closeSync());
        const pending = settle(ctx.read(fd, Buffer.alloc(8), 0, { signal }));
        controller.abort();
        return { n, overridden, pending: await pending, closed: ctx.closed };`),
    ).toEqual({ n: 8, overridden: 0, pending: { ok: 8 }, closed: true });
  });

  test('code the engine itself runs (a then getter on Object.prototype) cannot re-enter it', async () => {
    // Resolving run()'s promise with an AioEvent reads its `then`: with a getter on
    // Object.prototype that is caller code inside the engine. Blocking calls from there are
    // refused (ERR_AIO_REENTRANT), and the engine stays consistent.
    expect(
      await inChild(`
        const seen = [];
        let armed = true;
        Object.defineProperty(Object.prototype, 'then', {
          configurable: true,
          get() {
            if (armed && this instanceof AIO.AioEvent) {
              armed = false;
              for (const call of [() => ctx.closeSync(), () => ctx.submit(new ReadRequest(fd, Buffer.alloc(1), 0)), () => ctx.getEvents(0, 1)]) {
                try { call(); seen.push('ran'); } catch (e) { seen.push(e.code); }
              }
            }
            return undefined;
          },
        });
        const event = await ctx.run(new ReadRequest(fd, Buffer.alloc(8), 16));
        delete Object.prototype.then;
        const after = await ctx.read(fd, Buffer.alloc(8), 0);
        return { seen, res: event.res, after, inFlight: ctx.inFlight, closed: ctx.closed };`),
    ).toEqual({
      seen: ['ERR_AIO_REENTRANT', 'ERR_AIO_REENTRANT', 'ERR_AIO_REENTRANT'],
      res: 8,
      after: 8,
      inFlight: 0,
      closed: false,
    });
  });
});
