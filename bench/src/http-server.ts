// One participant of `pnpm bench http`, in its own process (forked by http.ts with an IPC
// channel): a node:http server on 127.0.0.1 at an ephemeral port. CommonJS, as seed-worker:
// node 20 loads ES modules through the libuv threadpool, and the thread counts should show
// what the handlers start, not the module loader.
//
//   GET /range  (Range: bytes=a-b)  that byte range of the large file, 206
//   GET /small/<i>                  small file i, read whole per request, 200
//   GET /index/<block>              INDEX_DEPTH dependent 4 KiB reads from <block>; the last block
//
// Every response body is a fresh Buffer, as a real handler's would be. The event loop is
// watched between the parent's 'start' and 'stop' (see LoopMonitor).
import { type FileHandle, readFile as fsReadFile, open } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { AioContext, readFile as aioReadFile, closeDefaultContext } from '@aio/core';
import { LoopMonitor } from './http-loop.js';
import {
  INDEX_BLOCK,
  indexLookup,
  parseRange,
  type ServerCommand,
  type ServerConfig,
  smallFilePath,
} from './http-routes.js';

interface Io {
  readAt(buffer: Buffer, position: number): Promise<number>;
  readWhole(path: string): Promise<Buffer>;
  close(): Promise<void>;
}

async function makeIo(config: ServerConfig): Promise<{ io: Io; size: number }> {
  const fh: FileHandle = await open(config.big, 'r');
  const { size } = await fh.stat();
  if (config.io === 'aio') {
    const ctx = new AioContext();
    const io: Io = {
      readAt: (buffer, position) => ctx.read(fh, buffer, position),
      readWhole: (path) => aioReadFile(path),
      close: async () => {
        await ctx.close();
        await closeDefaultContext(); // readFile's context
        await fh.close();
      },
    };
    return { io, size };
  }
  const io: Io = {
    readAt: async (buffer, position) =>
      (await fh.read(buffer, 0, buffer.length, position)).bytesRead,
    readWhole: (path) => fsReadFile(path),
    close: () => fh.close(),
  };
  return { io, size };
}

function send(message: unknown): void {
  process.send?.(message);
}

const OCTETS = { 'content-type': 'application/octet-stream' };

async function start(config: ServerConfig): Promise<void> {
  const { io, size } = await makeIo(config);
  const blocks = Math.floor(size / INDEX_BLOCK);
  const small = Array.from({ length: config.smallCount }, (_, i) =>
    smallFilePath(config.smallDir, i),
  );
  const monitor = new LoopMonitor();
  let failures = 0;
  const fail = (res: ServerResponse, error: unknown) => {
    if (failures++ === 0) console.error('[http-server] handler failed:', error);
    if (!res.headersSent) res.writeHead(500);
    res.end();
  };
  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = req.url ?? '';
    if (url === '/range') {
      const range = parseRange(req.headers.range);
      if (range === null || range.start + range.length > size) {
        res.writeHead(416).end();
        return;
      }
      const body = Buffer.allocUnsafe(range.length);
      const n = await io.readAt(body, range.start);
      res.writeHead(206, {
        ...OCTETS,
        'content-length': n,
        'content-range': `bytes ${range.start}-${range.start + n - 1}/${size}`,
      });
      res.end(n === body.length ? body : body.subarray(0, n));
    } else if (url.startsWith('/small/') && small[Number(url.slice(7))] !== undefined) {
      const body = await io.readWhole(small[Number(url.slice(7))]!);
      res.writeHead(200, { ...OCTETS, 'content-length': body.length }).end(body);
    } else if (url.startsWith('/index/')) {
      const body = await indexLookup(Number(url.slice(7)), blocks, io.readAt);
      res.writeHead(200, { ...OCTETS, 'content-length': body.length }).end(body);
    } else {
      res.writeHead(404).end();
    }
  };
  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => fail(res, error));
  });
  server.listen(0, '127.0.0.1', () => send({ port: (server.address() as AddressInfo).port }));
  process.on('message', (m: ServerCommand) => {
    if (m.cmd === 'start') {
      failures = 0;
      monitor.start();
      send({ started: true });
    } else if (m.cmd === 'stop') {
      send({ loop: monitor.stop(), failures });
    } else if (m.cmd === 'exit') {
      monitor.stop();
      server.closeAllConnections();
      server.close();
      io.close().then(
        () => process.exit(0),
        (error: unknown) => {
          console.error('[http-server] close failed:', error);
          process.exit(1);
        },
      );
    }
  });
}

// The parent went away (crashed or was killed): do not outlive it.
process.on('disconnect', () => process.exit(1));
process.once('message', (m: ServerCommand) => {
  if (m.cmd !== 'init') throw new Error(`expected init, got ${m.cmd}`);
  start(m.config).catch((error: unknown) => {
    console.error('[http-server] start failed:', error);
    process.exit(1);
  });
});
