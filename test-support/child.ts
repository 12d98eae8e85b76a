// Child processes for tests that must observe a whole process: a blocked syscall, a signal,
// exit behaviour. The package sources are bundled (test-support/global-setup.cjs) into CommonJS
// files next to koffi's install, so a child needs no build step and no TypeScript loader.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

const root = join(__dirname, '..');

/** Path of the CJS bundle of `@aio/bind` or `@aio/core`, built by jest's globalSetup. */
export function bundle(name: 'bind' | 'core'): string {
  const path = join(root, 'packages', 'aio-bind', '.bundles', `${name}.cjs`);
  if (!existsSync(path))
    throw new Error(`${path} is missing: run the tests through jest (its globalSetup builds it)`);
  return path;
}

export interface ChildResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  timedOut: boolean;
}

export interface ChildOptions {
  /** Extra node flags, e.g. ['--expose-gc']. */
  nodeArgs?: string[];
  /** Kill the child (SIGKILL) after this many ms and report timedOut. Default 20 s. */
  timeoutMs?: number;
  /** Called with each stdout line as it arrives (to signal the child at the right moment). */
  onLine?: (line: string, child: ReturnType<typeof spawn>) => void;
  /** The child's stdin: 'ignore' (default), 'pipe' (child.stdin is writable), or an fd to inherit. */
  stdin?: 'ignore' | 'pipe' | number;
  /** Variables added to the child's environment (AIO_CORE and AIO_BIND always name the bundles). */
  env?: Record<string, string>;
}

/**
 * Runs `code` (CommonJS) in a fresh node process where `AIO` is the bundle of `pkg` and
 * `BIND` the bundle of @aio/bind (its own copy: for pure helpers such as addressOf).
 */
export function runChild(
  pkg: 'bind' | 'core',
  code: string,
  options: ChildOptions = {},
): Promise<ChildResult> {
  const source =
    `const AIO = require(${JSON.stringify(bundle(pkg))});\n` +
    `const BIND = require(${JSON.stringify(bundle('bind'))});\n${code}`;
  const child = spawn(process.execPath, [...(options.nodeArgs ?? []), '-e', source], {
    stdio: [options.stdin ?? 'ignore', 'pipe', 'pipe'],
    cwd: join(root, 'packages', 'aio-bind'), // so that require('koffi') resolves in the child
    // The bundles by path, for worker threads the child starts.
    env: { ...process.env, AIO_CORE: bundle('core'), AIO_BIND: bundle('bind'), ...options.env },
  });
  let stdout = '';
  let stderr = '';
  let pending = '';
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    child.kill('SIGKILL');
  }, options.timeoutMs ?? 20_000);
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
    stdout += chunk;
    pending += chunk;
    let nl = pending.indexOf('\n');
    while (nl >= 0) {
      options.onLine?.(pending.slice(0, nl), child);
      pending = pending.slice(nl + 1);
      nl = pending.indexOf('\n');
    }
  });
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => {
    stderr += chunk;
  });
  return new Promise((resolve) => {
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr, timedOut });
    });
  });
}
