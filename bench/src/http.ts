// `pnpm bench http`: should a web server use @aio/core? A node:http server per participant
// (its own process, 127.0.0.1, ephemeral port) serves random Range requests of a large file,
// whole small files and 8-dependent-read index lookups, page-cached (warm) and evicted (cold),
// under autocannon at several connection counts. Participants read through fs.promises, through
// @aio/core (AioContext.read on a FileHandle, readFile), and through fs.promises with libuv's
// io_uring (UV_USE_IO_URING=1). Client and server share the machine's cores.
import { cpus } from 'node:os';
import { evict, residency, warm } from './http-cache.js';
import { checkAnswers, ioUringUnavailable } from './http-check.js';
import { cursor, permutation, smallFiles, textFile } from './http-files.js';
import { load, type NextRequest } from './http-load.js';
import { ServerProcess } from './http-process.js';
import {
  type Cache,
  HTTP_CASES,
  HTTP_PARTICIPANTS,
  type HttpCase,
  type HttpCell,
  type HttpParticipant,
  type HttpReport,
  httpPresentation,
} from './http-report.js';

interface Plan {
  bigMiB: number;
  smallCount: number;
  connections: number[];
  seconds: number;
  warmupSeconds: number;
  cases: HttpCase[];
}

const FULL: Plan = {
  bigMiB: 1024,
  smallCount: 4096,
  connections: [1, 16, 64],
  seconds: 5,
  warmupSeconds: 1,
  cases: ['range4k', 'range64k', 'small', 'index8'],
};
// About 10 s of load for CI: one connection count, the 64 KiB ranges left out.
const QUICK: Plan = {
  bigMiB: 256,
  smallCount: 256,
  connections: [16],
  seconds: 0.3,
  warmupSeconds: 0.1,
  cases: ['range4k', 'small', 'index8'],
};

/** What one run works on. */
interface Setup {
  plan: Plan;
  size: number;
  big: string;
  small: { dir: string; paths: string[] };
  log: (line: string) => void;
}

/** The requests of a case, the same sequence for every participant (see http-files). */
function requests(kase: HttpCase, s: Setup): () => NextRequest {
  const ranges = (length: number) => {
    const next = cursor(permutation(Math.floor(s.size / length), length));
    return () => {
      const at = next() * length;
      return { path: '/range', range: `bytes=${at}-${at + length - 1}` };
    };
  };
  switch (kase) {
    case 'range4k':
      return ranges(4096);
    case 'range64k':
      return ranges(65536);
    case 'small': {
      const next = cursor(permutation(s.small.paths.length, 7));
      return () => ({ path: `/small/${next()}` });
    }
    case 'index8': {
      const next = cursor(permutation(Math.floor(s.size / 4096), 8));
      return () => ({ path: `/index/${next()}` });
    }
  }
}

const filesOf = (kase: HttpCase, s: Setup) => (kase === 'small' ? s.small.paths : [s.big]);

/** How many requests of a case read data no earlier request read (index chains: unbounded). */
function distinct(kase: HttpCase, s: Setup): number | undefined {
  if (kase === 'range4k') return Math.floor(s.size / 4096);
  if (kase === 'range64k') return Math.floor(s.size / 65536);
  if (kase === 'small') return s.small.paths.length;
  return undefined;
}

/** The smallest body of a case's answers (small files are at least 1000 bytes). */
const BODY: Record<HttpCase, number> = {
  range4k: 4096,
  range64k: 65536,
  small: 1000,
  index8: 4096,
};

/** Cells whose answers were shorter, on average, than their bodies must be. */
function shortAnswers(cells: HttpCell[]): string[] {
  return cells
    .filter((c) => c.responses > 0 && c.bytesPerResponse < BODY[c.case])
    .map(
      (c) =>
        `**short answers**: ${HTTP_PARTICIPANTS[c.participant].label}, ${HTTP_CASES[c.case]}, ${c.cache}, ` +
        `${c.connections} connections: ${Math.round(c.bytesPerResponse)} bytes per response`,
    );
}

/** Starts a participant's server (into `servers` at once, so that it is always closed). */
async function startServer(
  id: HttpParticipant,
  s: Setup,
  servers: Map<HttpParticipant, ServerProcess>,
): Promise<void> {
  const { io, env, label } = HTTP_PARTICIPANTS[id];
  const config = { io, big: s.big, smallDir: s.small.dir, smallCount: s.small.paths.length };
  const server = await ServerProcess.spawn(config, env);
  servers.set(id, server);
  await checkAnswers(server.port, s.big, s.size, s.small.paths);
  s.log(`[http] ${label}: pid ${server.pid}, port ${server.port}, answers checked; warming up`);
  for (const kase of s.plan.cases) {
    warm(filesOf(kase, s));
    const { port, pid } = server;
    const next = requests(kase, s);
    await load({ port, pid, connections: 16, seconds: s.plan.warmupSeconds, next });
  }
}

