// @aio/bind/internal: what @aio/core needs from the raw layer beyond the public binding: the
// captured intrinsics it reads callers' memory through, the argument checks the binding runs
// (so that both layers refuse the same inputs with the same codes), and unchecked fast paths.
// For @aio/core only: not covered by semver, may change in any release. This file only
// re-exports.

export { cachedPages } from './cachestat.js';
export {
  bufferByteLength,
  isArray,
  isArrayBuffer,
  isDetached,
  isResizable,
  isSharedArrayBuffer,
  isTypedArray,
  isView,
  typedArrayLength,
  typedArrayName,
  viewBuffer,
  viewByteLength,
  viewByteOffset,
} from './intrinsics.js';
export { baseAddress } from './iocb-array.js';
export { pageSize } from './limits.js';
export { pollOnThreadpool, submitOnThreadpool } from './offload.js';
export { closeAtThreadExit, closeFd, teardownSupported } from './teardown.js';
export {
  S64_MAX,
  toU64,
  U64_MAX,
  validateContext,
  validateInteger,
  validateStructBuffer,
  validateView,
} from './validate.js';
