// fs.createReadStream / fs.createWriteStream over kernel AIO: the same options, members,
// events and errors (stream-read.ts, stream-write.ts), with several requests in flight.
import type { PathLike } from 'node:fs';
import { AioReadStream, type ReadStreamOptions } from './stream-read.js';
import { AioWriteStream, type WriteStreamOptions } from './stream-write.js';

export { AioReadStream, type ReadStreamOptions } from './stream-read.js';
export { AioWriteStream, type WriteStreamOptions } from './stream-write.js';

/**
 * A Readable of `path` (or of `options.fd`) through kernel AIO, as fs.createReadStream, plus
 * `concurrency`, `direct` and `context`.
 * @throws `ERR_INVALID_ARG_TYPE`, `ERR_INVALID_ARG_VALUE`, `ERR_OUT_OF_RANGE` for bad options,
 * as node:fs; open and read errors come as 'error' events.
 */
export function createReadStream(
  path?: PathLike | null,
  options?: ReadStreamOptions | BufferEncoding | null,
): AioReadStream {
  return new AioReadStream(path, options);
}

/**
 * A Writable to `path` (or to `options.fd`) through kernel AIO, as fs.createWriteStream, plus
 * `concurrency`, `direct` and `context`.
 * @throws `ERR_INVALID_ARG_TYPE`, `ERR_INVALID_ARG_VALUE`, `ERR_OUT_OF_RANGE` for bad options,
 * as node:fs; open and write errors come as 'error' events.
 */
export function createWriteStream(
  path?: PathLike | null,
  options?: WriteStreamOptions | BufferEncoding | null,
): AioWriteStream {
  return new AioWriteStream(path, options);
}
