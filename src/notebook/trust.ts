/**
 * Jupyter's notebook trust, for the notebooks it cannot matter for. Trust decides whether a notebook's saved
 * HTML and JavaScript outputs render when it is opened; a notebook with no outputs (ours are committed
 * without) has nothing it could decide, yet the server logs "Notebook … is not trusted" for every one a
 * reader opens. `startLab` signs those before it starts, so `npm start`'s terminal shows only what matters.
 * A notebook with outputs is left as it is: whether to trust it stays the user's decision.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { jupyterEnv, venvBin } from './venv';

/** Folders never searched: hidden ones (.git, .ipynb_checkpoints, .venv) and installed packages. */
const SKIPPED = /^(\..*|node_modules)$/;

function hasOutputs(file: string): boolean {
  try {
    const notebook = JSON.parse(fs.readFileSync(file, 'utf8')) as { cells?: { outputs?: unknown[] }[] };
    if (!Array.isArray(notebook.cells)) return true;
    return notebook.cells.some((cell) => Array.isArray(cell.outputs) && cell.outputs.length > 0);
  } catch {
    // Not a notebook Jupyter could open either: leave it alone.
    return true;
  }
}

/**
 * The notebooks under `dir` (its subfolders too) with no saved output in any cell. A folder that cannot be
 * read, or vanishes while it is searched, is skipped.
 *
 * @example
 * import fs from 'node:fs';
 * import os from 'node:os';
 * import path from 'node:path';
 * import { outputFreeNotebooks } from './trust';
 * const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'trust-'));
 * fs.writeFileSync(path.join(dir, 'clean.ipynb'), JSON.stringify({ cells: [{ cell_type: 'code', outputs: [] }] }));
 * fs.writeFileSync(path.join(dir, 'ran.ipynb'), JSON.stringify({ cells: [{ cell_type: 'code', outputs: [{ output_type: 'stream' }] }] }));
 * outputFreeNotebooks(dir).map((f) => path.basename(f)) // ["clean.ipynb"]
 */
export function outputFreeNotebooks(dir: string): string[] {
  const found: string[] = [];
  let entries: fs.Dirent[];
  try {
    entries = fs.readdirSync(dir, { withFileTypes: true });
  } catch {
    // A folder removed while we walk (a shared root such as /tmp) or one we may not read: nothing to sign there.
    // Only `dir` itself must exist, and startLab checks that first.
    return found;
  }
  for (const entry of entries) {
    const file = path.join(dir, entry.name);
    if (entry.isDirectory() && !SKIPPED.test(entry.name)) found.push(...outputFreeNotebooks(file));
    else if (entry.isFile() && entry.name.endsWith('.ipynb') && !hasOutputs(file)) found.push(file);
  }
  return found.sort();
}

/**
 * Signs the output-free notebooks under `dir` in the venv's trust database (`jupyter trust`); returns
 * them. The files are not changed. A failure is not worth refusing to start over: it returns [] and the
 * server logs its warnings as before.
 *
 * @example
 * import fs from 'node:fs';
 * import os from 'node:os';
 * import path from 'node:path';
 * import { trustOutputFreeNotebooks } from './trust';
 * const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'trust-'));
 * fs.writeFileSync(path.join(dir, 'clean.ipynb'), JSON.stringify({ cells: [], metadata: {}, nbformat: 4, nbformat_minor: 5 }));
 * trustOutputFreeNotebooks(dir).length // 1
 */
export function trustOutputFreeNotebooks(dir: string): string[] {
  const notebooks = outputFreeNotebooks(dir);
  if (notebooks.length === 0) return [];
  const run = spawnSync(venvBin('jupyter'), ['trust', ...notebooks], { env: jupyterEnv(), encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  return run.status === 0 ? notebooks : [];
}
