// Before a server is measured, a few of its answers are compared byte for byte with the file
// read directly, so that a fast but wrong handler cannot win; and what is left of io_uring.
import { closeSync, openSync, readFileSync, readSync } from 'node:fs';
import { get } from 'node:http';
import { INDEX_BLOCK, indexLookup } from './http-routes.js';

function fetchBytes(
  port: number,
  path: string,
  headers: Record<string, string> = {},
): Promise<{ status: number; body: Buffer }> {
  return new Promise((resolve, reject) => {
    // agent: false: no keep-alive socket outlives the check.
    const req = get({ host: '127.0.0.1', port, path, headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks) }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.setTimeout(10_000, () => req.destroy(new Error(`GET ${path}: no answer in 10 s`)));
  });
}

function expectSame(
  what: string,
  got: { status: number; body: Buffer },
  status: number,
  want: Buffer,
) {
  if (got.status !== status) throw new Error(`${what}: status ${got.status}, expected ${status}`);
  if (!got.body.equals(want)) {
    throw new Error(`${what}: ${got.body.length} bytes differ from the file's ${want.length}`);
  }
}

/** Throws unless the server at `port` answers ranges, small files and index lookups right. */
export async function checkAnswers(
  port: number,
  big: string,
  size: number,
  small: readonly string[],
): Promise<void> {
  const fd = openSync(big, 'r');
  try {
    const readAt = async (buffer: Buffer, position: number) =>
      readSync(fd, buffer, 0, buffer.length, position);
    for (const [at, length] of [
      [0, 4096],
      [Math.floor(size / 3 / 4096) * 4096, 4096],
      [size - 65536, 65536],
    ] as const) {
      const want = Buffer.alloc(length);
      readSync(fd, want, 0, length, at);
      const got = await fetchBytes(port, '/range', { range: `bytes=${at}-${at + length - 1}` });
      expectSame(`range ${at}+${length}`, got, 206, want);
    }
    for (const i of [0, small.length - 1]) {
      expectSame(
        `small file ${i}`,
        await fetchBytes(port, `/small/${i}`),
        200,
        readFileSync(small[i]!),
      );
    }
    const first = 12_345;
    const want = await indexLookup(first, Math.floor(size / INDEX_BLOCK), readAt);
    expectSame(
      `index lookup from block ${first}`,
      await fetchBytes(port, `/index/${first}`),
      200,
      want,
    );
  } finally {
    closeSync(fd);
  }
}

/** Why io_uring cannot be measured here, or null when the kernel allows it. */
export function ioUringUnavailable(): string | null {
  let value: string;
  try {
    value = readFileSync('/proc/sys/kernel/io_uring_disabled', 'utf8').trim();
  } catch {
    return null; // kernels before 6.6 have no such switch
  }
  return value === '0'
    ? null
    : `io_uring is disabled here (/proc/sys/kernel/io_uring_disabled = ${value})`;
}
