import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { packageVersion, ready } from '../meta/engine';
import { verifyDerivation } from '../derivations/derivation';
import { mamlDerivation } from '../derivations/maml';
import { deriveSymbolically } from '../derivations/symbolic';
import { writeStudentVersion } from './assign';
import { readAssignmentFile } from '../homework/assignment';
import { lintAssignment, type LintReport } from '../homework/lint';
import { assignmentTemplate } from '../homework/template';
import { executeNotebook } from '../notebook/execute';
import { checkTable, reproduceTable, spreadTable, stepTable, textTable } from './format';
import { COMMAND_HELP, USAGE } from './help';
import { hessianJson, hessianText, runHessian } from './hessian';
import { runMetagrad } from './metagrad';
import { doctorJson, doctorText, runDoctor } from './doctor';
import { gradeCommand, GradeUsageError } from './grade';
import { publishedSinusoid, reproduceSinusoid, SINUSOID_PROTOCOLS, SINUSOID_REFERENCES, sinusoidEngine, sinusoidSeedSpread, type SinusoidProtocol, type SinusoidResults, type SinusoidTest } from '../meta/sinusoidBenchmark';
import { runProvenance } from '../meta/provenance';
import { progressLine } from '../notebook/progress';
// The student's setup: handing out notebooks with the package, and opening them (src/cli/handout.ts, lab.ts).
import { handoutCommand } from './handout';
import { HandoutUsageError, labCommand, setupCommand } from './lab';

/** A usage mistake: printed with the usage text, exit code 2. */
class UsageError extends Error {}

/** An integer flag's value, or a usage error naming the flag. */
function integerFlag(name: string, raw: string | undefined, min: number): number {
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min) throw new UsageError(`--${name} must be an integer ≥ ${min}, got ${JSON.stringify(raw)}`);
  return n;
}

async function versionLine(): Promise<string> {
  const info = await ready();
  return `maml-lab ${packageVersion()} (tfjs ${info.tfjsVersion}, backend ${info.backend}: ${info.reason}; engine ${info.engine}: ${info.engineReason})`;
}

async function verify(args: string[]): Promise<number> {
  const { values } = parseArgs({ args, options: { steps: { type: 'string', default: '2' }, json: { type: 'boolean' }, verbose: { type: 'boolean' } } });
  const steps = integerFlag('steps', values.steps, 1);
  await ready();
  const result = verifyDerivation(mamlDerivation({ steps }));
  if (values.json) {
    const out = {
      steps: result.steps.map((s) => ({
        id: s.id,
        title: s.title,
        tex: s.tex,
        checks: s.checks.map((c) => ({
          name: c.name,
          instance: c.instance,
          routes: c.routes,
          maxAbsError: c.maxAbsError,
          maxRelError: c.maxRelError,
          tolerance: c.tolerance.relative,
          toleranceRationale: c.tolerance.rationale,
          pass: c.pass,
          ...(c.note ? { note: c.note } : {}),
        })),
      })),
      pass: result.pass,
    };
    console.log(JSON.stringify(out, null, 2));
  } else {
    console.log(`${await versionLine()}\nThe MAML meta-gradient with k = ${steps}: every line checked on ${new Set(result.steps[0].checks.map((c) => c.instance)).size} instances\n`);
    console.log(stepTable(result.steps));
    const shown = result.steps.flatMap((s) => s.checks).filter((c) => values.verbose || !c.pass);
    if (shown.length > 0) console.log(`\n${checkTable(shown)}`);
    const notes = result.steps.flatMap((s) => s.checks).filter((c) => c.note);
    if (notes.length > 0) console.log(`\nFOMAML on these instances:\n${notes.map((c) => `  ${c.instance}: ${c.note}`).join('\n')}`);
    console.log(result.pass ? '\nall steps verified ✓' : '\nsome steps FAILED ✗');
  }
  return result.pass ? 0 : 1;
}

function readSpec(command: string, file: string | undefined): unknown {
  if (!file) throw new UsageError(`${command} needs --spec FILE (a JSON file; see the README for its fields)`);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new Error(`cannot read --spec ${file}: ${(error as Error).message}`);
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new Error(`--spec ${file} is not valid JSON: ${(error as Error).message}`);
  }
}

