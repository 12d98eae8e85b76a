// One cell of `pnpm bench http`: autocannon against a server process for a fixed time, with
// the server's CPU time and thread count read from /proc/<pid> over the same window.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import autocannon from 'autocannon';
import { percentile } from './stats.js';

/** The request a connection sends next (autocannon asks before every request). */
export interface NextRequest {
  path: string;
  range?: string;
}

export interface LoadResult {
  requestsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  /** 2xx responses. */
  responses: number;
  errors: number;
  timeouts: number;
  non2xx: number;
  /** Response bytes (headers included) per 2xx response: shows short bodies. */
  bytesPerResponse: number;
  seconds: number;
  /** Server user + system time over the window, % of one core (it may pass 100). */
  cpuPercent: number;
  /** Peak of the server's /proc/<pid>/status Threads, sampled every 100 ms. */
  threadsPeak: number;
}

let clockTicks = 0;

function ticksPerSecond(): number {
  if (clockTicks === 0) {
    try {
      clockTicks = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
    } catch {
      clockTicks = 100;
    }
  }
  return clockTicks;
}

/** utime + stime of a process, in clock ticks (fields 14 and 15 of /proc/<pid>/stat). */
function cpuTicks(pid: number): number {
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch (error) {
    throw new Error(`server process ${pid} is gone`, { cause: error });
  }
  // The command name (field 2) is in parentheses and may hold spaces: count after the last ')'.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return Number(fields[11]) + Number(fields[12]);
}

export function threadsOf(pid: number): number {
  const m = /^Threads:\s+(\d+)/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) : 0;
}

export interface Load {
  port: number;
  pid: number;
  connections: number;
  /** How long to run at most. */
  seconds: number;
  /** Stop after this many responses if that comes sooner. */
  amount?: number | undefined;
  next: () => NextRequest;
}

interface Run {
  result: autocannon.Result;
  /** From the start to the last response. */
  seconds: number;
  /** Of each 2xx response, ms. */
  latencies: number[];
}

function run(o: Load): Promise<Run> {
  const t0 = performance.now();
  let last = t0;
  const latencies: number[] = [];
  return new Promise((resolve, reject) => {
    const instance = autocannon(
      {
        url: `http://127.0.0.1:${o.port}`,
        connections: o.connections,
        // autocannon ignores duration when amount is set: the timer below bounds such a run.
        duration: o.seconds,
        ...(o.amount === undefined ? {} : { amount: o.amount }),
        // autocannon stops at the first sample after `duration`: sample often so that the run
        // ends close to it.
        sampleInt: 100,
        timeout: 10,
        requests: [
          {
            setupRequest: (request) => {
              const next = o.next();
              request.path = next.path;
              if (next.range !== undefined) {
                request.headers = { ...request.headers, range: next.range };
              }
              return request;
            },
          },
        ],
      },
      (error: unknown, result: autocannon.Result) => {
        clearTimeout(cap);
        if (error) reject(error);
        else resolve({ result, seconds: (last - t0) / 1000, latencies });
      },
    );
    // autocannon's own duration is counted to the sample tick after the end (100 ms steps), too
    // coarse for a run of a few hundred ms; its latency histogram keeps whole milliseconds, too
    // coarse for one connection on loopback.
    instance.on('response', (_client, status, _bytes, ms) => {
      last = performance.now();
      if (status >= 200 && status < 300) latencies.push(ms);
    });
    const cap = setTimeout(() => instance.stop(), o.seconds * 1000);
  });
}

export async function load(o: Load): Promise<LoadResult> {
  let threadsPeak = threadsOf(o.pid);
  const sampler = setInterval(() => {
    try {
      threadsPeak = Math.max(threadsPeak, threadsOf(o.pid));
    } catch {
      // The server died: the run fails below, where /proc/<pid>/stat is read again.
    }
  }, 100);
  const cpu0 = cpuTicks(o.pid);
  const t0 = performance.now();
  try {
    const { result, seconds: loaded, latencies } = await run(o);
    const seconds = (performance.now() - t0) / 1000;
    const cpu = cpuTicks(o.pid) - cpu0;
    threadsPeak = Math.max(threadsPeak, threadsOf(o.pid));
    const ok = result['2xx'];
    return {
      requestsPerSecond: ok > 0 ? ok / loaded : 0,
      p50Ms: percentile(latencies, 50),
      p99Ms: percentile(latencies, 99),
      responses: ok,
      errors: result.errors,
      timeouts: result.timeouts,
      non2xx: result.non2xx,
      bytesPerResponse: ok > 0 ? result.throughput.total / ok : 0,
      seconds: loaded,
      cpuPercent: (cpu / ticksPerSecond() / seconds) * 100,
      threadsPeak,
    };
  } finally {
    clearInterval(sampler);
  }
}