async function measure(
  server: ServerProcess,
  cell: Pick<HttpCell, 'case' | 'cache' | 'connections' | 'participant'>,
  s: Setup,
): Promise<HttpCell> {
  const files = filesOf(cell.case, s);
  if (cell.cache === 'warm') warm(files);
  else evict(files);
  const residentBefore = residency(files);
  await server.start();
  const result = await load({
    port: server.port,
    pid: server.pid,
    connections: cell.connections,
    seconds: s.plan.seconds,
    // Cold: a run that asked for every range or file once stops there, before it reads cached data.
    amount: cell.cache === 'cold' ? distinct(cell.case, s) : undefined,
    next: requests(cell.case, s),
  });
  const { loop, failures } = await server.stop();
  const done: HttpCell = {
    ...cell,
    ...result,
    loop,
    handlerFailures: failures,
    residentBefore,
    residentAfter: residency(files),
  };
  s.log(
    `[http] ${HTTP_CASES[cell.case]}, ${cell.cache}, ${cell.connections} conn, ` +
      `${HTTP_PARTICIPANTS[cell.participant].label}: ${Math.round(done.requestsPerSecond)} req/s, ` +
      `p50 ${done.p50Ms.toFixed(1)} ms, p99 ${done.p99Ms.toFixed(1)} ms, ` +
      `loop gap ${done.loop.maxGapMs.toFixed(1)} ms`,
  );
  return done;
}

/** Whether each server ended up with an io_uring instance, as its environment asked. */
function uringNotes(servers: Map<HttpParticipant, ServerProcess>): string[] {
  const notes: string[] = [];
  for (const [id, server] of servers) {
    const { label, env } = HTTP_PARTICIPANTS[id];
    const wanted = env.UV_USE_IO_URING === '1';
    const uses = server.usesIoUring();
    if (uses !== wanted) {
      notes.push(
        `the ${label} server ${uses ? 'has' : 'has no'} io_uring instance open with UV_USE_IO_URING=${wanted ? 1 : 0}`,
      );
    } else if (wanted) {
      const threads = server.ioUringThreads();
      const kinds = [...new Set(threads.map((t) => t.replace(/-\d+$/, '')))].join(', ');
      notes.push(
        `the ${label} server has an io_uring instance open (seen in /proc/<pid>/fd) and ` +
          `${threads.length} io_uring kernel thread(s)${kinds ? ` (${kinds})` : ''}`,
      );
    }
  }
  return notes;
}

async function closeAll(servers: Map<HttpParticipant, ServerProcess>, log: Setup['log']) {
  const closed = await Promise.allSettled([...servers.values()].map((s) => s.close()));
  let clean = true;
  for (const c of closed) {
    if (c.status === 'rejected') {
      clean = false;
      log(`[http] ${(c.reason as Error).message}`);
    }
  }
  return clean;
}

export async function runHttp(options: {
  quick: boolean;
  log: (line: string) => void;
}): Promise<HttpReport> {
  const { log } = options;
  const plan = options.quick ? QUICK : FULL;
  const size = plan.bigMiB * 2 ** 20;
  log(`[http] preparing a ${plan.bigMiB} MiB file and ${plan.smallCount} small files (reused)`);
  const small = smallFiles(plan.smallCount);
  const s: Setup = { plan, size, big: textFile(size), small, log };
  const notes: string[] = [];
  const ids: HttpParticipant[] = ['fs', 'aio', 'uring'];
  const noUring = ioUringUnavailable();
  if (noUring !== null) {
    log(`[http] ${noUring}: the io_uring participant is skipped`);
    notes.push(`${noUring}: the io_uring participant was skipped`);
    ids.pop();
  }
  const servers = new Map<HttpParticipant, ServerProcess>();
  const cells: HttpCell[] = [];
  let clean = true;
  try {
    for (const id of ids) await startServer(id, s, servers);
    notes.push(...uringNotes(servers));
    for (const kase of plan.cases) {
      for (const cache of ['warm', 'cold'] as Cache[]) {
        for (const connections of plan.connections) {
          for (const [participant, server] of servers) {
            cells.push(await measure(server, { case: kase, cache, connections, participant }, s));
          }
        }
      }
    }
  } finally {
    clean = await closeAll(servers, log);
  }
  if (!clean) throw new Error('an http server did not exit cleanly (see above)');
  notes.push(...shortAnswers(cells));
  if (residency([s.big]) === null) notes.push('no fincore: page-cache residency not measured');
  return {
    cores: cpus().length,
    bigFileMiB: plan.bigMiB,
    smallFiles: { count: plan.smallCount, mb: small.bytes / 1e6 },
    seconds: plan.seconds,
    connections: plan.connections,
    cells,
    notes,
  };
}
