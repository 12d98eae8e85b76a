// @aio/core: the ergonomic layer. Until its API lands, it re-exports the error class users
// will match on, so that the package builds and resolves.
export { AioError } from '@aio/bind';
