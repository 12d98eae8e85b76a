import {
  AioEvent,
  FdsyncRequest,
  FsyncRequest,
  POLL,
  PollRequest,
  ReadRequest,
  ReadvRequest,
  RWF,
  WriteRequest,
  type WritevRequest,
} from '../src/index.js';
import { closeAll, fileWith, pattern, tempDir, untilTurns, withContext } from './helpers.js';

const tmp = tempDir();
afterAll(() => tmp.cleanup());

describe('request classes', () => {
  test('common and specific properties, with linux_aio-style setters', () => {
    const buf = Buffer.alloc(8);
    const req = new ReadRequest(3, buf, 10);
    expect(req).toMatchObject({
      command: 'read',
      fd: 3,
      buffer: buf,
      position: 10,
      rwFlags: 0,
      priority: null,
      resfd: null,
      state: 'idle',
    });
    req.fd = 4;
    req.position = 20n;
    req.rwFlags = RWF.HIPRI;
    req.priority = { class: 'be', level: 2 };
    req.resfd = 9;
    expect(req).toMatchObject({
      fd: 4,
      position: 20n,
      rwFlags: RWF.HIPRI,
      priority: { class: 'be', level: 2 },
      resfd: 9,
    });
    req.priority = null;
    req.resfd = null;
    expect(req.priority).toBeNull();
    expect(new PollRequest({ fd: 5 }, POLL.IN)).toMatchObject({
      command: 'poll',
      fd: 5,
      events: POLL.IN,
    });
    expect(new ReadvRequest(1, [buf], 0).buffers).toEqual([buf]);
    expect(new FsyncRequest(1).command).toBe('fsync');
  });

  test.each([
    ['fd negative', () => new ReadRequest(-1, Buffer.alloc(1), 0), 'ERR_OUT_OF_RANGE'],
    [
      'fd a string',
      () => new ReadRequest('1' as never, Buffer.alloc(1), 0),
      'ERR_INVALID_ARG_TYPE',
    ],
    ['buffer not a view', () => new WriteRequest(1, [] as never, 0), 'ERR_INVALID_ARG_TYPE'],
    [
      'position missing',
      () => new ReadRequest(1, Buffer.alloc(1), undefined as never),
      'ERR_INVALID_ARG_TYPE',
    ],
    ['position fractional', () => new ReadRequest(1, Buffer.alloc(1), 1.5), 'ERR_OUT_OF_RANGE'],
    [
      'buffers over IOV_MAX',
      () => new ReadvRequest(1, new Array(1025).fill(Buffer.alloc(1)), 0),
      'ERR_OUT_OF_RANGE',
    ],
    ['poll bits unknown', () => new PollRequest(1, 0x8000), 'ERR_INVALID_ARG_VALUE'],
    [
      'rwFlags on fsync',
      () => {
        new FsyncRequest(1).rwFlags = RWF.DSYNC;
      },
      'ERR_INVALID_ARG_VALUE',
    ],
    [
      'rwFlags unknown bit',
      () => {
        new ReadRequest(1, Buffer.alloc(1), 0).rwFlags = 0x100;
      },
      'ERR_OUT_OF_RANGE',
    ],
    [
      'priority level 8',
      () => {
        new ReadRequest(1, Buffer.alloc(1), 0).priority = { class: 'be', level: 8 };
      },
      'ERR_OUT_OF_RANGE',
    ],
    [
      'priority class',
      () => {
        new ReadRequest(1, Buffer.alloc(1), 0).priority = { class: 'x' as never, level: 0 };
      },
      'ERR_INVALID_ARG_VALUE',
    ],
    [
      'resfd negative',
      () => {
        new ReadRequest(1, Buffer.alloc(1), 0).resfd = -2;
      },
      'ERR_OUT_OF_RANGE',
    ],
  ])('%s -> %s', (_name, make, code) => {
    expect(make).toThrow(expect.objectContaining({ code }));
  });

  test('withCommand converts with types (linux_aio change_cmd) and leaves the original alone', () => {
    const buf = Buffer.alloc(4);
    const read = new ReadRequest(7, buf, 12);
    read.priority = { class: 'idle', level: 0 };
    const write: WriteRequest = read.withCommand('write');
    expect(write).toBeInstanceOf(WriteRequest);
    expect(write).toMatchObject({
      command: 'write',
      fd: 7,
      buffer: buf,
      position: 12,
      priority: { class: 'idle', level: 0 },
    });
    const writev: WritevRequest = read.withCommand('writev');
    expect(writev.buffers).toEqual([buf]);
    const fsync: FsyncRequest = writev.withCommand('fsync');
    const fdsync: FdsyncRequest = fsync.withCommand('fdsync');
    expect([fsync.command, fdsync.command, fdsync.fd]).toEqual(['fsync', 'fdsync', 7]);
    expect(read.command).toBe('read');
    const poll = new PollRequest(7, POLL.OUT);
    expect(poll.withCommand('poll')).toMatchObject({ command: 'poll', events: POLL.OUT });
    expect(() => fsync.withCommand('read' as never)).toThrow(
      expect.objectContaining({ code: 'ERR_INVALID_ARG_VALUE' }),
    );
  });
});