async function metagrad(args: string[]): Promise<number> {
  const { values } = parseArgs({ args, options: { spec: { type: 'string' }, json: { type: 'boolean' }, repeat: { type: 'string', default: '0' } } });
  const repeat = integerFlag('repeat', values.repeat, 0);
  const spec = readSpec('metagrad', values.spec);
  await ready();
  const out = runMetagrad(spec, repeat);
  if (values.json) {
    console.log(JSON.stringify(out));
  } else {
    console.log(`loss ${out.loss}  (backend ${out.backend})`);
    out.grads.forEach((g, i) => console.log(`grads[${i}] [${g.shape.join(', ')}]: ${g.values.slice(0, 6).map((v) => v.toPrecision(6)).join(', ')}${g.values.length > 6 ? ', …' : ''}`));
    if (out.cg) console.log(`conjugate gradient: ${out.cg.iterations} iterations, relative residual ${out.cg.relativeResidual.toExponential(2)}`);
    if (out.timing.n > 0) console.log(`median ${out.timing.medianMs.toFixed(2)} ms over ${out.timing.n} runs`);
  }
  return 0;
}

async function hessian(args: string[]): Promise<number> {
  const { values } = parseArgs({ args, options: { spec: { type: 'string' }, json: { type: 'boolean' }, eigen: { type: 'string' } } });
  const eigen = values.eigen === undefined ? undefined : integerFlag('eigen', values.eigen, 1);
  const spec = readSpec('hessian', values.spec);
  await ready();
  const out = runHessian(spec, { eigen });
  if (values.json) {
    // Piece by piece: the dense output of a 2000-parameter model is about 230 MB of JSON.
    for (const piece of hessianJson(out)) process.stdout.write(piece);
    process.stdout.write('\n');
  } else {
    console.log(hessianText(out));
  }
  return 0;
}

/** A JSON file named on the command line, or an error saying which file and why (exit code 1). */
function readJsonFile(file: string): unknown {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new Error(`cannot read ${file}: ${(error as Error).message}`);
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new Error(`${file} is not valid JSON: ${(error as Error).message}`);
  }
}

/** A comma-separated list of positive numbers, or a usage error naming the flag. */
function numberListFlag(name: string, raw: string): number[] {
  const values = raw.split(',').map((v) => Number(v.trim()));
  if (values.length < 2 || values.some((v) => !Number.isFinite(v) || v <= 0)) throw new UsageError(`--${name} must list at least two numbers > 0, e.g. 0.01,0.02,0.04; got ${JSON.stringify(raw)}`);
  return values;
}

function doctor(args: string[]): number {
  const { values, positionals } = parseArgs({ args, allowPositionals: true, options: { json: { type: 'boolean' }, alphas: { type: 'string' } } });
  if (positionals.length !== 1) throw new UsageError('doctor needs one input file: `maml-lab doctor FILE.json [--json] [--alphas A1,A2,…]`');
  const alphas = values.alphas === undefined ? undefined : numberListFlag('alphas', values.alphas);
  const out = runDoctor(readJsonFile(positionals[0]), alphas);
  console.log(values.json ? doctorJson(out) : doctorText(out));
  return 0;
}

/** --shots when not given: what each protocol's source trains with (Li et al.'s Table 1 is trained at K = 5). */
const DEFAULT_SHOTS: Record<SinusoidProtocol, number> = { finn2017: 10, li2017: 5 };

/** Runs `work` with a signal that one Ctrl-C aborts; the listener goes when the work ends, so a later Ctrl-C quits as usual. */
async function interruptible<T>(work: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const controller = new AbortController();
  const abort = () => controller.abort();
  process.once('SIGINT', abort);
  try {
    return await work(controller.signal);
  } finally {
    process.off('SIGINT', abort);
  }
}

