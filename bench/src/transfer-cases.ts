// The cases of `pnpm bench files`: what each participant runs, and the cache state it runs in.
import { createReadStream as fsReadStream } from 'node:fs';
import { readFile as fsReadFile, writeFile as fsWriteFile } from 'node:fs/promises';
import { createReadStream, readFile, writeFile } from '@aio/core';
import type { PeerJob } from './peer.js';

/** @aio/core, node:fs in this process, node:fs on io_uring in the peer process. */
export type FilesParticipant = 'aio' | 'fs' | 'uring';

export interface FileCase {
  name: string;
  bytes: number;
  /** warm: `reads` checked cached before every run; cold: evicted; write: a writeFile case. */
  cache: 'warm' | 'cold' | 'write';
  /** The file whose cache state is set and measured. */
  reads: string;
  aio: () => Promise<unknown>;
  fs: () => Promise<unknown>;
  uring: PeerJob;
}

async function drain(stream: NodeJS.ReadableStream): Promise<void> {
  for await (const _ of stream);
}

export function fileCases(
  big: number,
  paths: { big: string; small: string; out: string },
  payload: Buffer,
  quick = false,
): FileCase[] {
  const mib = `${big >> 20} MiB`;
  const readFileCase = (name: string, cache: 'warm' | 'cold', path: string, bytes: number) => ({
    name,
    bytes,
    cache,
    reads: path,
    aio: () => readFile(path),
    fs: () => fsReadFile(path),
    uring: { kind: 'readFile' as const, path, bytes },
  });
  const stream = (name: string, cache: 'warm' | 'cold', highWaterMark?: number) => ({
    name,
    bytes: big,
    cache,
    reads: paths.big,
    aio: () => drain(createReadStream(paths.big, { highWaterMark })),
    fs: () => drain(fsReadStream(paths.big, { highWaterMark })),
    uring: {
      kind: 'readStream' as const,
      path: paths.big,
      highWaterMark: highWaterMark ?? 64 * 1024,
      bytes: big,
    },
  });
  const direct = (name: string, concurrency?: number): FileCase => ({
    ...readFileCase(name, 'warm', paths.big, big),
    aio: () => readFile(paths.big, { direct: true, concurrency }),
  });
  const cases: FileCase[] = [
    readFileCase('readFile 1 MiB, cached', 'warm', paths.small, 1 << 20),
    readFileCase(`readFile ${mib}, cached`, 'warm', paths.big, big),
    readFileCase(`readFile ${mib}, cold`, 'cold', paths.big, big),
    direct(`readFile ${mib}, O_DIRECT (aio) vs cached (fs)`),
    direct(`readFile ${mib}, O_DIRECT, 8 x 1 MiB in flight`, 8),
    stream(`read stream ${mib}, cached`, 'warm'),
    stream(`read stream ${mib}, 1 MiB chunks`, 'warm', 1 << 20),
    stream(`read stream ${mib}, cold`, 'cold'),
    stream(`read stream ${mib}, cold, 1 MiB chunks`, 'cold', 1 << 20),
    {
      name: `writeFile ${mib}`,
      bytes: big,
      cache: 'write',
      reads: paths.out,
      aio: () => writeFile(paths.out, payload),
      fs: () => fsWriteFile(paths.out, payload),
      uring: { kind: 'writeFile', path: paths.out, bytes: big },
    },
  ];
  // A quick run keeps one case of each kind (and those with a floor): it is a smoke test.
  const skip = ['readFile 1 MiB, cached', `readFile ${mib}, cached`, '8 x 1 MiB in flight'];
  return quick ? cases.filter((c) => !skip.some((s) => c.name.includes(s))) : cases;
}
