/**
 * `npm start`: JupyterLab from .venv on notebooks/, bound to 127.0.0.1, with the tslab kernel.
 *
 *   tsx scripts/lab.ts [--port N]        (or MAML_LAB_PORT=N; default: the first free port from 8888)
 *
 * The server code is the package's (src/notebook/lab.ts), which `maml-lab lab` runs too; this file only
 * picks notebooks/ and reads --port.
 */
import * as lab from '../src/notebook/lab';
import { parsePort, serveLab, type Lab } from '../src/notebook/lab';
import { notebooksDir } from './jupyter';

export { DEFAULT_PORT, findFreePort, LAB_HOST, type Lab } from '../src/notebook/lab';

/** How to start JupyterLab; the folder defaults to notebooks/. */
export type LabOptions = Partial<lab.LabOptions>;

/** The package's startLab (src/notebook/lab.ts), serving notebooks/ unless told otherwise. */
export function startLab(options: LabOptions = {}): Promise<Lab> {
  return lab.startLab({ rootDir: notebooksDir, ...options });
}

/** The port asked for on the command line (`--port N`, `--port=N`) or in MAML_LAB_PORT, if any. */
export function requestedPort(argv: readonly string[], env: NodeJS.ProcessEnv = process.env): number | undefined {
  let port: number | undefined;
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--port') port = parsePort(argv[++i] ?? '', '--port');
    else if (argv[i].startsWith('--port=')) port = parsePort(argv[i].slice('--port='.length), '--port');
    else throw new Error(`unknown argument ${argv[i]}; usage: tsx scripts/lab.ts [--port N]`);
  }
  return port ?? parsePort(env.MAML_LAB_PORT, 'MAML_LAB_PORT');
}

if (require.main === module) {
  serveLab({ rootDir: notebooksDir, port: requestedPort(process.argv.slice(2)) }).then(
    (code) => process.exit(code),
    (error: unknown) => {
      console.error(`lab: ${error instanceof Error ? error.message : String(error)}`);
      process.exit(1);
    },
  );
}
