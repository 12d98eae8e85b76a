// aio-probe's output: probeSync()'s report as a table or JSON, and the command line itself.
import { type ProbeReport, probeSync, type Support } from './probe.js';

function yesNo(s: Support): string {
  return s.supported ? 'yes' : `no (${s.detail})`;
}

/** probe() as the human table aio-probe prints. */
export function formatProbe(r: ProbeReport): string {
  const rows: Array<[string, string]> = [
    ['kernel', `${r.kernel} (${r.arch}), node ${r.node}`],
    ['kernel AIO (io_setup)', yesNo(r.aio)],
    ['aio-nr / aio-max-nr', r.limits ? `${r.limits.nr} / ${r.limits.maxNr}` : 'unknown (no /proc)'],
    ['IOCB_CMD_FSYNC', yesNo(r.fsync)],
    ['IOCB_CMD_FDSYNC', yesNo(r.fdsync)],
    ['IOCB_CMD_POLL', yesNo(r.poll)],
    ['RWF_NOWAIT', yesNo(r.nowait)],
    ['IOCB_FLAG_IOPRIO', yesNo(r.ioprio)],
    [
      'io_pgetevents',
      r.pgetevents.supported
        ? 'yes (not filtered)'
        : `no (${r.pgetevents.detail}: filtered or missing)`,
    ],
    [
      'completion backend',
      r.backend === 'poll'
        ? 'poll (uv_poll on an eventfd, no thread)'
        : 'threadpool (one libuv thread waits on the eventfd)',
    ],
  ];
  if (r.path) {
    const d = r.path.direct;
    rows.push(['path', `${r.path.path} (${r.path.filesystem})`]);
    rows.push([
      'O_DIRECT',
      d.supported
        ? `yes: memory ${d.memory}, offset ${d.offset} (${d.source})`
        : `no (${d.detail})`,
    ]);
    const n = r.path.nowait;
    rows.push([
      'buffered RWF_NOWAIT',
      n.supported
        ? `yes, ${n.detail}: page-cache hits complete without a thread`
        : `no (${n.detail}): every buffered read goes to the threadpool`,
    ]);
  }
  const width = Math.max(...rows.map(([k]) => k.length));
  return ['Kernel AIO probe', ...rows.map(([k, v]) => `  ${k.padEnd(width)}  ${v}`)].join('\n');
}

/** The aio-probe command: `aio-probe [path] [--json]`. Returns the exit code. */
export function probeCommand(argv: readonly string[], write: (text: string) => void): number {
  const unknown = argv.filter(
    (a) => a.startsWith('-') && a !== '--json' && a !== '--help' && a !== '-h',
  );
  if (argv.includes('--help') || argv.includes('-h') || unknown.length > 0) {
    write(
      'usage: aio-probe [path] [--json]\n  path: a file or directory whose filesystem to check for O_DIRECT\n',
    );
    return unknown.length > 0 ? 2 : 0;
  }
  const path = argv.find((a) => !a.startsWith('-'));
  const report = probeSync(path);
  write(
    argv.includes('--json') ? `${JSON.stringify(report, null, 2)}\n` : `${formatProbe(report)}\n`,
  );
  return report.aio.supported ? 0 : 1;
}
