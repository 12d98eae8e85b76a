// Memory safety under the garbage collector: the kernel holds addresses, which the collector
// cannot see. Every buffer, iocb and the poll watcher must stay referenced by the context
// until the completion is reaped, whatever the caller dropped.
import { closeSync, constants, fsyncSync, openSync, readFileSync, writeSync } from 'node:fs';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { addressOf } from '@aio/bind';
import { pipe } from '../../aio-bind/test/fixtures/pipes.js';
import { busyCount } from '../src/engine/lifetime.js';
import { AioContext, POLL, ReadRequest } from '../src/index.js';
import { expectBytes, fileWith, pattern, tempDir, untilTurns } from './helpers.js';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;
const tmp = tempDir();
afterAll(() => tmp.cleanup());

function aioRings(): number {
  return readFileSync('/proc/self/maps', 'utf8')
    .split('\n')
    .filter((l) => l.includes('[aio]')).length;
}

async function collectGarbage(rounds = 4): Promise<void> {
  for (let i = 0; i < rounds; i++) {
    gc();
    await new Promise((resolve) => setImmediate(resolve)); // finalizers and WeakRefs run between jobs
  }
}

function aligned(size: number): Buffer {
  const raw = Buffer.alloc(size + 4096);
  const off = Number(addressOf(raw) % 4096n);
  return raw.subarray(off === 0 ? 0 : 4096 - off).subarray(0, size);
}

test('thousands of O_DIRECT reads into buffers only the context holds survive forced GCs', async () => {
  const size = 4 << 20;
  const content = pattern(size, 3);
  const path = tmp.path('gc');
  const fd = fileWith(path, content);
  fsyncSync(fd);
  closeSync(fd);
  const direct = openSync(path, constants.O_RDONLY | constants.O_DIRECT);
  const ctx = new AioContext({ maxRequests: 256 });
  try {
    const mismatched: number[] = []; // file offsets whose bytes came back wrong
    const pending: Promise<void>[] = [];
    for (let i = 0; i < 3000; i++) {
      const at = (i * 4096 * 7) % size;
      // The request, its buffer and the event are referenced by nothing but the context.
      pending.push(
        ctx.run(new ReadRequest(direct, aligned(4096), at)).then((event) => {
          const bytes = Buffer.from(event.data!);
          if (Buffer.compare(bytes, content.subarray(at, at + 4096)) !== 0) mismatched.push(at);
        }),
      );
      if (i % 300 === 0) {
        gc(); // while thousands are queued and in flight
        Array.from({ length: 1000 }, () => Buffer.alloc(4096)); // churn the heap
      }
    }
    const ticker = setInterval(gc, 1);
    await Promise.all(pending);
    clearInterval(ticker);
    expect(mismatched).toEqual([]);
  } finally {
    await ctx.close();
    closeSync(direct);
  }
});

test('a context dropped with requests in flight finishes them, then frees its ring', async () => {
  const content = pattern(1 << 20, 5);
  const path = tmp.path('drop');
  const fd = fileWith(path, content);
  fsyncSync(fd);
  closeSync(fd);
  const direct = openSync(path, constants.O_RDONLY | constants.O_DIRECT);
  const rings = aioRings();
  const ref = await (async () => {
    const ctx = new AioContext();
    const reads = Array.from({ length: 64 }, (_, i) => {
      const buf = aligned(4096);
      return ctx.read(direct, buf, i * 4096).then((n) => ({ n, buf }));
    });
    return { weak: new WeakRef(ctx), reads };
  })();
  await collectGarbage();
  expect(ref.weak.deref()).toBeUndefined(); // the context object is gone...
  // ...its requests completed intact
  for (const [i, { n, buf }] of (await Promise.all(ref.reads)).entries()) {
    expect(n).toBe(4096);
    expectBytes(buf, content.subarray(i * 4096, (i + 1) * 4096));
  }
  await collectGarbage();
  expect(aioRings()).toBe(rings); // and the finalizer destroyed the ring once idle
  expect(busyCount()).toBe(0);
  closeSync(direct);
});

test('an idle context dropped without close is destroyed by the finalizer', async () => {
  const rings = aioRings();
  (() => {
    new AioContext();
    new AioContext({ backend: 'threadpool' });
  })();
  expect(aioRings()).toBe(rings + 2);
  await collectGarbage(6);
  expect(aioRings()).toBe(rings);
});

test('the poll watcher of a dropped context is not collected while its poll is in flight', async () => {
  const [r, w] = pipe();
  const polled = (() => new AioContext().poll(r, POLL.IN))();
  await collectGarbage(6); // the collections ran while the poll waits on the empty pipe
  writeSync(w, 'x');
  // If the watcher or the context's engine had been collected, this would never settle.
  expect((await polled) & POLL.IN).toBe(POLL.IN);
  closeSync(r);
  closeSync(w);
});

test('a context with work is held in the busy set (independently of koffi), and let go once idle', async () => {
  // koffi also holds a started poll watcher's callback strongly; the busy set does not rely on it.
  const [r, w] = pipe();
  const before = busyCount();
  const ctx = new AioContext({ backend: 'threadpool' });
  const counts: number[] = [];
  try {
    const polled = ctx.poll(r, POLL.IN);
    counts.push(busyCount() - before); // queued counts as work
    await untilTurns(() => ctx.inFlight === 1);
    counts.push(ctx.inFlight, busyCount() - before);
    writeSync(w, 'x');
    await polled;
    // Let go at the end of the turn in which it became idle (not at once: a loop at depth 1
    // would go in and out of the set for every request).
    await untilTurns(() => busyCount() === before, 3);
    counts.push(busyCount() - before);
  } finally {
    ctx.closeSync(); // whatever failed above, release the pool thread
    closeSync(r);
    closeSync(w);
  }
  expect(counts).toEqual([1, 1, 1, 0]);
});
