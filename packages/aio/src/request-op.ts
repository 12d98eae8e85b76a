// Turns a request into the Op that runs it: a snapshot, checked again at this point (a buffer
// may have been detached since it was set).
import { InvalidArgTypeError, IOCB_CMD } from '@aio/bind';
import { Op } from './op.js';
import { AioRequest, requestIoprio } from './request.js';
import { BufferRequest, PollRequest, SyncRequest, VectorRequest } from './requests.js';
import { setBuffer, setBuffers, setPosition, toFd } from './validate.js';

/** Checks that `value` is a request this package made. */
export function validateRequest(value: unknown, name = 'request'): asserts value is AioRequest {
  if (!(value instanceof AioRequest)) {
    throw new InvalidArgTypeError(name, 'an AioRequest (ReadRequest, WriteRequest, ...)', value);
  }
}

/** A new Op for `request`, settled as `settle`. */
export function opFromRequest(request: AioRequest, settle: number): Op {
  const file = request.file;
  const fd = toFd(file, 'request.fd');
  const handle = typeof file === 'object' ? file : null;
  let op: Op;
  if (request instanceof BufferRequest) {
    op = new Op(request.command === 'read' ? IOCB_CMD.PREAD : IOCB_CMD.PWRITE, fd, handle, settle);
    setBuffer(op, request.buffer, 'request.buffer');
    setPosition(op, request.position, 'request.position');
  } else if (request instanceof VectorRequest) {
    op = new Op(
      request.command === 'readv' ? IOCB_CMD.PREADV : IOCB_CMD.PWRITEV,
      fd,
      handle,
      settle,
    );
    setBuffers(op, request.buffers, 'request.buffers');
    setPosition(op, request.position, 'request.position');
  } else if (request instanceof SyncRequest) {
    op = new Op(request.command === 'fsync' ? IOCB_CMD.FSYNC : IOCB_CMD.FDSYNC, fd, handle, settle);
  } else if (request instanceof PollRequest) {
    op = new Op(IOCB_CMD.POLL, fd, handle, settle);
    op.events = request.events;
  } else {
    throw new InvalidArgTypeError('request', 'an AioRequest made by @aio/core', request);
  }
  op.rwFlags = request.rwFlags;
  op.ioprio = requestIoprio(request);
  op.resfd = request.resfd ?? -1;
  op.request = request;
  return op;
}
