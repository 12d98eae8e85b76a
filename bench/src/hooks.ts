// Instruments a process from outside the packages, for `pnpm bench analyze`: wraps the koffi
// functions @aio/bind creates (so every io_submit is timestamped) and koffi's uv_poll (so
// every wake-up by the eventfd is). Must be installed before @aio/bind's first syscall (it
// declares its functions then), so the analysis runs in a fresh process (analyze-worker.ts).
// Each wrapper adds one JS call and one performance.now() (about 50 ns) to an event that
// costs microseconds.
import { syscallNumbers } from '@aio/bind';
import { bindKoffi } from './native.js';

export interface BatchStats {
  wakes: number;
  submits: number;
  /** Completions counted (by the loop, via completed()) between two wake-ups. */
  perWake: number[];
  /** From a wake-up to the first io_submit after it, ms. */
  wakeToFirst: number[];
  /** From a wake-up to the last io_submit before the next wake-up, ms. */
  wakeToLast: number[];
  /** From the last io_submit of a batch to the next wake-up, ms (the device's share). */
  lastToWake: number[];
}

export class SyscallHooks {
  /** Whether an io_submit and a uv_poll went through the wrappers (false: the packages changed). */
  submitHooked = false;
  pollHooked = false;
  #recording = false;
  #lastWake = -1;
  #firstSeen = true;
  #lastSubmit = -1;
  #completions = 0;
  #atWake = 0;
  #stats: BatchStats = SyscallHooks.#empty();

  static #empty(): BatchStats {
    return { wakes: 0, submits: 0, perWake: [], wakeToFirst: [], wakeToLast: [], lastToWake: [] };
  }

  /** Installs the wrappers on @aio/bind's koffi. */
  static install(): SyscallHooks {
    const hooks = new SyscallHooks();
    const koffi = bindKoffi();
    const submitNr = syscallNumbers().io_submit;
    const load = koffi.load.bind(koffi);
    koffi.load = (path) => {
      const lib = load(path);
      // Every syscall(2) declaration, whatever its argument types: io_submit is told apart by
      // its number, so a change of @aio/bind's declarations does not lose it.
      const func = (declaration: string) => {
        const fn = lib.func(declaration);
        if (!/\bsyscall\s*\(/.test(declaration)) return fn;
        const wrapped = (...args: unknown[]) => {
          if (args[0] === submitNr) {
            hooks.submitHooked = true;
            hooks.#submitted();
          }
          return fn(...args);
        };
        // Keep fn.async, the libuv-threadpool form (bound: koffi checks `this`).
        const async = (fn as { async?: (...a: unknown[]) => unknown }).async;
        return Object.assign(wrapped, { async: async?.bind(fn) });
      };
      // Everything but func() goes to the library itself (bound: koffi checks `this`).
      return new Proxy(lib, {
        get: (target, key) => {
          if (key === 'func') return func;
          const value = Reflect.get(target, key);
          return typeof value === 'function' ? value.bind(target) : value;
        },
      });
    };
    const poll = koffi.node.poll.bind(koffi.node);
    koffi.node.poll = (fd: unknown, events: unknown, callback: unknown) => {
      hooks.pollHooked = true;
      const wrap =
        (cb: unknown) =>
        (...a: unknown[]) => {
          hooks.#woke();
          return (cb as (...x: unknown[]) => unknown)(...a);
        };
      const handle = poll(fd, events, wrap(callback)) as object;
      // A stopped poller is restarted with handle.start(events, callback): wrap that one too.
      // The handle's properties are read-only, hence a Proxy (methods bound: koffi checks this).
      return new Proxy(handle, {
        get: (target, key) => {
          const value = Reflect.get(target, key);
          if (typeof value !== 'function') return value;
          if (key === 'start') return (e: unknown, cb: unknown) => value.call(target, e, wrap(cb));
          return value.bind(target);
        },
      });
    };
    return hooks;
  }

  /** One completion seen by the loop under study. */
  completed(): void {
    this.#completions++;
  }

  #woke(): void {
    if (!this.#recording) return;
    const now = performance.now();
    const s = this.#stats;
    if (this.#lastWake >= 0) {
      s.perWake.push(this.#completions - this.#atWake);
      if (this.#lastSubmit > this.#lastWake) {
        s.wakeToLast.push(this.#lastSubmit - this.#lastWake);
        s.lastToWake.push(now - this.#lastSubmit);
      }
    }
    s.wakes++;
    this.#lastWake = now;
    this.#atWake = this.#completions;
    this.#firstSeen = false;
  }

  #submitted(): void {
    if (!this.#recording) return;
    const now = performance.now();
    this.#stats.submits++;
    if (this.#lastWake >= 0 && !this.#firstSeen) {
      this.#stats.wakeToFirst.push(now - this.#lastWake);
      this.#firstSeen = true;
    }
    this.#lastSubmit = now;
  }

  /** Starts a measurement window. */
  begin(): void {
    this.#stats = SyscallHooks.#empty();
    this.#lastWake = -1;
    this.#lastSubmit = -1;
    this.#firstSeen = true;
    this.#recording = true;
  }

  /** Ends the window and returns what it saw. */
  end(): BatchStats {
    this.#recording = false;
    return this.#stats;
  }
}
