// The AioFile participant of `pnpm bench iops`. AioFile.read is moving to fs.promises
// FileHandle's form, read(buffer, offset, length, position) resolving { bytesRead, buffer }
// (branch of the @aio/core rewrite); main still has read(buffer, position) resolving a number.
// The participant is written for the new form and probes, once, which one the build has.
// LEAD: after the merge, check that the iops report says "FileHandle form" for this run.
import { closeSync, openSync, readSync } from 'node:fs';
import { type AioContext, type AioFile, open } from '@aio/core';

/** 'filehandle': read(buffer, offset, length, position); 'legacy': read(buffer, position). */
export type AioFileForm = 'filehandle' | 'legacy';

export const AIO_FILE_FORMS: Record<AioFileForm, string> = {
  filehandle: 'FileHandle form read(buffer, offset, length, position) → { bytesRead, buffer }',
  legacy: "main's form read(buffer, position) → bytes read (the FileHandle form was refused)",
};

type AnyRead = (...args: unknown[]) => Promise<unknown>;
const readOf = (file: AioFile) => file.read as unknown as AnyRead;

/**
 * Which form `AioFile.read` has, checked on real data: 16 bytes at 4096 of `path` (at least
 * 4112 bytes long) must equal what readSync reads there.
 * @throws {Error} when neither form reads the right bytes.
 */
export async function detectAioFileForm(path: string, context: AioContext): Promise<AioFileForm> {
  const expected = Buffer.alloc(16);
  const fd = openSync(path, 'r');
  try {
    readSync(fd, expected, 0, 16, 4096);
  } finally {
    closeSync(fd);
  }
  const file = await open(path, 'r', { context });
  try {
    const got = Buffer.alloc(16);
    const result = await (async () => readOf(file).call(file, got, 0, 16, 4096))().catch(
      (error: NodeJS.ErrnoException) => {
        // main's read(buffer, position, options) refuses 16 as its options object.
        if (error.code === 'ERR_INVALID_ARG_TYPE') return null;
        throw error;
      },
    );
    if (typeof result === 'object' && result !== null && 'bytesRead' in result) {
      if ((result as { bytesRead: number }).bytesRead === 16 && got.equals(expected))
        return 'filehandle';
      throw new Error('AioFile.read(buffer, 0, 16, 4096) did not read bytes 4096-4111');
    }
    const legacy = await readOf(file).call(file, got.fill(0), 4096);
    if (legacy === 16 && got.equals(expected)) return 'legacy';
    throw new Error('AioFile.read reads neither in the FileHandle form nor in the legacy one');
  } finally {
    await file.close();
  }
}

/** A read of `buffer.length` bytes at `position` in the detected form. */
export function aioFileRead(
  form: AioFileForm,
): (file: AioFile, buffer: Buffer, position: number) => Promise<unknown> {
  if (form === 'filehandle')
    return (file, buffer, position) => readOf(file).call(file, buffer, 0, buffer.length, position);
  return (file, buffer, position) => readOf(file).call(file, buffer, position);
}
