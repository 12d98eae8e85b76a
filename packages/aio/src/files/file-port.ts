// AioFile (file.ts) sits above readFile/writeFile and the streams: its methods make them. They
// in turn open files by path and take AioFiles from callers, so they need AioFile's
// constructors and its internals. They reach them through this port, which file.ts fills when
// it loads (index.ts loads it before any of them can run): the runtime imports of files/ stay
// one-way (only `import type` names AioFile down here).
import type { PathLike } from 'node:fs';
import type { AioContext } from '../context/context.js';
import type { AioFile, FileBacking, OpenOptions } from './file.js';
import type { FileCore } from './file-io.js';
import type { OpenFlags } from './flags.js';

export interface FilePort {
  /** AioFile.open. */
  open(path: PathLike, flags: OpenFlags | undefined, options: OpenOptions): Promise<AioFile>;
  /** An AioFile over an existing descriptor; `backing.close` says what closing does. */
  on(backing: FileBacking, context: AioContext): AioFile;
  /** A brand check: true only for an AioFile this package constructed. */
  is(value: unknown): value is AioFile;
  /** Its transfers at explicit positions. */
  core(file: AioFile): FileCore;
  /** Its file pointer (moved to `moveTo` when given). */
  pointer(file: AioFile, moveTo?: number): number;
  /** Gives back the shared lock of a file made for one call that will not be closed. */
  release(file: AioFile): void;
}

let port: FilePort | null = null;

/** Called once, by file.ts as it loads. */
export function provideFilePort(implementation: FilePort): void {
  port = implementation;
}

/** AioFile's constructors and internals. */
export function files(): FilePort {
  return port!;
}
