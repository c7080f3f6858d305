/**
 * Instruction counts of the kernel's benchmark cases: a figure that a shared, noisy machine does not move
 * (issue 19). Wall-clock medians on this machine swing 0.6–1.8× from round to round with the load; the
 * number of instructions a call executes does not depend on who else wants the core.
 *
 *   npx tsx bench/instructions.ts [--cases exact-1,first-order-1,exact-5,hessian] [--repeats 2] [--build DIR]
 *                                 [--calls N1,N2] [--warmup W] [--out FILE] [--json]
 *
 * The machine has no hardware counters (`perf stat` reports `instructions:u` as not supported), so the
 * counts come from Valgrind's callgrind, which runs the process on a simulated CPU and counts every
 * instruction it executes (`Ir`), JIT-compiled code included (Valgrind's default `--smc-check=all-non-file`
 * re-translates code written at run time, which is how V8's wasm and JS code appears).
 *
 * For each case a small driver process (this file with `--driver`: Node and the kernel alone, no tfjs)
 * loads the kernel of DIR's build (dist/kernel, as bench/kernel-ab.ts does), warms up, then makes N calls of
 * one case. It runs twice under callgrind, with N1 and N2 calls; (count₂ − count₁) / (N2 − N1) is the
 * instructions of one call, start-up, compilation and warm-up cancelled. `--repeats` does it again to show
 * how repeatable the figure is (the spread: (max − min) / median). Beside each count, the same driver times
 * the case natively (median ms of the measured calls), so the two can be read together.
 *
 * Cases: the sinusoid meta-gradient (25 tasks, K = 10, MLP 1-40-40-1 ReLU, `init(0)`, seed 0: bench/run.ts's
 * inputs) through `kernelMetaGradient` on flat arrays, exact 1-step, first-order 1-step and exact 5-step;
 * and the 1761 × 1761 Hessian of one task's support MSE (bench/hessian.ts's inputs) through `kernelHessian`,
 * the kernel route of `lossHessian`.
 *
 * The driver runs with V8's `--predictable --no-liftoff` under Valgrind (see DRIVER_V8_FLAGS): without them
 * the count per call moved by 3–25% between repeats; with them, by a few thousandths of a percent.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os, { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';

type KernelModule = typeof import('../src/kernel');

/** The cases, their calls per driver run (N1, N2), and their warm-up calls. */
const CASES = {
  'exact-1': { kind: 'meta', options: { method: 'maml', steps: 1, alpha: 0.01 }, calls: [10, 60], warmup: 20 },
  'first-order-1': { kind: 'meta', options: { method: 'fomaml', steps: 1, alpha: 0.01 }, calls: [10, 60], warmup: 20 },
  'exact-5': { kind: 'meta', options: { method: 'maml', steps: 5, alpha: 0.01 }, calls: [4, 24], warmup: 10 },
  hessian: { kind: 'hessian', calls: [1, 4], warmup: 3 },
} as const;
type CaseName = keyof typeof CASES;

const root = path.resolve(__dirname, '..');

/**
 * V8's flags for the driver under Valgrind. Without them the same run counted 13.1–17.2 M instructions
 * per exact-1 call: V8 compiles (wasm tier-up, JS optimisation) and collects garbage on background threads
 * and on wall-clock timers, and under Valgrind, whose speed follows the machine's load, that work lands in
 * the measured calls or not. `--predictable` puts all of it on the main thread on a fixed schedule;
 * `--no-liftoff` compiles the wasm with the optimising compiler from the start, so the measured calls run
 * the code a warmed-up process runs, whatever the warm-up length. (Native timing uses Node's defaults.)
 */
const DRIVER_V8_FLAGS = ['--predictable', '--no-liftoff'];

/**
 * The total instruction count (`Ir`) of a callgrind output file: its `totals:` line (or `summary:`, which
 * older files carry instead), read in the column that the `events:` line gives to Ir.
 *
 * @example
 * import { callgrindTotal } from './instructions';
 * callgrindTotal('version: 1\ncreator: callgrind-3.19.0\nevents: Ir\nsummary: 987925805\nfn=(1) main\n5 12\ntotals: 987925805\n'); // 987925805
 * callgrindTotal('events: Dr Ir\ntotals: 40 1234\n'); // 1234
 */
