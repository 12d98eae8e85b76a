import { writeFileSync } from 'node:fs';
import { runChild } from '../../../test-support/child.js';
import { probe } from '../src/index.js';
import { formatProbe, probeCommand } from '../src/probe/format.js';
import { tempDir } from './helpers.js';

const tmp = tempDir();
afterAll(() => tmp.cleanup());

describe('probe', () => {
  test('on this machine: AIO, every command and flag, io_pgetevents, the poll backend', async () => {
    const report = await probe();
    expect(report).toMatchObject({
      arch: process.arch,
      node: process.version,
      aio: { supported: true, detail: 'ok' },
      fsync: { supported: true },
      fdsync: { supported: true },
      poll: { supported: true },
      nowait: { supported: true },
      ioprio: { supported: true },
      pgetevents: { supported: true },
      backend: 'poll',
      path: null,
    });
    expect(report.kernel).toMatch(/^Linux \d+\.\d+/);
    expect(report.limits!.maxNr).toBeGreaterThan(0);
  });

  test('with a path: its filesystem and O_DIRECT alignment, or why O_DIRECT is refused', async () => {
    const file = tmp.path('f');
    writeFileSync(file, 'x');
    const onExt4 = await probe(file);
    expect(onExt4.path).toEqual({
      path: file,
      filesystem: 'ext4',
      direct: { supported: true, detail: 'ok', memory: 512, offset: 512, source: 'statx' },
      nowait: { supported: true, detail: 'ok' }, // just written: cached
    });
    const onProc = await probe('/proc/self/status');
    expect(onProc.path).toMatchObject({
      filesystem: 'proc',
      direct: { supported: false, detail: 'ERR_AIO_DIRECT_UNSUPPORTED' },
      nowait: { supported: false, detail: 'ENOTSUP' }, // procfs: every read on the threadpool
    });
    const inDir = await probe(tmp.dir); // a scratch file in the directory
    expect(inDir.path!.nowait).toEqual({ supported: true, detail: 'ok' });
  });

  test('the human table names every feature', async () => {
    const table = formatProbe(await probe(tmp.dir));
    for (const row of [
      'kernel AIO (io_setup)',
      'aio-nr / aio-max-nr',
      'IOCB_CMD_FSYNC',
      'IOCB_CMD_FDSYNC',
      'IOCB_CMD_POLL',
      'RWF_NOWAIT',
      'IOCB_FLAG_IOPRIO',
      'io_pgetevents',
      'completion backend',
      'O_DIRECT',
      'buffered RWF_NOWAIT',
    ]) {
      expect(table).toMatch(new RegExp(`^  ${row.replace(/[()/]/g, '\\$&')} +\\S`, 'm'));
    }
    expect(table).toContain('O_DIRECT               yes: memory 512, offset 512 (statx)');
  });

  test('the aio-probe command: table, --json, usage and exit codes', async () => {
    let out = '';
    expect(await probeCommand(['--json', tmp.dir], (t) => (out += t))).toBe(0);
    expect(JSON.parse(out)).toMatchObject({
      aio: { supported: true },
      path: { filesystem: 'ext4' },
    });
    out = '';
    expect(await probeCommand([], (t) => (out += t))).toBe(0);
    expect(out).toMatch(/^Kernel AIO probe\n/);
    out = '';
    expect(await probeCommand(['--bogus'], (t) => (out += t))).toBe(2);
    expect(out).toContain('usage: aio-probe [path] [--json]');
  });
});

test('readFile on the default context just works, and the process then exits by itself', async () => {
  const file = tmp.path('default');
  writeFileSync(file, 'from the default context');
  const result = await runChild(
    'core',
    `AIO.readFile(${JSON.stringify(file)}).then((data) => console.log(data.toString()));`,
    { timeoutMs: 10_000 },
  );
  expect(result).toMatchObject({
    code: 0,
    signal: null,
    timedOut: false,
    stdout: 'from the default context\n',
  });
});
