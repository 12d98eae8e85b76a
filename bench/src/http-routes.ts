// What the HTTP bench server answers, shared by the server process and the runner (which builds
// the requests and checks the answers against the file read directly).
import { join } from 'node:path';

/** The server's configuration, the first IPC message it gets. */
export interface ServerConfig {
  /** How the handlers read: fs.promises, @aio/core (fs.promises with UV_USE_IO_URING=1 is 'fs'). */
  io: 'fs' | 'aio';
  /** The large file served by /range and /index. */
  big: string;
  /** The small files served whole by /small/<i>. */
  smallDir: string;
  smallCount: number;
}

/** Parent to server. */
export type ServerCommand =
  | { cmd: 'init'; config: ServerConfig }
  | { cmd: 'start' }
  | { cmd: 'stop' }
  | { cmd: 'exit' };

/** The block size of /index lookups. */
export const INDEX_BLOCK = 4096;
/** Dependent reads per /index request. */
export const INDEX_DEPTH = 8;

export function smallFilePath(dir: string, i: number): string {
  return join(dir, `f${i}.bin`);
}

/** `Range: bytes=a-b` (inclusive), the only form the bench sends; null for anything else. */
export function parseRange(header: string | undefined): { start: number; length: number } | null {
  const m = header === undefined ? null : /^bytes=(\d+)-(\d+)$/.exec(header);
  if (m === null) return null;
  const start = Number(m[1]);
  const end = Number(m[2]);
  return end >= start ? { start, length: end - start + 1 } : null;
}

/**
 * An index lookup: read the block at `first`, take the next block number from its first 4 bytes
 * (modulo the file's blocks), INDEX_DEPTH reads in all, each depending on the one before (as a
 * B-tree descent does). Resolves the last block. `readBlock` fills the buffer at a position.
 */
export async function indexLookup(
  first: number,
  blocks: number,
  readBlock: (buffer: Buffer, position: number) => Promise<number>,
): Promise<Buffer> {
  const buffer = Buffer.allocUnsafe(INDEX_BLOCK);
  let block = first % blocks;
  for (let i = 0; i < INDEX_DEPTH; i++) {
    if (i > 0) block = buffer.readUInt32LE(0) % blocks;
    const n = await readBlock(buffer, block * INDEX_BLOCK);
    if (n !== INDEX_BLOCK) throw new Error(`short read: ${n} bytes at block ${block}`);
  }
  return buffer;
}