export function callgrindTotal(text: string): number {
  const events = /^events:\s*(.+)$/m.exec(text);
  if (!events) throw new Error('the callgrind output has no "events:" line: not a callgrind.out file?');
  const column = events[1].trim().split(/\s+/).indexOf('Ir');
  if (column < 0) throw new Error(`the callgrind output does not count instructions (events: ${events[1].trim()}); run callgrind without --collect-systime-only or event options`);
  const line = /^totals:\s*(.+)$/m.exec(text) ?? /^summary:\s*(.+)$/m.exec(text);
  if (!line) throw new Error('the callgrind output has no "totals:" or "summary:" line: did the run end early?');
  const value = Number(line[1].trim().split(/\s+/)[column]);
  if (!Number.isSafeInteger(value) || value < 0) throw new Error(`the callgrind total "${line[1].trim()}" is not a count in column ${column}`);
  return value;
}

/** One driver run under callgrind: how many measured calls it made and how many instructions it executed. */
export interface CountedRun {
  calls: number;
  instructions: number;
}

/**
 * Instructions per call from two driver runs that differ only in their number of measured calls: the
 * difference cancels everything both runs did once (Node's start-up, loading and compiling the kernel,
 * the warm-up calls).
 *
 * @example
 * import { instructionsPerCall } from './instructions';
 * instructionsPerCall({ calls: 10, instructions: 989_299_420 }, { calls: 110, instructions: 2_303_512_961 }); // 13142135.41
 */
export function instructionsPerCall(fewer: CountedRun, more: CountedRun): number {
  if (!(more.calls > fewer.calls)) throw new RangeError(`the second run must make more calls than the first, got ${fewer.calls} and ${more.calls}`);
  const extra = more.instructions - fewer.instructions;
  if (!(extra > 0)) throw new RangeError(`the run with ${more.calls} calls counted no more instructions (${more.instructions}) than the one with ${fewer.calls} (${fewer.instructions}): the calls were not counted`);
  return extra / (more.calls - fewer.calls);
}

/**
 * How far repeated counts spread: (max − min) / median, the figure the README quotes for repeatability.
 *
 * @example
 * import { relativeSpread } from './instructions';
 * relativeSpread([13.0e6, 13.1e6, 13.2e6]); // ≈ 0.0153
 */
export function relativeSpread(values: readonly number[]): number {
  if (values.length === 0 || !values.every((v) => Number.isFinite(v) && v > 0)) throw new RangeError(`values must be positive finite numbers, got ${JSON.stringify(values)}`);
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  const median = sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
  return (sorted[sorted.length - 1] - sorted[0]) / median;
}

// ------------------------------------------------------------------------------------------------------
// Driver: Node and the kernel only (no tfjs), so that start-up under Valgrind stays short.
// ------------------------------------------------------------------------------------------------------

/** The inputs, flat, as the parent writes them: θ, the 25-task batch, and the Hessian's one task. */
interface Inputs {
  theta: number[];
  support: { x: number[]; y: number[]; tasks: number; points: number };
  query: { x: number[]; y: number[]; tasks: number; points: number };
  hessianPoints: { x: number[]; y: number[]; tasks: number; points: number };
}

function loadKernel(dir: string): KernelModule {
  const entry = path.join(path.resolve(dir), 'dist', 'kernel', 'index.js');
  if (!existsSync(entry)) throw new Error(`${dir} has no dist/kernel/index.js: run \`npm run build\` there first`);
  return require(entry) as KernelModule;
}

/** Warm up, then make `calls` calls of one case; with `time`, print the median ms of those calls as JSON. */
function driver(name: CaseName, calls: number, warmup: number, inputsFile: string, build: string, time: boolean): void {
  const k = loadKernel(build);
  const inputs = JSON.parse(readFileSync(inputsFile, 'utf8')) as Inputs;
  // Float32Array θ and points: what maml-lab/meta's kernel route hands the kernel.
  const f32 = (p: Inputs['support']) => ({ ...p, x: Float32Array.from(p.x), y: Float32Array.from(p.y) });
  const theta = Float32Array.from(inputs.theta);
  const math = k.wasmMath([1, 40, 40, 1], 'relu');
  const c = CASES[name];
  const tasks = { support: f32(inputs.support), query: f32(inputs.query) };
  const points = f32(inputs.hessianPoints);
  const once = c.kind === 'meta' ? () => k.kernelMetaGradient(math, theta, tasks, c.options) : () => k.kernelHessian(math, theta, points);
  for (let i = 0; i < warmup; i++) once();
  const ms: number[] = [];
  for (let i = 0; i < calls; i++) {
    const t0 = process.hrtime.bigint();
    once();
    ms.push(Number(process.hrtime.bigint() - t0) / 1e6);
  }
  if (time) process.stdout.write(`${JSON.stringify({ medianMs: ms.sort((a, b) => a - b)[ms.length >> 1] })}\n`);
}

// ------------------------------------------------------------------------------------------------------
// Parent: inputs, callgrind runs, report.
// ------------------------------------------------------------------------------------------------------

