/**
 * What a hostile submission's kernel can reach and use (python/maml_lab_exec/isolation.py, watchdog.py):
 * under bubblewrap, only the system, the built package and its own scratch space, and no network; with or
 * without it, limits on memory, processes, file size and output, each reported in the CellRun. Every
 * claim is checked against the host first (the thing hidden does exist out there), so each can fail.
 * Needs `npm run build` (the kernels import maml-lab, the CLI runs from dist/) and `npm run setup`.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { executeNotebook, sandboxProblem, type CellRun, type NotebookRun } from '../src/notebook/execute';
import { packageRoot } from '../src/notebook/venv';

const code = (source: string, i: number) => ({ cell_type: 'code', id: `c${i}`, metadata: {}, execution_count: null, outputs: [], source });
const notebook = (...sources: string[]) => ({
  nbformat: 4,
  nbformat_minor: 5,
  metadata: { kernelspec: { name: 'tslab', display_name: 'TypeScript', language: 'typescript' } },
  cells: sources.map(code),
});
const printed = (cell: CellRun, name = 'stdout'): string =>
  (cell.outputs as { output_type: string; name?: string; text?: string }[])
    .filter((o) => o.output_type === 'stream' && o.name === name)
    .map((o) => o.text)
    .join('');
/** The JSON a cell printed on its last stdout line. */
const json = (cell: CellRun): unknown => JSON.parse(printed(cell).trim().split('\n').at(-1) ?? 'null');
const temp = (prefix: string): string => fs.mkdtempSync(path.join(os.tmpdir(), prefix));
const show = (cell: CellRun): string => JSON.stringify({ status: cell.status, limit: cell.limit, reason: cell.reason, out: printed(cell), err: cell.errorText });

/** Why bubblewrap cannot be used here (with the flags the sandbox uses), or undefined when it can. */
function bwrapMissing(): string | undefined {
  const probe = spawnSync('bwrap', ['--ro-bind', '/', '/', '--size', '1048576', '--tmpfs', '/tmp', '--unshare-pid', '--unshare-net', '--die-with-parent', 'true']);
  if (probe.error !== undefined) return `bwrap is not installed (${probe.error.message}); CI installs Debian's bubblewrap`;
  return probe.status === 0 ? undefined : `bwrap does not work here: ${probe.stderr.toString().trim()}`;
}
const noBwrap = bwrapMissing();
// Generous: two cores shared with other work; no claim below rests on a cell's speed but the neighbour's.
const SLOW = { cellTimeoutSeconds: 180, retryAborted: true, restartDeadKernel: true, inheritEnv: false } as const;

