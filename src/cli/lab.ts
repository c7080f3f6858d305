/**
 * `maml-lab setup` and `maml-lab lab`: the package sets up its own Jupyter and serves a folder, so that an
 * installed maml-lab (a student's handout, a grading machine) needs nothing from a checkout's scripts/.
 */
import path from 'node:path';
import { parseArgs } from 'node:util';
import { parsePort, serveLab } from '../notebook/lab';
import { setupJupyter } from '../notebook/setup';

/** A usage mistake in `setup`, `lab` or `handout`: the command line prints it with the usage, exit code 2. */
export class HandoutUsageError extends Error {}

/** Runs setup with its progress on stderr (stdout stays for the URL); the closing line says what changed. */
function setupWithProgress(): void {
  const started = Date.now();
  const done = setupJupyter((line) => console.error(line));
  const seconds = Math.round((Date.now() - started) / 1000);
  console.error(done.length > 0 ? `setup: ready (${done.join('; ')}; ${seconds} s).` : 'setup: ready.');
}

/**
 * `maml-lab setup`: the venv with JupyterLab and nbclient, the tslab kernelspec and the lab settings, for
 * this installation of the package; idempotent. Returns the exit code.
 *
 * @example
 * import { setupCommand } from './lab';
 * // in a checkout where `npm run setup` has run: prints "setup: ready."
 * setupCommand([]); // 0
 */
export function setupCommand(args: string[]): number {
  parseArgs({ args, options: {} });
  setupWithProgress();
  return 0;
}

/**
 * `maml-lab lab [DIR] [--port N]`: setup, then JupyterLab on DIR (default: the current folder) until
 * Ctrl-C. A handout's `npm start` runs it. Resolves with the exit code.
 *
 * @example
 * import { labCommand } from './lab';
 * // blocks until Ctrl-C, so here only the usage check runs: a second folder is refused
 * await labCommand(['a', 'b']).catch((error: Error) => error.message) // "lab serves one folder: `maml-lab lab [DIR] [--port N]`"
 */
export async function labCommand(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({ args, allowPositionals: true, options: { port: { type: 'string' } } });
  if (positionals.length > 1) throw new HandoutUsageError('lab serves one folder: `maml-lab lab [DIR] [--port N]`');
  const port = parsePort(values.port, '--port') ?? parsePort(process.env.MAML_LAB_PORT, 'MAML_LAB_PORT');
  setupWithProgress();
  return serveLab({ rootDir: path.resolve(positionals[0] ?? '.'), port });
}
