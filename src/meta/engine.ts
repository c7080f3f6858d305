import * as tf from '@tensorflow/tfjs';

/** The tfjs backends maml-lab knows how to run on, fastest first. */
export type BackendName = 'tensorflow' | 'wasm' | 'cpu';

const BACKENDS: readonly BackendName[] = ['tensorflow', 'wasm', 'cpu'];

/**
 * The installed maml-lab version (from package.json).
 *
 * @example
 * import { packageVersion } from 'maml-lab/meta';
 * packageVersion(); // e.g. "0.1.0"
 */
export function packageVersion(): string {
  return (require('../../package.json') as { version: string }).version;
}

/**
 * What computes meta-gradients, Hessians, training and evaluation: the hand-derived wasm kernel
 * (maml-lab/kernel, for MLPs with the MSE loss) or tfjs autodiff (any loss).
 */
export type EngineName = 'kernel' | 'tfjs';

const ENGINES: readonly EngineName[] = ['kernel', 'tfjs'];

/** What `ready()` chose, and why: shown by `maml-lab --version` and the notebook banner. */
export interface EngineInfo {
  backend: BackendName;
  tfjsVersion: string;
  reason: string;
  /** The engine for MLPs with the MSE loss (custom losses always run on tfjs), and why. */
  engine: EngineName;
  engineReason: string;
}

let chosen: Promise<EngineInfo> | undefined;
let current: EngineInfo | undefined;

/**
 * What tfjs-node's TensorFlow is told before it loads, unless the variable is already set: log only
 * errors (its C++ logging goes straight to the process's stderr, past any JavaScript capture), and leave
 * oneDNN's custom operations off. With them on, TensorFlow announces them on stderr whatever the log
 * level, and warns that they reorder floating-point sums; off, it prints nothing at start-up, and
 * maml-lab's many small ops run faster (bench/README.md). Set either variable yourself (before
 * `ready()`) to choose otherwise: TF_CPP_MIN_LOG_LEVEL=0 shows everything.
 */
export const TENSORFLOW_ENV_DEFAULTS: Readonly<Record<string, string>> = { TF_CPP_MIN_LOG_LEVEL: '2', TF_ENABLE_ONEDNN_OPTS: '0' };

/** Why each backend that was tried could not register (its load error), for the messages below. */
const loadErrors: Partial<Record<BackendName, string>> = {};

function tryRegister(name: BackendName): boolean {
  try {
    if (name === 'tensorflow') {
      for (const [key, value] of Object.entries(TENSORFLOW_ENV_DEFAULTS)) process.env[key] ??= value;
      require('@tensorflow/tfjs-node');
    }
    if (name === 'wasm') require('@tensorflow/tfjs-backend-wasm');
    return tf.findBackendFactory(name) !== null;
  } catch (error) {
    loadErrors[name] = String((error as Error).message ?? error).split('\n')[0];
    return false;
  }
}

/** The TensorFlow C library under tfjs-node, e.g. "; libtensorflow 2.21.0" (empty if it does not say). */
function libtensorflowVersion(): string {
  const binding = (tf.backend() as unknown as { binding?: { TF_Version?: unknown } }).binding;
  return typeof binding?.TF_Version === 'string' ? `; libtensorflow ${binding.TF_Version}` : '';
}

/** Why tfjs-node is not the backend: absent (npm drops it offline) or present but failing to load. */
function tensorflowAbsence(): string {
  const error = loadErrors.tensorflow;
  if (error === undefined || /Cannot find module '@tensorflow\/tfjs-node'/.test(error)) {
    return '@tensorflow/tfjs-node is not installed (`npm run setup:tfjs-node` adds it)';
  }
  return `@tensorflow/tfjs-node did not load (${error}); \`npm run setup:tfjs-node\` repairs it`;
}

function requestedBackend(): BackendName | undefined {
  const raw = process.env.MAML_LAB_BACKEND;
  if (raw === undefined || raw === '') return undefined;
  if (!(BACKENDS as readonly string[]).includes(raw)) {
    throw new Error(`MAML_LAB_BACKEND=${raw} is not a backend maml-lab knows; use one of ${BACKENDS.join(', ')}.`);
  }
  return raw as BackendName;
}

/**
 * The engine MAML_LAB_ENGINE forces, if any (read here only, like MAML_LAB_BACKEND); an unknown value is an
 * error that lists the known ones.
 *
 * @example
 * import { requestedEngine } from 'maml-lab/meta';
 * requestedEngine(); // e.g. undefined: the kernel for MLPs, tfjs for custom losses
 */
export function requestedEngine(): EngineName | undefined {
  const raw = process.env.MAML_LAB_ENGINE;
  if (raw === undefined || raw === '') return undefined;
  if (!(ENGINES as readonly string[]).includes(raw)) {
    throw new Error(`MAML_LAB_ENGINE=${raw} is not an engine maml-lab knows; use one of ${ENGINES.join(', ')}.`);
  }
  return raw as EngineName;
}