describe('run()', () => {
  test('each request type end to end; events carry data and results; requests are reusable', async () => {
    const content = pattern(4096);
    const fd = fileWith(tmp.path('run'), content);
    await withContext(async (ctx) => {
      const read = new ReadRequest(fd, Buffer.alloc(100), 50);
      const event = await ctx.run(read);
      expect(event).toBeInstanceOf(AioEvent);
      expect(event).toMatchObject({ request: read, res: 100, res2: 0, ok: true, error: null });
      expect(Buffer.from(event.data!)).toEqual(content.subarray(50, 150));
      expect(read.state).toBe('done');

      read.position = 4090; // reuse: a short read, data is what was read
      const short = await ctx.run(read);
      expect(short.res).toBe(6);
      expect(short.data!.byteLength).toBe(6);

      const readv = new ReadvRequest(fd, [Buffer.alloc(3), Buffer.alloc(5)], 0);
      const v = await ctx.run(readv);
      expect(Buffer.from(v.data!)).toEqual(content.subarray(0, 8));

      const write = new WriteRequest(fd, Buffer.from('xyz'), 0);
      expect((await ctx.run(write)).res).toBe(3);
      expect((await ctx.run(write.withCommand('writev'))).res).toBe(3);
      expect((await ctx.run(new FsyncRequest(fd))).res).toBe(0);
      expect((await ctx.run(new FdsyncRequest(fd))).res).toBe(0);
      expect((await ctx.run(write)).data).toBeNull();
    });
    closeAll(fd);
  });

  test('a negative res resolves an event with ok false and an AioError', async () => {
    const fd = fileWith(tmp.path('efbig'), pattern(8));
    await withContext(async (ctx) => {
      // Past the largest file ext4 allows: the kernel accepts the iocb, the write fails.
      const event = await ctx.run(new WriteRequest(fd, Buffer.alloc(4), 2n ** 60n));
      expect(event.ok).toBe(false);
      expect(event.res).toBe(-27);
      expect(event.error).toMatchObject({
        code: 'EFBIG',
        syscall: 'IOCB_CMD_PWRITE',
        fd,
        command: 'write',
        position: 2n ** 60n,
        length: 4,
      });
      expect(event.data).toBeNull();
    });
    closeAll(fd);
  });

  test('a request the kernel refuses at submit rejects run() (no event exists)', async () => {
    const fd = fileWith(tmp.path('ro'), pattern(8), 'r');
    await withContext(async (ctx) => {
      await expect(ctx.run(new WriteRequest(fd, Buffer.alloc(4), 0))).rejects.toMatchObject({
        code: 'EBADF',
        syscall: 'io_submit',
        fd,
        hint: expect.stringContaining('not open for this command'),
      });
    });
    closeAll(fd);
  });

  test('state moves idle -> queued -> in-flight -> done, and a busy request cannot be changed or rerun', async () => {
    const { pipe } = await import('../../aio-bind/test/fixtures/pipes.js');
    const [r, w] = pipe();
    await withContext(async (ctx) => {
      const poll = new PollRequest(r, POLL.IN);
      const running = ctx.run(poll);
      expect(poll.state).toBe('queued');
      expect(() => {
        poll.events = POLL.OUT;
      }).toThrow(expect.objectContaining({ code: 'ERR_AIO_REQUEST_BUSY' }));
      // Submitted once the engine's flush ran (it may wait for a turn of the loop: fairness).
      await untilTurns(() => poll.state !== 'queued');
      expect(poll.state).toBe('in-flight');
      await expect(ctx.run(poll)).rejects.toMatchObject({ code: 'ERR_AIO_REQUEST_BUSY' });
      require('node:fs').writeSync(w, 'x');
      expect((await running).res & POLL.IN).toBe(POLL.IN);
      expect(poll.state).toBe('done');
    });
    closeAll(r, w);
  });

  test('run() refuses a request with its own resfd (that is for submit())', async () => {
    await withContext(async (ctx) => {
      const req = new FsyncRequest(0);
      req.resfd = 5;
      await expect(ctx.run(req)).rejects.toMatchObject({ code: 'ERR_INVALID_ARG_VALUE' });
      await expect(ctx.run({} as never)).rejects.toMatchObject({ code: 'ERR_INVALID_ARG_TYPE' });
    });
  });
});