describe('the sandbox shows a kernel only what it needs', { skip: noBwrap, timeout: 300_000 }, () => {
  const cwd = temp('maml-lab-sandbox-');
  // A course folder beside the package, as an instructor keeps one: not under /tmp (blank anyway) and
  // not passed in `hide`, so only the sandbox's own binds keep it out of sight.
  const course = fs.mkdtempSync(path.join(path.dirname(packageRoot), '.maml-lab-course-'));
  const hiddenInPackage = path.join(packageRoot, 'node_modules', 'tslab', 'README.md');
  const secrets = [
    path.join(packageRoot, 'notebooks', 'homework', '01-two-step-meta-gradient.ipynb'),
    path.join(packageRoot, 'src', 'index.ts'),
    path.join(packageRoot, 'test', 'sandbox.test.ts'),
    path.join(packageRoot, '.git'),
    path.join(packageRoot, 'README.md'),
    path.join(course, 'hw1.ipynb'),
    path.join(course, 'hw2-solutions.ipynb'),
    path.join(course, 'submissions', 'alice.ipynb'),
    '/work/shared/ARCHITECTURE.md',
    path.join(os.homedir(), '.bashrc'),
    '/etc/hostname',
    '/etc/apt',
    '/var/log',
    '/opt',
  ].filter((p) => fs.existsSync(p));
  const forbiddenWrites = ['/usr/escaped', path.join(packageRoot, 'escaped'), path.join(packageRoot, 'dist', 'escaped'), '/etc/escaped', '/escaped'];
  const PKG = JSON.stringify(packageRoot);
  let run: NotebookRun;
  after(() => {
    for (const dir of [cwd, course]) fs.rmSync(dir, { recursive: true, force: true });
    for (const file of forbiddenWrites) fs.rmSync(file, { force: true });
  });
  before(async () => {
    fs.mkdirSync(path.join(course, 'submissions'));
    // A secret in the grader's environment; the executor is started (and copies it) by the call below.
    process.env.GRADER_TOKEN = 'not for students';
    for (const file of ['hw1.ipynb', 'hw2-solutions.ipynb', path.join('submissions', 'alice.ipynb')]) fs.writeFileSync(path.join(course, file), '{"answers": 42}');
    run = await executeNotebook(
      notebook(
        "import { banner } from 'maml-lab';\nconsole.log(typeof banner);",
        `import cp from 'child_process';\nconst g = cp.spawnSync('git', ['show', 'HEAD:notebooks/homework/01-two-step-meta-gradient.ipynb'], { cwd: ${PKG} });\n` +
          'console.log(JSON.stringify({ status: g.status, bytes: g.stdout ? g.stdout.length : null }));',
        `import fs from 'fs';\nconsole.log(JSON.stringify(${JSON.stringify(secrets)}.filter((p: string) => fs.existsSync(p))));`,
        'const list = (p: string) => { try { return fs.readdirSync(p).sort(); } catch (e) { return (e as NodeJS.ErrnoException).code; } };\n' +
          `console.log(JSON.stringify({ root: list('/root'), home: list('/home'), myHome: list(require('os').homedir()), parent: list(${JSON.stringify(path.dirname(packageRoot))}), pkg: list(${PKG}), etc: list('/etc') }));`,
        'const tryWrite = (p: string) => { try { fs.writeFileSync(p, "x"); return "wrote"; } catch (e) { return (e as NodeJS.ErrnoException).code; } };\n' +
          `console.log(JSON.stringify(${JSON.stringify(forbiddenWrites)}.map(tryWrite)));`,
        'fs.writeFileSync("mine.txt", "ok");\nconsole.log(fs.readFileSync("mine.txt", "utf8"));',
        "import net from 'net';\nconst connect = await new Promise((resolve) => { const s = net.connect(80, '1.1.1.1'); s.on('connect', () => resolve('connected')); s.on('error', (e: NodeJS.ErrnoException) => resolve(e.code)); });\n" +
          "const fetched = await fetch('http://example.com').then(() => 'fetched', (e) => String(e.cause?.code ?? e));\n" +
          "console.log(JSON.stringify({ connect, fetched, interfaces: Object.keys(require('os').networkInterfaces()) }));",
        `console.log(fs.readFileSync(${JSON.stringify(hiddenInPackage)}, 'utf8').length);`,
        'console.log(JSON.stringify(Object.keys(process.env).sort()));',
      ),
      { ...SLOW, cwd, isolation: 'bubblewrap', hide: [hiddenInPackage] },
    );
    delete process.env.GRADER_TOKEN;
  });
  const cell = (n: number): CellRun => run.cells[n - 1];

  test("`import { banner } from 'maml-lab'` still works", () => {
    assert.equal(run.isolation, 'bubblewrap');
    assert.equal(printed(cell(1)), 'function\n', show(cell(1)));
  });

  test("git cannot show the solutions from the package's history", () => {
    const host = spawnSync('git', ['show', 'HEAD:notebooks/homework/01-two-step-meta-gradient.ipynb'], { cwd: packageRoot });
    if (host.status !== 0) return void assert.ok(fs.existsSync(path.join(packageRoot, 'dist')), 'not a git checkout: nothing to show');
    assert.ok(host.stdout.length > 1000, 'the host does see the notebook in git');
    assert.deepEqual(json(cell(2)), { status: 128, bytes: 0 }, show(cell(2)));
  });

  test('the notebooks, sources, history, course folder, other checkouts and home are not there', () => {
    assert.ok(secrets.length >= 8, `too few of the candidates exist on the host to check: ${secrets}`);
    assert.deepEqual(json(cell(3)), [], show(cell(3)));
  });

  test("no home folder, and the package's folder holds only package.json, dist and node_modules", () => {
    const seen = json(cell(4)) as Record<string, unknown>;
    assert.ok(fs.readdirSync('/root').length > 0 && fs.readdirSync(path.dirname(packageRoot)).length > 1, 'the host has something to hide');
    // Where tfjs-node is installed (the CI's second pass), its libraries are linked from a cache in the home
    // folder and bound read-only: then /root shows that cache's top folder and nothing else.
    const tfLib = path.join(packageRoot, 'node_modules', '@tensorflow', 'tfjs-node', 'deps', 'lib');
    const needed = fs.existsSync(tfLib)
      ? [...new Set(fs.readdirSync(tfLib).map((n) => fs.realpathSync(path.join(tfLib, n))).filter((p) => p.startsWith('/root/')).map((p) => p.split('/')[2]))]
      : [];
    if (needed.length === 0) assert.equal(seen.root, 'ENOENT');
    else assert.deepEqual(seen.root, needed.sort());
    assert.notDeepEqual(seen.myHome, fs.readdirSync(os.homedir()).sort());
    // A package cloned straight into /tmp (as CI may do) has the sandbox's own /tmp as its parent, which
    // also holds the kernel's folder and its socket folder (mount points of the sandbox, nothing of the host's).
    const ownMounts = (name: string): boolean => name === path.basename(cwd) || name.startsWith('mlk-');
    const parent = path.dirname(packageRoot) === '/tmp' && Array.isArray(seen.parent) ? (seen.parent as string[]).filter((n) => !ownMounts(n)) : seen.parent;
    assert.deepEqual(parent, [path.basename(packageRoot)], 'beside the package (e.g. /work/*) nothing is visible');
    assert.deepEqual(seen.pkg, ['dist', 'node_modules', 'package.json']);
    assert.ok(Array.isArray(seen.etc) && !seen.etc.includes('hostname') && seen.etc.includes('ld.so.cache'), String(seen.etc));
  });

  test('nothing outside cwd and /tmp is writable, not even the mount points bwrap made', () => {
    // A package under /tmp has its folder on the sandbox's own /tmp: a write there stays in the sandbox
    // (checked on the host below), like any write to /tmp.
    const inSandboxTmp = (file: string): boolean => path.dirname(file) === packageRoot && packageRoot.startsWith('/tmp/');
    const expected = forbiddenWrites.map((file, i) => (inSandboxTmp(file) ? (json(cell(5)) as string[])[i] : 'EROFS'));
    assert.deepEqual(json(cell(5)), expected, show(cell(5)));
    assert.ok(expected.every((e) => e === 'EROFS' || e === 'wrote'));
    for (const file of forbiddenWrites) assert.equal(fs.existsSync(file), false, file);
  });

  test('cwd is writable, and what is written there stays in the sandbox', () => {
    assert.equal(printed(cell(6)), 'ok\n', show(cell(6)));
    assert.equal(fs.existsSync(path.join(cwd, 'mine.txt')), false);
  });

  test('no network: a TCP connect and a fetch fail, only the loopback interface exists', () => {
    const seen = json(cell(7)) as { connect: string; fetched: string; interfaces: string[] };
    assert.equal(seen.connect, 'ENETUNREACH', show(cell(7)));
    assert.notEqual(seen.fetched, 'fetched');
    assert.deepEqual(seen.interfaces, ['lo']);
  });

  test("the grader's environment stays out: only the kept names reach the kernel", () => {
    const names = json(cell(9)) as string[];
    assert.ok(Array.isArray(names) && names.includes('PATH'), show(cell(9)));
    assert.equal(names.includes('GRADER_TOKEN'), false);
    const kept = new Set(['PATH', 'HOME', 'LANG', 'LC_ALL', 'TZ', 'TMPDIR', 'MAML_LAB_BACKEND', 'MAML_LAB_ENGINE', 'TF_CPP_MIN_LOG_LEVEL', 'TF_ENABLE_ONEDNN_OPTS']);
    // jupyter_client adds JPY_PARENT_PID, the shell that starts the kernel PWD.
    assert.deepEqual(names.filter((n) => !kept.has(n) && n !== 'PWD' && !/^(JPY_|PYDEVD_|JUPYTER_)/.test(n)), [], names.join(' '));
  });

  test('`hide` still blanks a path inside what is bound', () => {
    assert.ok(fs.statSync(hiddenInPackage).size > 0);
    assert.equal(printed(cell(8)), '0\n', show(cell(8)));
  });
});

