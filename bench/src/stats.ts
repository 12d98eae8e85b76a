// Small statistics helpers: medians of interleaved rounds, latency percentiles.

/** The median (upper median for an even count). */
export function median(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  const sorted = values.slice().sort((a, b) => a - b);
  return sorted[sorted.length >> 1]!;
}

/** The p-th percentile (0-100) of values, nearest rank. */
export function percentile(values: readonly number[] | Float64Array, p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = Float64Array.from(values).sort();
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank]!;
}

/** A deterministic pseudo-random generator (mulberry32): the same offsets for every participant. */
export function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** `count` random block-aligned offsets within `span` bytes. */
export function randomOffsets(
  count: number,
  span: number,
  block: number,
  seed: number,
): Float64Array {
  const rand = seeded(seed);
  const blocks = Math.floor(span / block);
  const out = new Float64Array(count);
  for (let i = 0; i < count; i++) out[i] = Math.floor(rand() * blocks) * block;
  return out;
}
