// Turns a request into the Op that runs it: a snapshot, checked again at this point (a buffer
// may have been detached since it was set).
import { InvalidArgTypeError, IOCB_CMD } from '@aio/bind';
import { Op } from '../engine/op.js';
import { setBuffer, setBuffers, setFile, setPosition } from '../engine/snapshot.js';
import { type AioRequest, isAioRequest, requestIoprio, requestStatus } from './request.js';
import { BufferRequest, PollRequest, SyncRequest, VectorRequest } from './requests.js';

/** Checks that `value` is a request this package made. */
export function validateRequest(value: unknown, name = 'request'): asserts value is AioRequest {
  if (!isAioRequest(value)) {
    throw new InvalidArgTypeError(name, 'an AioRequest (ReadRequest, WriteRequest, ...)', value);
  }
}

/** A new Op for `request`, settled as `settle`. */
export function opFromRequest(request: AioRequest, settle: number): Op {
  let op: Op;
  if (request instanceof BufferRequest) {
    op = new Op(request.command === 'read' ? IOCB_CMD.PREAD : IOCB_CMD.PWRITE, settle);
    setBuffer(op, request.buffer, 'request.buffer');
    setPosition(op, request.position, 'request.position');
  } else if (request instanceof VectorRequest) {
    op = new Op(request.command === 'readv' ? IOCB_CMD.PREADV : IOCB_CMD.PWRITEV, settle);
    setBuffers(op, request.buffers, 'request.buffers');
    setPosition(op, request.position, 'request.position');
  } else if (request instanceof SyncRequest) {
    op = new Op(request.command === 'fsync' ? IOCB_CMD.FSYNC : IOCB_CMD.FDSYNC, settle);
  } else if (request instanceof PollRequest) {
    op = new Op(IOCB_CMD.POLL, settle);
    op.events = request.events;
  } else {
    throw new InvalidArgTypeError('request', 'an AioRequest made by @aio/core', request);
  }
  setFile(op, request.file, 'request.fd');
  op.rwFlags = request.rwFlags;
  op.ioprio = requestIoprio(request);
  op.resfd = request.resfd ?? -1;
  op.request = request;
  op.status = requestStatus(request);
  return op;
}
