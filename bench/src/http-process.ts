// A server process of `pnpm bench http`: forked with an IPC channel, asked to start and stop
// its event-loop watch around each cell, and always ended: politely (it closes its AioContext),
// else with SIGKILL. The server exits by itself when the IPC channel closes, so even a runner
// killed with SIGKILL leaves no server behind.
import { type ChildProcess, fork } from 'node:child_process';
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { LoopStats } from './http-loop.js';
import type { ServerCommand, ServerConfig } from './http-routes.js';

const here = dirname(fileURLToPath(import.meta.url));
const live = new Set<ChildProcess>();
// A runner that throws past every finally (or calls process.exit) still kills its servers.
process.on('exit', () => {
  for (const child of live) child.kill('SIGKILL');
});

export class ServerProcess {
  readonly #child: ChildProcess;
  port = 0;

  private constructor(child: ChildProcess) {
    this.#child = child;
  }

  /** Forks a server with `env` added to this process's environment; resolves once it listens. */
  static async spawn(config: ServerConfig, env: Record<string, string>): Promise<ServerProcess> {
    const child = fork(join(here, 'http-server.cjs'), [], {
      env: { ...process.env, ...env },
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    live.add(child);
    child.once('exit', () => live.delete(child));
    const server = new ServerProcess(child);
    try {
      const { port } = await server.#ask<{ port: number }>({ cmd: 'init', config }, 30_000);
      server.port = port;
    } catch (error) {
      server.kill();
      throw error;
    }
    return server;
  }

  get pid(): number {
    return this.#child.pid!;
  }

  /** Sends a command and waits for the next message, or fails after `ms` or on exit. */
  #ask<T>(command: ServerCommand, ms = 10_000): Promise<T> {
    const child = this.#child;
    return new Promise<T>((resolve, reject) => {
      const done = (error: Error | null, value?: T) => {
        clearTimeout(timer);
        child.off('message', onMessage);
        child.off('exit', onExit);
        if (error) reject(error);
        else resolve(value as T);
      };
      const onMessage = (m: T) => done(null, m);
      const onExit = (code: number | null, signal: string | null) =>
        done(
          new Error(`http server ${child.pid} exited (${signal ?? code}) during ${command.cmd}`),
        );
      const timer = setTimeout(
        () => done(new Error(`http server ${child.pid}: no answer to ${command.cmd} in ${ms} ms`)),
        ms,
      );
      child.on('message', onMessage);
      child.once('exit', onExit);
      child.send(command);
    });
  }

  async start(): Promise<void> {
    await this.#ask({ cmd: 'start' });
  }

  stop(): Promise<{ loop: LoopStats; failures: number }> {
    return this.#ask({ cmd: 'stop' });
  }

  /** Whether the server has an io_uring instance open (libuv sets one up on first use). */
  usesIoUring(): boolean {
    const dir = `/proc/${this.pid}/fd`;
    return readdirSync(dir).some((fd) => {
      try {
        return readlinkSync(join(dir, fd)) === 'anon_inode:[io_uring]';
      } catch {
        return false;
      }
    });
  }

  /** Names of the server's io_uring kernel threads (iou-sqp-*: SQPOLL, iou-wrk-*: io-wq). */
  ioUringThreads(): string[] {
    const dir = `/proc/${this.pid}/task`;
    return readdirSync(dir)
      .map((task) => {
        try {
          return readFileSync(join(dir, task, 'comm'), 'utf8').trim();
        } catch {
          return ''; // the thread ended meanwhile
        }
      })
      .filter((name) => name.startsWith('iou-'));
  }

  /** Asks the server to close its files and contexts and exit; SIGKILL after 10 s. */
  async close(): Promise<void> {
    const child = this.#child;
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    try {
      child.send({ cmd: 'exit' } satisfies ServerCommand);
    } catch {
      child.kill('SIGKILL');
    }
    await exited;
    clearTimeout(timer);
    if (child.exitCode !== 0) {
      throw new Error(
        `http server ${child.pid} did not exit cleanly (${child.signalCode ?? child.exitCode})`,
      );
    }
  }

  kill(): void {
    this.#child.kill('SIGKILL');
  }
}