async function writeInputs(dir: string): Promise<string> {
  // Loaded here only: the driver must not pay for tfjs.
  const tf = await import('@tensorflow/tfjs');
  const { mlp, sinusoidTasks, flattenParams, disposeTasks } = await import('../src/meta');
  await tf.setBackend('cpu');
  tf.env().set('PROD', true);
  const params = mlp([1, 40, 40, 1], { activation: 'relu' }).init(0);
  const flat = (set: { x: { dataSync(): ArrayLike<number>; shape: number[] }; y: { dataSync(): ArrayLike<number> } }) => ({
    x: Array.from(set.x.dataSync()),
    y: Array.from(set.y.dataSync()),
    tasks: set.x.shape.length === 3 ? set.x.shape[0] : 1,
    points: set.x.shape.length === 3 ? set.x.shape[1] : set.x.shape[0],
  });
  const batch = sinusoidTasks({ tasks: 25, shots: 10, seed: 0 });
  const one = sinusoidTasks({ tasks: 1, shots: 10, seed: 0 });
  const inputs: Inputs = { theta: Array.from(flattenParams(params).dataSync()), support: flat(batch.support), query: flat(batch.query), hessianPoints: flat(one.support) };
  tf.dispose(params);
  disposeTasks(batch);
  disposeTasks(one);
  const file = path.join(dir, 'inputs.json');
  writeFileSync(file, JSON.stringify(inputs));
  return file;
}

/** How the runs are made: calls (N1, N2) and warm-up calls per driver run, the build and the inputs. */
interface Plan {
  calls: readonly [number, number];
  warmup: number;
  build: string;
  inputsFile: string;
}

/** The driver's command line after `node`: tsx's CommonJS hook only (its ESM loader thread tripled Node's start-up under Valgrind). */
function driverArgs(name: CaseName, calls: number, plan: Plan): string[] {
  return ['--require', 'tsx/cjs', __filename, '--driver', name, '--calls', String(calls), '--warmup', String(plan.warmup), '--inputs', plan.inputsFile, '--build', plan.build];
}

/** One driver run under callgrind: its instruction total. */
function counted(name: CaseName, calls: number, plan: Plan, dir: string): CountedRun {
  const out = path.join(dir, `callgrind.${name}.${calls}.out`);
  const run = spawnSync('valgrind', ['--tool=callgrind', `--callgrind-out-file=${out}`, process.execPath, ...DRIVER_V8_FLAGS, ...driverArgs(name, calls, plan)], { cwd: root, encoding: 'utf8', maxBuffer: 64 << 20 });
  if (run.error) throw new Error(`valgrind could not start (${run.error.message}): install it (Debian: apt-get install valgrind)`);
  if (run.status !== 0) throw new Error(`the ${name} driver failed under valgrind (exit ${run.status}): ${run.stderr.trim().split('\n').slice(-3).join(' | ')}`);
  const total = callgrindTotal(readFileSync(out, 'utf8'));
  rmSync(out);
  return { calls, instructions: total };
}

/** The case timed natively by the same driver: median ms of its N2 measured calls. */
function timed(name: CaseName, plan: Plan): number {
  // At least 50 timed calls: a median of 4 Hessians or 24 exact-5 calls would be too few.
  const run = spawnSync(process.execPath, [...driverArgs(name, Math.max(50, plan.calls[1]), plan), '--time'], { cwd: root, encoding: 'utf8' });
  if (run.status !== 0) throw new Error(`the ${name} driver failed (exit ${run.status}): ${run.stderr.trim().split('\n').slice(-3).join(' | ')}`);
  return (JSON.parse(run.stdout) as { medianMs: number }).medianMs;
}

