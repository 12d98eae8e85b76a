// The io_uring peer: "fs.promises on io_uring (UV_USE_IO_URING=1)", one long-lived process
// per benchmark run (peer.ts) that measures its idle loop once and then runs jobs as the
// parent sends them, interleaved with the in-process participants. Skipped, with the reason,
// where io_uring is unavailable.
import { type ChildProcessByStdio, spawn } from 'node:child_process';
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { createInterface, type Interface } from 'node:readline';
import type { Readable, Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { ioUringRefusal } from './native.js';
import type { PeerJob, PeerResult } from './peer.js';

const here = dirname(fileURLToPath(import.meta.url));

export const URING_LABEL = 'fs.promises on io_uring (UV_USE_IO_URING=1)';

/** io_uring instances this process holds (anon_inode:[io_uring] fds): > 0 when libuv uses one. */
export function ioUringInstances(): number {
  let n = 0;
  for (const fd of readdirSync('/proc/self/fd')) {
    try {
      if (readlinkSync(`/proc/self/fd/${fd}`) === 'anon_inode:[io_uring]') n++;
    } catch {
      // the fd readdir itself used is gone
    }
  }
  return n;
}

let refusal: string | null | undefined;

/** Why io_uring cannot be used here, or null when it can (checked once). */
export function uringRefusal(): string | null {
  if (refusal === undefined) {
    let sysctl: string | null = null;
    try {
      sysctl = readFileSync('/proc/sys/kernel/io_uring_disabled', 'utf8');
    } catch {
      // kernels before 6.6 have no such sysctl: io_uring_setup decides
    }
    refusal = ioUringRefusal(sysctl);
  }
  return refusal;
}

type Child = ChildProcessByStdio<Writable, Readable, null>;
type Reply = { result?: PeerResult; error?: string };

export class UringPeer {
  readonly #child: Child;
  readonly #lines: Interface;
  readonly #waiting = new Map<number, (reply: Reply) => void>();
  #next = 0;
  /** io_uring instances seen in the peer after its last job (0: libuv did not use io_uring). */
  rings = 0;

  private constructor(child: Child, lines: Interface) {
    this.#child = child;
    this.#lines = lines;
  }

  /** Starts the peer, or says why not and resolves null (io_uring unavailable). */
  static async start(idleMs: number, log: (line: string) => void): Promise<UringPeer | null> {
    const why = uringRefusal();
    if (why !== null) {
      log(`[uring] no io_uring peer: ${why}`);
      return null;
    }
    const child = spawn(process.execPath, [join(here, 'peer.cjs'), JSON.stringify({ idleMs })], {
      env: { ...process.env, UV_USE_IO_URING: '1' },
      stdio: ['pipe', 'pipe', 'inherit'],
    });
    const lines = createInterface({ input: child.stdout });
    const peer = new UringPeer(child, lines);
    await new Promise<void>((resolve, reject) => {
      child.once('error', reject);
      child.once('exit', (code) => reject(new Error(`io_uring peer exited with ${code}`)));
      lines.once('line', () => resolve()); // {"ready":true,...}: its idle loop is measured
    });
    child.removeAllListeners('exit');
    child.on('exit', (code) => peer.#failAll(`exited with ${code}`));
    lines.on('line', (line) => {
      const { id, ...reply } = JSON.parse(line) as { id: number; result?: PeerResult };
      peer.#waiting.get(id)?.(reply);
      peer.#waiting.delete(id);
    });
    return peer;
  }

  #failAll(error: string): void {
    for (const settle of this.#waiting.values()) settle({ error });
    this.#waiting.clear();
  }

  /** Runs one job in the peer. */
  run(job: PeerJob): Promise<PeerResult> {
    const id = this.#next++;
    return new Promise((resolve, reject) => {
      this.#waiting.set(id, ({ result, error }) => {
        if (result === undefined) reject(new Error(`io_uring peer: ${error}`));
        else {
          this.rings = result.rings;
          resolve(result);
        }
      });
      this.#child.stdin.write(`${JSON.stringify({ id, job })}\n`);
    });
  }

  /** Ends the peer (closing its stdin ends its job loop) and waits for it to exit. */
  close(): Promise<void> {
    this.#lines.close();
    return new Promise((resolve) => {
      if (this.#child.exitCode !== null) return resolve();
      this.#child.once('exit', () => resolve());
      this.#child.stdin.end();
    });
  }
}