async function reproduce(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: { iterations: { type: 'string' }, seed: { type: 'string', default: '0' }, seeds: { type: 'string', default: '1' }, shots: { type: 'string' }, protocol: { type: 'string', default: 'finn2017' }, json: { type: 'boolean' }, parameters: { type: 'boolean' } },
  });
  if (positionals[0] !== 'sinusoid' || positionals.length !== 1) throw new UsageError('reproduce knows one benchmark: `maml-lab reproduce sinusoid`');
  const protocol = values.protocol as SinusoidProtocol;
  // Own keys only: `in` would accept "toString".
  if (!Object.hasOwn(SINUSOID_PROTOCOLS, protocol)) throw new UsageError(`--protocol must be one of ${Object.keys(SINUSOID_PROTOCOLS).join(', ')}, got ${JSON.stringify(protocol)}`);
  const settings = SINUSOID_PROTOCOLS[protocol];
  const iterations = integerFlag('iterations', values.iterations ?? String(settings.paperIterations), 1);
  const firstSeed = integerFlag('seed', values.seed, 0);
  const seedCount = integerFlag('seeds', values.seeds, 1);
  const shots = integerFlag('shots', values.shots ?? String(DEFAULT_SHOTS[protocol]), 1);
  if (values.parameters && !values.json) throw new UsageError('--parameters adds the trained parameters to the JSON: use it with --json');
  await ready();
  // Taken before training: the load average and the state of the checkout when the run started.
  const provenance = runProvenance(sinusoidEngine(protocol));
  const seeds = Array.from({ length: seedCount }, (_, i) => firstSeed + i);
  const runs = await interruptible(async (signal) => {
    const done: Awaited<ReturnType<typeof reproduceSinusoid>>[] = [];
    for (const seed of seeds) {
      if (signal.aborted) break;
      const run = await reproduceSinusoid({
        iterations,
        seed,
        shots,
        protocol,
        signal,
        keepParameters: values.parameters,
        onProgress: values.json ? undefined : (method, p) => process.stderr.write(`\r${progressLine(`${method}, seed ${seed}`, p)}${p.iteration === p.iterations ? '\n' : ''}`),
      });
      done.push(run);
      if (!values.json) {
        console.log(`\nsinusoid (${protocol}), K = ${shots}, seed ${seed}; query MSE ± 95% CI on ${settings.evaluationTasks} held-out tasks${run.interrupted ? ' (stopped early)' : ''}`);
        console.log(reproduceTable(run.results, shots));
      }
    }
    return done;
  });
  const interrupted = runs.length < seeds.length || runs.some((r) => r.interrupted);
  const spread = sinusoidSeedSpread(runs.map((r) => r.results));
  const published = publishedSinusoid(shots, protocol);
  if (values.json) {
    // The JSON keeps the points of each evaluation curve the published tables report, not the whole curve.
    const points = (t: SinusoidTest) => ({ '1': t['1'], '10': t['10'] });
    const summary = (results: SinusoidResults) => Object.fromEntries(
      Object.entries(results).map(([m, r]) => [m, 'error' in r ? r : {
        ...points(r),
        seconds: r.seconds,
        iterations: r.iterations,
        interrupted: r.interrupted,
        ...(r.tested ? { tested: Object.fromEntries(Object.entries(r.tested).map(([k, t]) => [k, points(t)])) } : {}),
        ...(r.parameters ? { parameters: r.parameters } : {}),
      }]),
    );
    console.log(JSON.stringify({
      protocol, shots, iterations, seeds: runs.map((r) => r.seed), interrupted, settings, provenance,
      runs: runs.map((r) => ({ seed: r.seed, interrupted: r.interrupted, results: summary(r.results) })),
      spread, published, reference: SINUSOID_REFERENCES[protocol],
    }, null, 2));
  } else {
    console.log(`\n${provenance.engine} engine, ${provenance.backend} backend, maml-lab ${provenance.version}${provenance.commit ? ` at ${provenance.commit.slice(0, 12)}${provenance.dirty ? ' (uncommitted changes)' : ''}` : ''}`);
    if (runs.length > 1) {
      console.log(`\nover ${runs.length} seeds (${runs.map((r) => r.seed).join(', ')}): query MSE, mean ± standard deviation over seeds (min–max)${interrupted ? ' (stopped early)' : ''}`);
      console.log(spreadTable(spread, shots));
    }
    console.log(`\nreference: ${published}`);
  }
  return runs.some((r) => Object.values(r.results).some((m) => 'error' in m)) ? 1 : 0;
}

