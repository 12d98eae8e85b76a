// Type level: an AioFile goes wherever a parameter is typed fs.promises FileHandle (pnpm
// typecheck compiles this file; a mismatch fails the build, not only this test). At run time
// the same FileHandle-consuming function gives the same answers on both.
import type { ReadStream } from 'node:fs';
import { type FileHandle, open as fsOpen } from 'node:fs/promises';
import { text } from 'node:stream/consumers';
import { type AioFile, open } from '../src/index.js';
import { freshFile, tmp } from './node-compat.js';

afterAll(() => tmp.cleanup());

/** Code written against node:fs only: it knows nothing of @aio/core. */
async function summarize(handle: FileHandle): Promise<unknown[]> {
  const head = await handle.read(Buffer.alloc(4), 0, 4, 0);
  const next = await handle.read({ buffer: Buffer.alloc(3) });
  await handle.write('!', 20);
  const vector = await handle.readv([Buffer.alloc(2), Buffer.alloc(2)], 1);
  const size = (await handle.stat()).size;
  const big = (await handle.stat({ bigint: true })).size;
  const stream: ReadStream = handle.createReadStream({ start: 10, end: 12, autoClose: false });
  const lines: string[] = [];
  for await (const line of handle.readLines({ start: 0, end: 9, autoClose: false }))
    lines.push(line);
  return [head.bytesRead, head.buffer, next.buffer, vector, size, big, await text(stream), lines];
}

test('an AioFile is a FileHandle to code typed against node:fs', async () => {
  const content = 'line one\nline two and more';
  const results = [];
  for (const opener of [(p: string) => fsOpen(p, 'r+'), (p: string) => open(p, 'r+')]) {
    const handle: FileHandle = await opener(freshFile(content));
    results.push(await summarize(handle));
    await handle.close();
  }
  expect(results[1]).toEqual(results[0]);
});

test('what is not interchangeable, at the type level', async () => {
  const handle = await fsOpen(freshFile('x'), 'r');
  // A FileHandle is no AioFile: it lacks direct, alignment, context, size()...
  // @ts-expect-error FileHandle is missing AioFile's own members
  const notAio: AioFile = handle;
  expect('direct' in notAio).toBe(false);
  await handle.close();
});
