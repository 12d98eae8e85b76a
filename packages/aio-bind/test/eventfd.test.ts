import { closeSync, writeSync } from 'node:fs';
import {
  addressOf,
  EFD,
  eventfd,
  eventfdRead,
  eventfdWait,
  FdPoller,
  IOCB_CMD,
  IocbArray,
  io_submit,
  reapRing,
} from '../src/index.js';
import { closeAll, fileWith, loopTurns, pattern, tempDir, withContext } from './helpers.js';

const tmp = tempDir();
afterAll(() => tmp.cleanup());

function bump(fd: number, n: bigint): void {
  writeSync(fd, new BigUint64Array([n]));
}

describe('eventfd', () => {
  test('counts writes; eventfdRead drains and returns 0n when empty', () => {
    const efd = eventfd(2, EFD.NONBLOCK | EFD.CLOEXEC);
    try {
      bump(efd, 3n);
      expect(eventfdRead(efd)).toBe(5n);
      expect(eventfdRead(efd)).toBe(0n);
    } finally {
      closeSync(efd);
    }
  });

  test('IOCB_FLAG_RESFD adds one per completion', () => {
    const efd = eventfd(0, EFD.NONBLOCK);
    const fd = fileWith(tmp.dir, 'resfd', pattern(64));
    const table = new IocbArray(3);
    const out = Buffer.alloc(3);
    withContext(8, (ctx) => {
      for (let i = 0; i < 3; i++) {
        table.prepare(i, IOCB_CMD.PREAD, fd, addressOf(out.subarray(i)), 1, i, i);
        table.setResfd(i, efd);
      }
      expect(io_submit(ctx, table.addresses)).toBe(3);
      expect(eventfdRead(efd)).toBe(3n);
      expect(reapRing(ctx, new Uint8Array(96), 3)).toBe(3);
    });
    closeAll(fd, efd);
  });

  test.each([
    ['unknown flags', () => eventfd(0, 0o10), 'ERR_OUT_OF_RANGE'],
    ['negative initval', () => eventfd(-1), 'ERR_OUT_OF_RANGE'],
    ['a bad fd to read', () => eventfdRead(-1), 'ERR_OUT_OF_RANGE'],
    ['a closed fd to read', () => eventfdRead(987_654), 'EBADF'],
  ])('refuses %s', (_name, call, code) => {
    expect(call).toThrow(expect.objectContaining({ code }));
  });

  test('eventfdWait waits on the threadpool without blocking the event loop', async () => {
    const efd = eventfd(0); // blocking
    try {
      let settled = false;
      const waited = eventfdWait(efd).finally(() => {
        settled = true;
      });
      // The loop goes on turning while the count is 0, and the wait does not end by itself.
      await loopTurns(20);
      expect(settled).toBe(false);
      bump(efd, 7n); // from the event loop: a wait that blocked it would never see this
      await expect(waited).resolves.toBe(7n);
    } finally {
      closeSync(efd);
    }
  });
});

describe('FdPoller', () => {
  test('is available in this koffi', () => {
    expect(FdPoller.available).toBe(true);
  });

  test('calls back on the event loop when the eventfd becomes readable; stop and close work', async () => {
    const efd = eventfd(0, EFD.NONBLOCK);
    const calls: Array<Error | null> = [];
    let drained = 0n;
    let called = () => {};
    const nextCall = () => new Promise<void>((resolve) => (called = resolve));
    const poller = new FdPoller(efd, (error) => {
      calls.push(error);
      drained += eventfdRead(efd);
      called();
    });
    try {
      poller.start();
      expect(poller.active).toBe(true);
      await loopTurns(5);
      expect(calls).toEqual([]); // count 0: not readable, not called
      const first = nextCall();
      bump(efd, 2n);
      await first;
      // Every loop turn polls: a readable fd would be reported again in each of these.
      await loopTurns(20);
      expect(calls).toEqual([null]); // level-triggered, but drained: called once
      expect(drained).toBe(2n);
      poller.stop();
      bump(efd, 1n);
      await loopTurns(20);
      expect(calls.length).toBe(1); // stopped: not called
      const second = nextCall();
      poller.start(); // restart: the pending count is seen at once
      await second;
      expect(calls.length).toBe(2);
      expect(drained).toBe(3n);
    } finally {
      poller.close();
      closeSync(efd);
    }
    expect(poller.closed).toBe(true);
    expect(poller.active).toBe(false);
    poller.start(); // no-op once closed
    expect(poller.active).toBe(false);
  });

  test.each([
    ['a negative fd', () => new FdPoller(-1, () => {}), 'ERR_OUT_OF_RANGE'],
    ['no callback', () => new FdPoller(0, 5 as never), 'ERR_INVALID_ARG_TYPE'],
  ])('refuses %s', (_name, call, code) => {
    expect(call).toThrow(expect.objectContaining({ code }));
  });
});
