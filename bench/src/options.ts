// What every benchmark's run() takes.

export interface BenchOptions {
  /** A smoke run: few, short rounds (CI). */
  quick: boolean;
  log: (line: string) => void;
  /** Overrides the rounds per case (--rounds=N). */
  rounds?: number;
  /** Overrides the seconds per run where a run is timed (--seconds=S). */
  seconds?: number;
}

/** Wraps `log`: lines "[bench] no ..." (something that could not run) are kept as notes. */
export function noteTaker(options: BenchOptions): { log: (l: string) => void; notes: string[] } {
  const notes: string[] = [];
  const log = (line: string) => {
    options.log(line);
    if (/^\[\w+\] no /.test(line)) notes.push(line.replace(/^\[\w+\] /, ''));
  };
  return { log, notes };
}