function derive(args: string[]): number {
  const { values } = parseArgs({ args, options: { spec: { type: 'string' }, json: { type: 'boolean' } } });
  const result = deriveSymbolically(readSpec('derive', values.spec));
  if (values.json) {
    console.log(JSON.stringify(result, null, 2));
    return result.pass ? 0 : 1;
  }
  for (const step of result.steps) {
    console.log(`${step.title}\n  ${step.tex}`);
    if (step.values && !Array.isArray(step.values)) {
      console.log(`  ${Object.entries(step.values).map(([k, v]) => `${k} = ${v}`).join(', ')}`);
    } else if (step.values) {
      console.log(step.values.map((row) => `  [${row.map((v) => v.toPrecision(8)).join(', ')}]`).join('\n'));
    }
  }
  console.log(`\n${textTable(['param', 'meta-gradient', 'FOMAML'], Object.keys(result.metaGradient).map((p) => [p, String(result.metaGradient[p]), String(result.fomaml[p])]))}`);
  console.log(`\n${checkTable(result.checks)}`);
  console.log(result.pass ? '\nall routes agree ✓' : '\nroutes DISAGREE ✗');
  return result.pass ? 0 : 1;
}

/** Prints a lint report: per question, each wrong answer and the tests that caught it; then the problems. */
function printLint(name: string, report: LintReport): void {
  for (const q of report.questions) {
    console.log(`${name} ${q.id} (${q.points} points, ${q.tests.filter((t) => !t.hidden).length} public and ${q.tests.filter((t) => t.hidden).length} hidden tests):`);
    for (const w of q.wrong) {
      const caught = [w.failedPublic.length > 0 ? `public: ${w.failedPublic.join('; ')}` : '', w.failedHidden.length > 0 ? `hidden: ${w.failedHidden.join('; ')}` : ''].filter(Boolean).join(' | ');
      console.log(`  ${caught === '' ? '✗' : '✓'} ${w.generated ? '' : 'declared: '}${w.name}${caught ? ` — rejected by ${caught}` : ' — passes every test'}`);
    }
  }
  if (report.problems.length > 0) console.log(`\n${name}: ${report.problems.length} problem${report.problems.length === 1 ? '' : 's'}:\n${report.problems.map((p) => `  - ${p}`).join('\n')}`);
  else console.log(`${name}: the tests reject every wrong answer, and the solution passes them all ✓`);
}

async function lintFile(source: string, signal: AbortSignal): Promise<boolean> {
  const { assignment } = readAssignmentFile(source);
  const report = await lintAssignment(assignment, { execute: executeNotebook, signal });
  printLint(path.basename(source), report);
  return report.problems.length === 0;
}

async function lint(args: string[], signal: AbortSignal): Promise<number> {
  const { positionals } = parseArgs({ args, allowPositionals: true, options: {} });
  if (positionals.length === 0 || !positionals.every((p) => p.endsWith('.ipynb'))) throw new UsageError('lint needs one or more assignment notebooks: `maml-lab lint SRC.ipynb [SRC2.ipynb …]`');
  let ok = true;
  for (const source of positionals) ok = (await lintFile(source, signal)) && ok;
  return ok ? 0 : 1;
}

function newAssignment(args: string[]): number {
  const { values, positionals } = parseArgs({ args, allowPositionals: true, options: { questions: { type: 'string' }, title: { type: 'string' } } });
  if (positionals.length !== 1 || !positionals[0].endsWith('.ipynb')) throw new UsageError('new needs the file to write: `maml-lab new FILE.ipynb [--questions N] [--title T]`');
  const [file] = positionals;
  const questions = values.questions === undefined ? 1 : Number(values.questions);
  if (!Number.isInteger(questions) || questions < 1 || questions > 50) throw new UsageError(`--questions must be a whole number from 1 to 50, got ${JSON.stringify(values.questions)}`);
  const notebook = assignmentTemplate(values.title ?? path.basename(file, '.ipynb'), questions);
  // 'wx': never overwrite what a user wrote.
  try {
    writeFileSync(file, `${JSON.stringify(notebook, null, 1)}\n`, { flag: 'wx' });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') throw new Error(`${file} exists; choose another name`);
    throw error;
  }
  console.log(`wrote ${file}: ${questions} question${questions === 1 ? '' : 's'}; edit it in JupyterLab, then \`maml-lab lint ${file}\``);
  return 0;
}

