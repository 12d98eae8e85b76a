// `pnpm bench files`: whole-file throughput of @aio/core's readFile, writeFile and streams
// against fs.promises.readFile / writeFile and fs.createReadStream, medians of interleaved
// rounds in one process, MB/s. Files are read from the page cache (buffered) or the device
// (O_DIRECT) and written to fresh files outside the repository.
import { createReadStream as fsReadStream, rmSync } from 'node:fs';
import { readFile as fsReadFile, writeFile as fsWriteFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createReadStream, readFile, writeFile } from '@aio/core';
import { benchDir, dataFile, warmPageCache } from './files.js';
import { median } from './stats.js';

export interface TransferRow {
  case: string;
  bytes: number;
  aio: number;
  fs: number;
  rounds: { aio: number[]; fs: number[] };
}

type Run = () => Promise<unknown>;

async function mbps(bytes: number, run: Run): Promise<number> {
  const start = performance.now();
  await run();
  return bytes / 1e6 / ((performance.now() - start) / 1000);
}

async function drain(stream: NodeJS.ReadableStream): Promise<void> {
  for await (const _ of stream);
}

export async function runTransfer(options: {
  quick: boolean;
  log: (line: string) => void;
}): Promise<TransferRow[]> {
  const rounds = options.quick ? 2 : 7;
  const big = options.quick ? 64 << 20 : 256 << 20;
  const small = 1 << 20;
  const bigPath = dataFile(`random-${big >> 20}m.bin`, big);
  const smallPath = dataFile('random-1m.bin', small);
  // Before every run, not once: see warmPageCache.
  const warm = () => {
    warmPageCache(bigPath);
    warmPageCache(smallPath);
  };
  const out = join(benchDir(), 'write-target.bin');
  const payload = await fsReadFile(bigPath);
  const cases: Array<{ name: string; bytes: number; aio: Run; fs: Run }> = [
    {
      name: 'readFile 1 MiB, cached',
      bytes: small,
      aio: () => readFile(smallPath),
      fs: () => fsReadFile(smallPath),
    },
    {
      name: `readFile ${big >> 20} MiB, cached`,
      bytes: big,
      aio: () => readFile(bigPath),
      fs: () => fsReadFile(bigPath),
    },
    {
      name: `readFile ${big >> 20} MiB, O_DIRECT (aio) vs cached (fs)`,
      bytes: big,
      aio: () => readFile(bigPath, { direct: true }),
      fs: () => fsReadFile(bigPath),
    },
    {
      name: `readFile ${big >> 20} MiB, O_DIRECT, 8 x 1 MiB in flight`,
      bytes: big,
      aio: () => readFile(bigPath, { direct: true, concurrency: 8 }),
      fs: () => fsReadFile(bigPath),
    },
    {
      name: `read stream ${big >> 20} MiB, cached`,
      bytes: big,
      aio: () => drain(createReadStream(bigPath)),
      fs: () => drain(fsReadStream(bigPath)),
    },
    {
      name: `read stream ${big >> 20} MiB, 1 MiB chunks`,
      bytes: big,
      aio: () => drain(createReadStream(bigPath, { highWaterMark: 1 << 20 })),
      fs: () => drain(fsReadStream(bigPath, { highWaterMark: 1 << 20 })),
    },
    {
      name: `writeFile ${big >> 20} MiB`,
      bytes: big,
      aio: () => writeFile(out, payload),
      fs: () => fsWriteFile(out, payload),
    },
  ];
  const rows: TransferRow[] = [];
  for (const c of cases) {
    warm();
    await c.aio(); // warm-up
    warm();
    await c.fs();
    const aio: number[] = [];
    const fs: number[] = [];
    for (let r = 1; r <= rounds; r++) {
      options.log(`[files] ${c.name}: round ${r}/${rounds}`);
      warm();
      aio.push(await mbps(c.bytes, c.aio));
      warm();
      fs.push(await mbps(c.bytes, c.fs));
    }
    rows.push({
      case: c.name,
      bytes: c.bytes,
      aio: median(aio),
      fs: median(fs),
      rounds: { aio, fs },
    });
  }
  rmSync(out, { force: true });
  return rows;
}

export function transferMarkdown(rows: TransferRow[]): string {
  const lines = ['| case | @aio/core MB/s | node:fs MB/s | ratio |', '|---|---|---|---|'];
  for (const r of rows)
    lines.push(
      `| ${r.case} | ${Math.round(r.aio)} | ${Math.round(r.fs)} | ${(r.aio / r.fs).toFixed(2)}x |`,
    );
  return lines.join('\n');
}
