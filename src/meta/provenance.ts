import { execFileSync } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import { engineInfo, packageVersion, type BackendName, type EngineName } from './engine';

/** Where a result came from: what computed it, on which code, on which machine, when. */
export interface RunProvenance {
  /** What trained and evaluated: the wasm kernel or tfjs autodiff. */
  engine: EngineName;
  /** The tfjs backend that carried the tensors (and computed everything on the tfjs engine). */
  backend: BackendName;
  tfjsVersion: string;
  /** maml-lab's version (package.json). */
  version: string;
  /** The git commit of the package's checkout; null when it is not a git checkout (an installed package). */
  commit: string | null;
  /** Whether that checkout had uncommitted changes (null without git): a dirty run is not that commit's. */
  dirty: boolean | null;
  cpu: string;
  cores: number;
  node: string;
  platform: string;
  /** When the run started (ISO 8601), and the machine's 1, 5 and 15 minute load averages then. */
  startedAt: string;
  loadAverage: number[];
}

// The package's root: two folders above this file, in src/meta and in dist/meta alike.
const packageRoot = path.resolve(__dirname, '..', '..');

function git(args: string[]): string | null {
  try {
    return execFileSync('git', ['-C', packageRoot, ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return null; // no git, or not a checkout: an installed package
  }
}

/**
 * The provenance of a run about to start on `engine`: the backend `ready()` chose, the package's version
 * and git commit (and whether the checkout was dirty), the CPU, Node and the load average. Await `ready()`
 * first.
 *
 * @example
 * import { ready, runProvenance } from 'maml-lab/meta';
 * await ready();
 * const p = runProvenance('kernel');
 * console.log(`${p.engine} on ${p.backend}, maml-lab ${p.version} at ${p.commit ?? 'no commit'}, ${p.cpu} × ${p.cores}`);
 */
export function runProvenance(engine: EngineName): RunProvenance {
  const info = engineInfo();
  const commit = git(['rev-parse', 'HEAD']);
  const status = commit === null ? null : git(['status', '--porcelain', '--untracked-files=no']);
  const cpus = os.cpus();
  return {
    engine,
    backend: info.backend,
    tfjsVersion: info.tfjsVersion,
    version: packageVersion(),
    commit,
    dirty: status === null ? null : status !== '',
    cpu: cpus[0]?.model.trim() ?? 'unknown',
    cores: cpus.length,
    node: process.version,
    platform: `${os.platform()} ${os.release()} ${os.arch()}`,
    startedAt: new Date().toISOString(),
    loadAverage: os.loadavg().map((x) => Math.round(x * 100) / 100),
  };
}
