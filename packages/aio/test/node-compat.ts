// Helpers of the node-compat tests: run one scenario through node:fs and through @aio/core on
// the same input (each in its own fresh file), and return what a user would observe: the
// value (Buffers and result objects as plain data) or the error's code, and the file after.
import { readFileSync, writeFileSync } from 'node:fs';
import { open as fsOpen } from 'node:fs/promises';
import { type AioFile, open } from '../src/index.js';
import { tempDir } from './helpers.js';

export type Outcome = { value: unknown } | { code: unknown; name: string };

/** Plain data for a value: result objects lose their null prototype, views become Buffers. */
export function plain(value: unknown): unknown {
  if (ArrayBuffer.isView(value))
    return Buffer.from(value.buffer, value.byteOffset, value.byteLength);
  if (Array.isArray(value)) return value.map(plain);
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = plain(v);
    return out;
  }
  return value;
}

/** The value of `run()`, or the code of what it threw or rejected with. */
export async function outcome(run: () => unknown): Promise<Outcome> {
  try {
    return { value: plain(await run()) };
  } catch (error) {
    const e = error as { code?: unknown; name?: string };
    // An errno error is node's Error and our AioError: the code is what both promise.
    if (typeof e.code === 'string' && /^E[A-Z]+$/.test(e.code))
      return { code: e.code, name: 'errno' };
    return { code: e.code, name: e.name ?? typeof error };
  }
}

/** A FileHandle or an AioFile, seen through what they share. */
export type AnyHandle = Awaited<ReturnType<typeof fsOpen>> | AioFile;

export const tmp = tempDir('aio-compat-');
let serial = 0;

/** A fresh path holding `content` (or nothing when content is null). */
export function freshFile(content: string | Buffer | null, name = 'f'): string {
  const path = tmp.path(`${name}-${serial++}`);
  if (content !== null) writeFileSync(path, content);
  return path;
}

/**
 * Runs `scenario` on a node:fs FileHandle and on an AioFile opened with `flags` on files that
 * start as `content`; returns both outcomes with the file's bytes afterwards.
 */
export async function onBoth(
  content: string | Buffer | null,
  flags: string,
  scenario: (handle: AnyHandle, path: string) => unknown,
): Promise<{ node: unknown; aio: unknown }> {
  const run = async (opener: (p: string) => Promise<AnyHandle>) => {
    const path = freshFile(content);
    const handle = await opener(path);
    try {
      const result = await outcome(() => scenario(handle, path));
      let after: Buffer | null = null;
      try {
        after = readFileSync(path);
      } catch {}
      return { result, after };
    } finally {
      await handle.close();
    }
  };
  const node = await run((p) => fsOpen(p, flags));
  const aio = await run((p) => open(p, flags));
  return { node, aio };
}
