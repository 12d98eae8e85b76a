// System-wide limits and a full disk. These change state other processes see (aio-nr, a
// mounted filesystem), so scripts/test.mjs runs them alone, after the parallel tests.
import { execFileSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { aioLimits } from '@aio/bind';
import {
  AioContext,
  AioError,
  allocAligned,
  closeDefaultContext,
  open,
  readFile,
  writeFile,
} from '../src/index.js';
import { expectBytes, pattern, tempDir } from './helpers.js';

const tmp = tempDir();
afterAll(() => tmp.cleanup());

describe('aio-max-nr exhausted', () => {
  test('a clear AioError, existing contexts keep working, everything comes back', async () => {
    const start = aioLimits();
    const path = tmp.path('data');
    writeFileSync(path, pattern(1 << 20));
    const survivor = new AioContext({ maxRequests: 64 });
    const fd = openSync(path, 'r');
    const hogs: AioContext[] = [];
    let refused: unknown;
    try {
      // Take every slot: large contexts first, then smaller ones until even 1 does not fit.
      for (const size of [4096, 256, 16, 1]) {
        for (;;) {
          try {
            hogs.push(new AioContext({ maxRequests: size }));
          } catch (error) {
            refused ??= error;
            break;
          }
          if (hogs.length > 1000) throw new Error('aio-max-nr never ran out');
        }
      }
      expect(aioLimits().nr).toBe(start.maxNr);
      expect(refused).toBeInstanceOf(AioError);
      expect(refused).toMatchObject({
        code: 'EAGAIN',
        syscall: 'io_setup',
        hint: expect.stringContaining(`/proc/sys/fs/aio-max-nr is ${start.maxNr}`),
      });
      // The default context cannot be created now: readFile says why.
      await closeDefaultContext();
      await expect(readFile(path)).rejects.toMatchObject({ code: 'EAGAIN', syscall: 'io_setup' });
      // A context that already exists keeps serving, queue included (4 x its ring).
      const bufs = Array.from({ length: 256 }, () => Buffer.alloc(4096));
      const n = await Promise.all(bufs.map((b, i) => survivor.read(fd, b, i * 4096)));
      expect(n).toEqual(bufs.map(() => 4096));
    } finally {
      await Promise.all(hogs.map((h) => h.close()));
      closeSync(fd);
    }
    // Room is back: the lazily created default context works again.
    expectBytes(await readFile(path), pattern(1 << 20));
    await closeDefaultContext();
    await survivor.close();
    expect(aioLimits().nr).toBe(start.nr); // nothing leaked system-wide
  });
});

// A small ext4 filesystem on a loop device, where the machine lets us mount one.
function mountSmallFs(): { dir: string; unmount(): void } | string {
  const base = mkdtempSync(join(tmpdir(), 'aio-enospc-'));
  const image = join(base, 'fs.img');
  const dir = join(base, 'mnt');
  try {
    execFileSync('mkdir', ['-p', dir]);
    execFileSync('truncate', ['-s', '8M', image]);
    execFileSync('mkfs.ext4', ['-q', '-F', image], { stdio: 'ignore' });
    execFileSync('mount', ['-o', 'loop', image, dir], { stdio: 'pipe' });
  } catch (error) {
    rmSync(base, { recursive: true, force: true });
    return `cannot mount a loop filesystem here (${(error as Error).message.split('\n')[0]})`;
  }
  return {
    dir,
    unmount() {
      execFileSync('umount', [dir]);
      rmSync(base, { recursive: true, force: true });
    },
  };
}

const small = mountSmallFs();
if (typeof small === 'string') console.warn(`ENOSPC tests skipped: ${small}`);
const withFs = typeof small === 'string' ? test.skip : test;

describe('ENOSPC on a full filesystem', () => {
  afterAll(() => {
    if (typeof small !== 'string') small.unmount();
  });

  withFs('writeFile rejects with ENOSPC (buffered and O_DIRECT), nothing hangs', async () => {
    const mount = small as { dir: string };
    const big = pattern(16 << 20);
    await expect(writeFile(join(mount.dir, 'a'), big)).rejects.toMatchObject({
      code: 'ENOSPC',
      command: 'write',
    });
    rmSync(join(mount.dir, 'a'));
    await expect(writeFile(join(mount.dir, 'b'), big, { direct: true })).rejects.toMatchObject({
      code: 'ENOSPC',
    });
    rmSync(join(mount.dir, 'b'));
  });

  withFs(
    'a write that no longer fits fails alone; the file system and the context stay usable',
    async () => {
      const mount = small as { dir: string };
      const file = await open(join(mount.dir, 'c'), 'w');
      try {
        const chunk = allocAligned(1 << 20, 4096).fill(1);
        const results = await Promise.allSettled(
          Array.from({ length: 12 }, (_, i) => file.write(chunk, 0, chunk.length, i << 20)),
        );
        const failed = results.filter((r) => r.status === 'rejected') as PromiseRejectedResult[];
        expect(failed.length).toBeGreaterThan(0);
        for (const f of failed) expect(f.reason).toMatchObject({ code: 'ENOSPC' });
      } finally {
        await file.close();
      }
      rmSync(join(mount.dir, 'c'));
      await writeFile(join(mount.dir, 'd'), 'fits again');
      expect(readFileSync(join(mount.dir, 'd'), 'utf8')).toBe('fits again');
    },
  );
});
