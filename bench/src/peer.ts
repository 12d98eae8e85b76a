// A participant in its own process: node:fs with the environment its parent chose (for
// "fs.promises on io_uring", UV_USE_IO_URING=1, which libuv reads when its loop starts, so it
// cannot be switched on inside the bench's own process). It measures its idle loop once, then
// runs jobs from stdin (one JSON line each) under the loop probe and answers one JSON line each.
//
//   node dist/peer.cjs '{"idleMs":1000}'   (started by uring.ts)
import { createReadStream } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import { readOffsets } from './files.js';
import type { Latency } from './latency.js';
import { idleBaseline, type LoopStat, loopStat, probed } from './loop.js';
import { fsPromisesReads, type ReadLoop } from './participants.js';
import { fsPromisesSequential, type SequentialRead } from './sequential.js';
import { ioUringInstances } from './uring.js';

export type PeerJob =
  | { kind: 'random'; loop: Omit<ReadLoop, 'offsets'>; offsetsPath: string; offsetSum: number }
  | { kind: 'sequential'; read: SequentialRead }
  | { kind: 'readFile'; path: string; bytes: number }
  | { kind: 'readStream'; path: string; highWaterMark: number; bytes: number }
  | { kind: 'writeFile'; path: string; bytes: number };

export interface PeerResult {
  /** ops/s (random) or MB/s (the others). */
  value: number;
  latency: Latency | null;
  loop: LoopStat;
  /** io_uring instances this process holds (anon_inode:[io_uring] fds): > 0 when libuv uses one. */
  rings: number;
}

const payloads = new Map<number, Buffer>();

async function drain(stream: NodeJS.ReadableStream): Promise<void> {
  for await (const _ of stream);
}

type Work = () => Promise<{ value: number; latency: Latency | null }>;

/** The job as a function to time; whatever it needs first (the offsets) is loaded here. */
function prepareJob(job: PeerJob): Work {
  const mbps = async (bytes: number, work: () => Promise<unknown>) => {
    const start = performance.now();
    await work();
    return { value: bytes / 1e6 / ((performance.now() - start) / 1000), latency: null };
  };
  switch (job.kind) {
    case 'random': {
      const loop = { ...job.loop, offsets: readOffsets(job.offsetsPath) };
      const sum = loop.offsets.reduce((a, b) => a + b, 0);
      if (sum !== job.offsetSum)
        throw new Error(`read other offsets than the parent wrote (sum ${sum})`);
      return async () => {
        const r = await fsPromisesReads(loop);
        return { value: r.ops, latency: r.latency };
      };
    }
    case 'sequential':
      return async () => ({ value: await fsPromisesSequential(job.read), latency: null });
    case 'readFile':
      return () => mbps(job.bytes, () => readFile(job.path));
    case 'readStream':
      return () =>
        mbps(job.bytes, () =>
          drain(createReadStream(job.path, { highWaterMark: job.highWaterMark })),
        );
    case 'writeFile': {
      let payload = payloads.get(job.bytes);
      if (payload === undefined) {
        payload = Buffer.alloc(job.bytes, 0x5a);
        payloads.set(job.bytes, payload);
      }
      const data = payload;
      return () => mbps(job.bytes, () => writeFile(job.path, data));
    }
  }
}

async function serve(idleMs: number): Promise<void> {
  const idle = await idleBaseline(idleMs);
  process.stdout.write(`${JSON.stringify({ ready: true, idle })}\n`);
  for await (const line of createInterface({ input: process.stdin })) {
    const { id, job } = JSON.parse(line) as { id: number; job: PeerJob };
    try {
      const work = prepareJob(job);
      const { value, loop } = await probed(work);
      const result: PeerResult = {
        ...value,
        loop: loopStat(loop, idle),
        rings: ioUringInstances(),
      };
      process.stdout.write(`${JSON.stringify({ id, result })}\n`);
    } catch (error) {
      process.stdout.write(`${JSON.stringify({ id, error: String(error) })}\n`);
    }
  }
}

if (process.argv[2]?.startsWith('{')) {
  serve((JSON.parse(process.argv[2]) as { idleMs: number }).idleMs).catch((error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  });
}