describe('limits under bubblewrap: one hostile kernel cannot starve the one beside it', { skip: noBwrap, timeout: 600_000 }, () => {
  const cwds = [temp('maml-lab-hostile-'), temp('maml-lab-neighbour-')];
  let hostile: NotebookRun;
  let neighbour: NotebookRun;
  after(() => {
    for (const dir of cwds) fs.rmSync(dir, { recursive: true, force: true });
  });
  before(async () => {
    const limits = { memoryLimitMb: 1024, processLimit: 16, fileLimitMb: 100 };
    [hostile, neighbour] = await Promise.all([
      executeNotebook(
        notebook(
          "let kept = 1;\nimport fs from 'fs';\nimport cp from 'child_process';\nconst sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));",
          // 300 busy loops: on two cores, unchecked, they would leave the neighbour a 1/150 share for 20 s;
          // stopped at 17 they leave it 1/9 at worst (each new loop also slows the spawning, so this bomb
          // takes seconds, not milliseconds, to reach the limit on a busy machine).
          "console.log(Date.now());\nfor (let i = 0; i < 300; i++) cp.spawn('/bin/sh', ['-c', 'while :; do :; done']);\nawait sleep(20_000);\nconsole.log('survived');",
          "console.log('after the fork bomb', kept);",
          'const big = new Float64Array(4e8); // 3.2 GB\nconsole.log(big.length);',
          // Four processes of 400 MB each: each under RLIMIT_DATA, together past the 1024 MB.
          "for (let i = 0; i < 4; i++) cp.spawn(process.execPath, ['-e', 'const b = Buffer.alloc(4e8, 1); setTimeout(() => {}, 60000)']);\nawait sleep(60_000);\nconsole.log('survived');",
          'const xs: number[][] = [];\nfor (;;) xs.push(new Array(1e6).fill(1.5));',
          "fs.writeFileSync('big', Buffer.alloc(200e6));",
          "for (let i = 0; i < 5; i++) fs.writeFileSync(`part${i}`, Buffer.alloc(30e6));",
          "for (let i = 0; i < 5; i++) fs.writeFileSync(`/tmp/part${i}`, Buffer.alloc(30e6));",
          "console.log('the end', kept);",
        ),
        { ...SLOW, ...limits, cwd: cwds[0], isolation: 'bubblewrap' },
      ),
      executeNotebook(
        notebook(
          'const t0 = Date.now();\nconst times: number[] = [];\n' +
            'while (Date.now() - t0 < 25_000) { const s = Date.now(); let x = 0; for (let i = 0; i < 5e7; i++) x += i % 7; times.push(Date.now() - s); }\n' +
            'console.log(JSON.stringify({ start: t0, end: Date.now(), max: Math.max(...times), units: times.length }));',
        ),
        { ...SLOW, ...limits, cwd: cwds[1], isolation: 'bubblewrap' },
      ),
    ]);
  });
  const cell = (n: number): CellRun => hostile.cells[n - 1];

  test('a fork bomb is stopped at the process limit, with the reason; the next cells run in a fresh kernel', () => {
    assert.equal(cell(2).status, 'dead', show(cell(2)));
    assert.equal(cell(2).limit, 'processes');
    assert.match(cell(2).reason ?? '', /more than 16 processes .* and was stopped; the kernel was restarted/);
    assert.ok(cell(2).seconds < 20, `${cell(2).seconds} s: the cell was not stopped before its own 20 s sleep ended`);
    assert.equal(printed(cell(3)), 'after the fork bomb 1\n', show(cell(3)));
  });

  test('the kernel beside the fork bomb finished its work, unharmed', () => {
    // How fast it ran is the machine's business (no timed assertions here: npm run bench measures speed);
    // that it ran to its end, with the bomb stopped at the process limit, is this test's.
    const times = json(neighbour.cells[0]) as { start: number; end: number; max: number; units: number };
    assert.equal(neighbour.cells[0].status, 'ok', show(neighbour.cells[0]));
    assert.ok(times.units > 0, 'the neighbour did some work');
    assert.equal(cell(2).limit, 'processes');
  });

  test('a 3.2 GB allocation fails in the cell, reported as the memory limit; the kernel lives on', () => {
    assert.equal(cell(4).status, 'error', show(cell(4)));
    assert.equal(cell(4).limit, 'memory');
    assert.match(cell(4).reason ?? '', /more memory than the kernel's limit of 1024 MB/);
  });

  test('processes that together pass the memory limit are all stopped, with the reason', () => {
    assert.equal(cell(5).status, 'dead', show(cell(5)));
    assert.equal(cell(5).limit, 'memory');
    assert.match(cell(5).reason ?? '', /used more than its 1024 MB of memory .* and was stopped/);
  });

  test('a JavaScript heap grown to the limit kills the kernel, reported as memory', () => {
    assert.equal(cell(6).status, 'dead', show(cell(6)));
    assert.equal(cell(6).limit, 'memory');
  });

  test('a 200 MB file fails at the 100 MB file limit (EFBIG, not a killed kernel)', () => {
    assert.equal(cell(7).status, 'error', show(cell(7)));
    assert.equal(cell(7).limit, 'file-size');
    assert.match(cell(7).errorText ?? '', /EFBIG/);
  });

  test('cwd and /tmp are 100 MB each: filling them fails with ENOSPC, reported as disk', () => {
    for (const n of [8, 9]) {
      assert.equal(cell(n).status, 'error', show(cell(n)));
      assert.equal(cell(n).limit, 'disk');
      assert.match(cell(n).errorText ?? '', /ENOSPC/);
    }
  });

  test('after all that the notebook runs to its end', () => {
    assert.equal(printed(cell(10)), 'the end 1\n', show(cell(10)));
    assert.equal(hostile.kernelRestarts, 3);
  });
});

describe('limits without a sandbox (isolation none)', { timeout: 300_000 }, () => {
  const cwd = temp('maml-lab-unsandboxed-');
  const marker = '61.4242'; // a `sleep` argument no other process has
  let run: NotebookRun;
  after(() => fs.rmSync(cwd, { recursive: true, force: true }));
  before(async () => {
    run = await executeNotebook(
      notebook(
        "console.log('a'.repeat(6000));",
        "console.log('b'.repeat(6000));",
        "console.log('c');",
        "let kept = 1;\nimport fs from 'fs';\nimport cp from 'child_process';",
        // Detached and unreferenced: without the subreaper they would outlive the kernel.
        `for (let i = 0; i < 200; i++) cp.spawn('sleep', ['${marker}'], { detached: true, stdio: 'ignore' }).unref();\nawait new Promise((r) => setTimeout(r, 20_000));`,
        'const big = new Float64Array(4e8);',
        "fs.writeFileSync('big', Buffer.alloc(200e6));",
        "console.error('after', kept);",
      ),
      { ...SLOW, cwd, isolation: 'none', maxTotalOutputBytes: 10_000, maxOutputBytes: 8000 },
    );
  });
  const cell = (n: number): CellRun => run.cells[n - 1];

  test("the run's output budget: the cell that spends it is cut, the ones after it print nothing", () => {
    assert.equal(cell(1).truncated, false);
    assert.equal(cell(1).limit, undefined);
    // 6001 bytes (with the newline) in cell 1 leave 3999 of the 10 000, less than cell 2's own 8000.
    assert.equal(printed(cell(2)), 'b'.repeat(3999), "the run's budget, not the cell's, cut cell 2");
    assert.equal(cell(2).limit, 'output');
    assert.match(cell(2).reason ?? '', /output budget of 10000 bytes is spent/);
    assert.equal(printed(cell(3)), '');
    assert.equal(cell(3).truncated, true);
    assert.equal(cell(3).limit, 'output');
  });

  test('a fork bomb is stopped, and none of its detached processes outlives it', () => {
    assert.equal(cell(5).status, 'dead', show(cell(5)));
    assert.equal(cell(5).limit, 'processes');
    const left = fs.readdirSync('/proc').filter((p) => /^\d+$/.test(p)).filter((p) => {
      try {
        return fs.readFileSync(`/proc/${p}/cmdline`, 'utf8').includes(marker);
      } catch {
        return false;
      }
    });
    assert.deepEqual(left, []);
  });

  test('RLIMIT_DATA and RLIMIT_FSIZE still apply: a 3.2 GB allocation and a 200 MB file fail, with the reasons', () => {
    assert.equal(cell(6).status, 'error', show(cell(6)));
    assert.equal(cell(6).limit, 'memory');
    assert.equal(cell(7).status, 'error', show(cell(7)));
    assert.equal(cell(7).limit, 'file-size');
    assert.equal(fs.statSync(path.join(cwd, 'big')).size, 100 * 1024 * 1024, 'the write stopped at the limit');
    assert.equal(printed(cell(8), 'stderr'), '', 'output past the budget is dropped, stderr too');
    assert.equal(cell(8).status, 'ok');
  });
});

describe("isolation 'auto' where bwrap does not work", { timeout: 300_000 }, () => {
  // A bwrap that fails as it does in a container without user namespaces, first in PATH.
  const fake = temp('maml-lab-fake-bwrap-');
  const PATH = `${fake}${path.delimiter}${process.env.PATH}`;
  after(() => fs.rmSync(fake, { recursive: true, force: true }));
  before(() => {
    fs.writeFileSync(path.join(fake, 'bwrap'), '#!/bin/sh\necho "bwrap: No permissions to create new namespace" >&2\nexit 1\n', { mode: 0o755 });
  });

  test('sandboxProblem says why, the same probe the executor uses', async () => {
    if (noBwrap === undefined) assert.equal(await sandboxProblem(), undefined, 'bwrap works here');
    const saved = process.env.PATH;
    process.env.PATH = PATH;
    try {
      assert.match((await sandboxProblem()) ?? '', /bwrap does not work here: bwrap: No permissions to create new namespace/);
    } finally {
      process.env.PATH = saved;
    }
  });

  test('a library run falls back to none and says why in isolationNote', async () => {
    const cwd = temp('maml-lab-fallback-');
    const saved = process.env.PATH;
    process.env.PATH = PATH;
    // executeNotebook starts the executor (and reads PATH) before its first await.
    const pending = executeNotebook(notebook('console.log(6 * 7);'), { ...SLOW, cwd, isolation: 'auto' });
    process.env.PATH = saved;
    const run = await pending;
    fs.rmSync(cwd, { recursive: true, force: true });
    assert.equal(run.isolation, 'none');
    assert.match(run.isolationNote ?? '', /^isolation 'auto' fell back to none: bwrap does not work here: bwrap: No permissions/);
    assert.equal(printed(run.cells[0]), '42\n', JSON.stringify({ startupError: run.startupError, cell: run.cells[0] }));
  });

  test('a limit that is not a positive whole number is refused, naming it', async () => {
    for (const [key, value] of [['memoryLimitMb', 0], ['processLimit', 1.5], ['fileLimitMb', -1], ['maxTotalOutputBytes', Number.NaN]] as const) {
      await assert.rejects(executeNotebook(notebook('1'), { ...SLOW, cwd: fake, [key]: value }), new RegExp(`${key} must be a positive whole number`));
    }
  });

  test('`maml-lab grade` refuses (exit 2) before running anything, naming the reason and --isolation none', () => {
    const out = path.join(fake, 'out');
    const cli = spawnSync(process.execPath, [path.join(packageRoot, 'bin', 'maml-lab.js'), 'grade', 'hw.ipynb', 'alice.ipynb', '--out', out], {
      env: { ...process.env, PATH },
      encoding: 'utf8',
    });
    assert.equal(cli.status, 2, cli.stderr);
    assert.match(cli.stderr, /cannot sandbox the students' kernels: bwrap does not work here: bwrap: No permissions to create new namespace\./);
    assert.match(cli.stderr, /pass --isolation none to grade without a sandbox/);
    assert.equal(fs.existsSync(out), false);
  });
});
