// Aligned memory for O_DIRECT: the buffer address must be a multiple of the device's memory
// alignment. The returned Buffer is a view of a larger allocation; the view references its
// ArrayBuffer, so the whole allocation lives exactly as long as the Buffer does.
import { addressOf, InvalidArgValueError } from '@aio/bind';
import { validateInteger } from '@aio/bind/internal';

/** The most alignment allocAligned() accepts (1 MiB). */
export const MAX_ALIGNMENT = 1 << 20;

/** Checks that `alignment` is a power of two between 1 and MAX_ALIGNMENT. */
export function validateAlignment(
  alignment: unknown,
  name = 'alignment',
): asserts alignment is number {
  validateInteger(alignment, name, 1, MAX_ALIGNMENT);
  if ((alignment & (alignment - 1)) !== 0) {
    throw new InvalidArgValueError(name, alignment, 'must be a power of two');
  }
}

/**
 * A zero-filled Buffer of `size` bytes whose address is a multiple of `alignment` (default
 * 4096, safe for every device). Use it for O_DIRECT reads and writes.
 * @throws {RangeError} `ERR_OUT_OF_RANGE` for a bad size; `ERR_INVALID_ARG_VALUE` for an
 * alignment that is not a power of two up to 1 MiB.
 */
export function allocAligned(size: number, alignment = 4096): Buffer {
  validateInteger(size, 'size', 0, 2 ** 32);
  validateAlignment(alignment);
  const raw = Buffer.alloc(size + alignment);
  const misalign = Number(addressOf(raw) % BigInt(alignment));
  const start = misalign === 0 ? 0 : alignment - misalign;
  return raw.subarray(start, start + size);
}

/** True when the view's address is a multiple of `alignment`. */
export function isAlignedView(view: ArrayBufferView, alignment: number): boolean {
  return alignment <= 1 || addressOf(view) % BigInt(alignment) === 0n;
}

/** Rounds `n` down / up to a multiple of `alignment` (a power of two). */
export function alignDown(n: number, alignment: number): number {
  return n - (n % alignment);
}
export function alignUp(n: number, alignment: number): number {
  const rest = n % alignment;
  return rest === 0 ? n : n + alignment - rest;
}