/**
 * Which engine runs a computation: `option` when given (an `engine` argument), else MAML_LAB_ENGINE, else
 * the kernel when it covers the problem (`covered`: an MLP with the MSE loss) and tfjs when not. Asking
 * for the kernel on a problem it does not cover (a custom loss) is an error that says so.
 *
 * @example
 * import { chooseEngine } from 'maml-lab/meta';
 * chooseEngine(true, 'tfjs'); // "tfjs"
 * chooseEngine(false, undefined); // "tfjs"
 * let message = '';
 * try { chooseEngine(false, 'kernel'); } catch (e) { message = (e as Error).message; }
 * message; // "engine 'kernel' computes MLPs with the MSE loss only; this is a custom loss: use engine 'tfjs'"
 */
export function chooseEngine(covered: boolean, option: EngineName | undefined): EngineName {
  if (option !== undefined && !(ENGINES as readonly string[]).includes(option)) {
    throw new RangeError(`engine must be one of ${ENGINES.join(', ')}, got ${JSON.stringify(option)}`);
  }
  const forced = option ?? requestedEngine();
  if (forced === 'kernel' && !covered) throw new RangeError("engine 'kernel' computes MLPs with the MSE loss only; this is a custom loss: use engine 'tfjs'");
  return forced ?? (covered ? 'kernel' : 'tfjs');
}

function engineChoice(): Pick<EngineInfo, 'engine' | 'engineReason'> {
  const forced = requestedEngine();
  if (forced !== undefined) return { engine: forced, engineReason: 'forced by MAML_LAB_ENGINE' };
  return { engine: 'kernel', engineReason: 'the default for MLPs with the MSE loss (wasm SIMD, float32); tfjs for custom losses' };
}

/**
 * The cpu backend prints an advert for tfjs-node on first use; maml-lab already says which backend runs
 * and why, so the advert is silenced (tfjs's PROD flag only mutes its warnings and skips debug checks).
 */
function quietCpuNotice(name: BackendName): void {
  if (name === 'cpu') tf.env().set('PROD', true);
}

async function choose(): Promise<EngineInfo> {
  requestedEngine(); // a bad MAML_LAB_ENGINE fails here, before any work
  const forced = requestedBackend();
  if (forced !== undefined) {
    if (!tryRegister(forced) || !(await tf.setBackend(forced))) {
      const hint = forced === 'tensorflow' ? `: ${tensorflowAbsence()}` : loadErrors[forced] ? ` (${loadErrors[forced]})` : '';
      throw new Error(`MAML_LAB_BACKEND=${forced}, but that backend could not start${hint}.`);
    }
    quietCpuNotice(forced);
    const library = forced === 'tensorflow' ? libtensorflowVersion() : '';
    return { backend: forced, tfjsVersion: tf.version.tfjs, reason: `forced by MAML_LAB_BACKEND${library}`, ...engineChoice() };
  }
  for (const name of BACKENDS) {
    if (tryRegister(name) && (await tf.setBackend(name))) {
      quietCpuNotice(name);
      const reason =
        name === 'tensorflow' ? `@tensorflow/tfjs-node is installed${libtensorflowVersion()}`
        : name === 'wasm' ? `the default; ${tensorflowAbsence()}`
        : 'the fallback; neither tfjs-node nor wasm could start';
      return { backend: name, tfjsVersion: tf.version.tfjs, reason, ...engineChoice() };
    }
  }
  throw new Error('No tfjs backend could start (tried tensorflow, wasm, cpu).');
}

/**
 * Chooses and initialises the tfjs backend once: `@tensorflow/tfjs-node` when it loads, else wasm,
 * else cpu; `MAML_LAB_BACKEND=wasm|cpu|tensorflow` forces one. Await it before any tensor work. Before
 * loading tfjs-node it sets TENSORFLOW_ENV_DEFAULTS for the variables that are unset, so TensorFlow
 * prints nothing at start-up.
 *
 * @example
 * import { ready } from 'maml-lab/meta';
 * const info = await ready();
 * console.log(`${info.backend}: ${info.reason}`); // e.g. tensorflow: @tensorflow/tfjs-node is installed; libtensorflow 2.21.0
 */
export function ready(): Promise<EngineInfo> {
  chosen ??= choose().then((info) => (current = info));
  return chosen;
}

/**
 * The backend `ready()` chose; throws a message that says what to do when it has not been awaited yet,
 * rather than tfjs's own error from deep inside a kernel.
 *
 * @example
 * import { engineInfo, ready } from 'maml-lab/meta';
 * await ready();
 * engineInfo().backend; // e.g. 'wasm'
 */
export function engineInfo(): EngineInfo {
  if (current === undefined) {
    throw new Error('maml-lab: the tfjs backend is not initialised yet; run `await ready()` first.');
  }
  return current;
}