function parseCases(raw: string | undefined): CaseName[] {
  if (raw === undefined) return Object.keys(CASES) as CaseName[];
  const names = raw.split(',').map((s) => s.trim()).filter(Boolean);
  const unknown = names.filter((n) => !(n in CASES));
  if (names.length === 0 || unknown.length > 0) throw new Error(`--cases takes a comma-separated list of ${Object.keys(CASES).join(', ')}; got ${JSON.stringify(raw)}`);
  return names as CaseName[];
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      cases: { type: 'string' },
      repeats: { type: 'string', default: '2' },
      build: { type: 'string', default: root },
      calls: { type: 'string' },
      warmup: { type: 'string' },
      out: { type: 'string', default: path.join(root, 'bench', 'results', 'instructions.json') },
      json: { type: 'boolean' },
      driver: { type: 'string' },
      inputs: { type: 'string' },
      time: { type: 'boolean' },
    },
  });
  const cases = parseCases(values.driver ?? values.cases);
  if (values.driver !== undefined) {
    if (values.inputs === undefined) throw new Error('--driver needs --inputs FILE (the parent writes it)');
    return driver(cases[0], Number(values.calls ?? 1), Number(values.warmup ?? CASES[cases[0]].warmup), values.inputs, values.build!, values.time === true);
  }
  const repeats = Number(values.repeats);
  if (!Number.isInteger(repeats) || repeats < 1) throw new Error(`--repeats must be an integer ≥ 1, got ${values.repeats}`);
  const build = path.resolve(values.build!);
  const calls = values.calls?.split(',').map(Number);
  if (calls !== undefined && !(calls.length === 2 && calls.every(Number.isInteger) && 0 <= calls[0] && calls[0] < calls[1])) throw new Error(`--calls takes N1,N2 with 0 ≤ N1 < N2, got ${JSON.stringify(values.calls)}`);
  const warmup = values.warmup === undefined ? undefined : Number(values.warmup);
  if (warmup !== undefined && !(Number.isInteger(warmup) && warmup >= 0)) throw new Error(`--warmup must be an integer ≥ 0, got ${values.warmup}`);
  loadKernel(build); // a clear error before any valgrind run
  const log = values.json ? (line: string) => process.stderr.write(`${line}\n`) : (line: string) => console.log(line);
  const version = spawnSync('valgrind', ['--version'], { encoding: 'utf8' });
  if (version.error || version.status !== 0) throw new Error('valgrind is not installed (Debian: apt-get install valgrind); it counts the instructions');

  const dir = mkdtempSync(path.join(tmpdir(), 'maml-lab-instructions-'));
  const inputsFile = await writeInputs(dir);
  const loadStart = os.loadavg();
  const results: Record<string, { perCall: number[]; spread: number; medianMs: number; calls: readonly number[]; warmup: number; runs: CountedRun[][] }> = {};
  for (const name of cases) {
    const plan: Plan = { calls: (calls as [number, number] | undefined) ?? CASES[name].calls, warmup: warmup ?? CASES[name].warmup, build, inputsFile };
    const [n1, n2] = plan.calls;
    // Timed first, natively: this run also fills tsx's cache of the driver's compiled source. A run that
    // missed the cache counted 0.1 G instructions more than one that hit it, more than 50 exact-1 calls.
    const medianMs = timed(name, plan);
    const perCall: number[] = [];
    const runs: CountedRun[][] = [];
    for (let r = 0; r < repeats; r++) {
      const start = Date.now();
      const fewer = counted(name, n1, plan, dir);
      const more = counted(name, n2, plan, dir);
      perCall.push(instructionsPerCall(fewer, more));
      runs.push([fewer, more]);
      log(`${name}, repeat ${r + 1}: ${fewer.instructions} instructions with ${n1} calls, ${more.instructions} with ${n2}: ${(perCall[r] / 1e6).toFixed(3)} M per call (${((Date.now() - start) / 1000).toFixed(0)} s under valgrind)`);
    }
    results[name] = { perCall, spread: relativeSpread(perCall), medianMs, calls: plan.calls, warmup: plan.warmup, runs };
  }
  rmSync(dir, { recursive: true, force: true });
  const report = {
    build,
    valgrind: version.stdout.trim(),
    node: process.version,
    v8Flags: DRIVER_V8_FLAGS,
    loadAverage: { start: loadStart, end: os.loadavg() },
    cases: results,
  };
  mkdirSync(path.dirname(values.out!), { recursive: true });
  writeFileSync(values.out!, `${JSON.stringify(report, null, 2)}\n`);
  if (values.json) {
    console.log(JSON.stringify(report, null, 2));
    return;
  }
  console.log(`\ninstructions per call (callgrind Ir; the difference of two driver runs), kernel of ${build}`);
  console.log(`${'case'.padEnd(15)}${'M instr. per call (each repeat)'.padEnd(40)}${'spread'.padStart(9)}${'median ms'.padStart(12)}`);
  for (const [name, r] of Object.entries(results)) {
    console.log(`${name.padEnd(15)}${r.perCall.map((x) => (x / 1e6).toFixed(3)).join(' / ').padEnd(40)}${`${(r.spread * 100).toFixed(2)}%`.padStart(9)}${r.medianMs.toFixed(3).padStart(12)}`);
  }
  console.log(`load average (1, 5, 15 min): ${report.loadAverage.start.map((l) => l.toFixed(2)).join(', ')} at the start, ${report.loadAverage.end.map((l) => l.toFixed(2)).join(', ')} at the end, on ${os.cpus().length} CPUs (the counts do not depend on it; the ms do)`);
  console.log(`written to ${path.relative(process.cwd(), values.out!)}`);
}

if (require.main === module) {
  main().catch((error) => {
    console.error(`bench/instructions: ${(error as Error).message}`);
    process.exitCode = 1;
  });
}
