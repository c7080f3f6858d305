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

/** What `ready()` chose, and why: shown by `maml-lab --version` and the notebook banner. */
export interface EngineInfo {
  backend: BackendName;
  tfjsVersion: string;
  reason: string;
}

let chosen: Promise<EngineInfo> | undefined;
let current: EngineInfo | undefined;

function tryRegister(name: BackendName): boolean {
  try {
    if (name === 'tensorflow') require('@tensorflow/tfjs-node');
    if (name === 'wasm') require('@tensorflow/tfjs-backend-wasm');
    return tf.findBackendFactory(name) !== null;
  } catch {
    return false;
  }
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
 * The cpu backend prints an advert for tfjs-node on first use; maml-lab already says which backend runs
 * and why, so the advert is silenced (tfjs's PROD flag only mutes its warnings and skips debug checks).
 */
function quietCpuNotice(name: BackendName): void {
  if (name === 'cpu') tf.env().set('PROD', true);
}

async function choose(): Promise<EngineInfo> {
  const forced = requestedBackend();
  if (forced !== undefined) {
    if (!tryRegister(forced) || !(await tf.setBackend(forced))) {
      const hint = forced === 'tensorflow' ? ' (@tensorflow/tfjs-node is optional and did not install here)' : '';
      throw new Error(`MAML_LAB_BACKEND=${forced}, but that backend could not start${hint}.`);
    }
    quietCpuNotice(forced);
    return { backend: forced, tfjsVersion: tf.version.tfjs, reason: 'forced by MAML_LAB_BACKEND' };
  }
  for (const name of BACKENDS) {
    if (tryRegister(name) && (await tf.setBackend(name))) {
      quietCpuNotice(name);
      const reason =
        name === 'tensorflow' ? '@tensorflow/tfjs-node is installed'
        : name === 'wasm' ? 'the default; @tensorflow/tfjs-node is not installed'
        : 'the fallback; neither tfjs-node nor wasm could start';
      return { backend: name, tfjsVersion: tf.version.tfjs, reason };
    }
  }
  throw new Error('No tfjs backend could start (tried tensorflow, wasm, cpu).');
}

/**
 * Chooses and initialises the tfjs backend once: `@tensorflow/tfjs-node` when it installed, else wasm,
 * else cpu; `MAML_LAB_BACKEND=wasm|cpu|tensorflow` forces one. Await it before any tensor work.
 *
 * @example
 * import { ready } from 'maml-lab/meta';
 * const info = await ready();
 * console.log(`${info.backend}: ${info.reason}`); // e.g. wasm: the default; @tensorflow/tfjs-node is not installed
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