async function assign(args: string[], signal: AbortSignal): Promise<number> {
  const { values, positionals } = parseArgs({ args, allowPositionals: true, options: { force: { type: 'boolean' }, 'no-lint': { type: 'boolean' } } });
  if (positionals.length !== 2) throw new UsageError('assign needs SRC.ipynb and OUTDIR: `maml-lab assign SRC.ipynb OUTDIR [--force] [--no-lint]`');
  const [source, outDir] = positionals;
  if (!source.endsWith('.ipynb')) throw new UsageError(`SRC must be a .ipynb notebook, got ${JSON.stringify(source)}`);
  // An assignment whose tests cannot tell right from wrong is not handed out: lint first.
  if (!values['no-lint'] && !(await lintFile(source, signal))) {
    console.error('maml-lab: not written: fix the problems above (or pass --no-lint to hand it out anyway)');
    return 1;
  }
  const out = writeStudentVersion(source, outDir, { force: values.force });
  const questions = out.questions.map((q) => `${q.gradeId} (${q.points})`).join(', ');
  console.log(`wrote ${out.file}: ${out.questions.length} graded question${out.questions.length === 1 ? '' : 's'}, ${out.totalPoints} points${questions ? ` [${questions}]` : ''}; ${out.stubs} solution region${out.stubs === 1 ? '' : 's'} replaced by stubs, ${out.hiddenRegions} hidden-test region${out.hiddenRegions === 1 ? '' : 's'} removed, outputs cleared`);
  return 0;
}

/**
 * The `maml-lab` command line; returns the exit code. Errors print as one readable line, never a stack
 * (set MAML_LAB_DEBUG=1 to see it).
 *
 * @example
 * import { main } from './index';
 * // prints the summary table of the one-step derivation; the bin script exits with what main returns
 * await main(['verify', '--steps', '1']); // 0
 */
export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  try {
    const helpFor = command === 'help' ? rest[0] : rest.some((a) => a === '--help' || a === '-h') ? command : undefined;
    if (helpFor !== undefined && helpFor in COMMAND_HELP) {
      console.log(COMMAND_HELP[helpFor as keyof typeof COMMAND_HELP]);
      return 0;
    }
    switch (command) {
      case '--version':
      case '-v':
        console.log(await versionLine());
        return 0;
      case 'verify':
        return await verify(rest);
      case 'derive':
        return derive(rest);
      case 'metagrad':
        return await metagrad(rest);
      case 'hessian':
        return await hessian(rest);
      case 'doctor':
        return doctor(rest);
      case 'reproduce':
        return await reproduce(rest);
      case 'assign':
        return await interruptible((signal) => assign(rest, signal));
      case 'lint':
        return await interruptible((signal) => lint(rest, signal));
      case 'new':
        return newAssignment(rest);
      case 'grade':
        return await interruptible((signal) => gradeCommand(rest, signal));
      // The student's setup.
      case 'handout':
        return handoutCommand(rest);
      case 'setup':
        return setupCommand(rest);
      case 'lab':
        return await labCommand(rest);
      case undefined:
      case '--help':
      case '-h':
      case 'help':
        console.log(USAGE);
        return command === undefined ? 2 : 0;
      default:
        throw new UsageError(`unknown command "${command}"`);
    }
  } catch (error) {
    const e = error as Error & { code?: string };
    if (error instanceof UsageError || error instanceof GradeUsageError || error instanceof HandoutUsageError || e.code?.startsWith('ERR_PARSE_ARGS')) {
      console.error(`maml-lab: ${e.message}\n\n${USAGE}`);
      return 2;
    }
    console.error(`maml-lab: ${e.message}`);
    if (process.env.MAML_LAB_DEBUG) console.error(e.stack);
    return 1;
  }
}
