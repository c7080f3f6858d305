/**
 * JupyterLab from the package's venv, bound to 127.0.0.1, with the tslab kernel: what `maml-lab lab` (a
 * student's `npm start` in a handout) and the checkout's `npm start` (scripts/lab.ts) both run.
 * test/jupyter-server.test.ts starts the server exactly this way.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import { trustOutputFreeNotebooks } from './trust';
import { assertSetupDone, jupyterEnv, venvBin } from './venv';

/** Where JupyterLab listens; never a public interface, these sessions run as root. */
export const LAB_HOST = '127.0.0.1';

/** The port tried first when none is given (Jupyter's usual one). */
export const DEFAULT_PORT = 8888;

const STARTUP_TIMEOUT_MS = 60_000;
const STOP_TIMEOUT_MS = 15_000;
const LOG_TAIL_CHARS = 4_000;

/** How to start JupyterLab. */
export interface LabOptions {
  /** The folder JupyterLab serves. */
  rootDir: string;
  /** A fixed port; fails if it is taken. Default: the first free port from 8888. */
  port?: number;
  /** 'inherit' shows Jupyter's log on this terminal (npm start); 'capture' keeps it for errors (tests). */
  log?: 'inherit' | 'capture';
}

/** A running JupyterLab. */
export interface Lab {
  /** Server base URL, e.g. http://127.0.0.1:8888/ (for @jupyterlab/services' baseUrl). */
  baseUrl: string;
  /** The URL to open in a browser, token included. */
  url: string;
  token: string;
  port: number;
  /** The server's process id; its kernels are its children. */
  pid: number;
  /** Resolves with the server's exit code once it has exited, whoever stopped it. */
  exited: Promise<number | null>;
  /** Stops the server the clean way (SIGTERM: Jupyter shuts its kernels down first), then waits. */
  stop(): Promise<void>;
  /** The last few KB of the server's log (only when started with log: 'capture'). */
  logTail(): string;
}

function isPortFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = net.createServer();
    probe.once('error', () => resolve(false));
    probe.listen({ port, host: LAB_HOST, exclusive: true }, () => probe.close(() => resolve(true)));
  });
}

/**
 * The first port from `start` that nothing on 127.0.0.1 listens on.
 *
 * @example
 * import { findFreePort } from './lab';
 * (await findFreePort(20000)) >= 20000 // true
 */
export async function findFreePort(start: number = DEFAULT_PORT, tries = 100): Promise<number> {
  for (let port = start; port < start + tries; port++) {
    if (await isPortFree(port)) return port;
  }
  throw new Error(`no free port on ${LAB_HOST} between ${start} and ${start + tries - 1}; pass --port.`);
}

/**
 * A port given as text (`where` names it in the error), or undefined when none was given.
 *
 * @example
 * import { parsePort } from './lab';
 * parsePort('8890', '--port') // 8890
 * parsePort(undefined, 'MAML_LAB_PORT') // undefined
 */
export function parsePort(value: string | undefined, where: string): number | undefined {
  if (value === undefined || value === '') return undefined;
  const port = Number(value);
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    throw new Error(`${where} must be a port number (1-65535), got ${value}.`);
  }
  return port;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

async function waitUntilReady(
  baseUrl: string,
  token: string,
  exited: Promise<number | null>,
  logTail: () => string,
): Promise<void> {
  let gone = false;
  void exited.then(() => (gone = true));
  const deadline = Date.now() + STARTUP_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (gone) {
      throw new Error(`JupyterLab exited during startup.${logTail() ? `\n${logTail()}` : ' See its log above.'}`);
    }
    try {
      // /api/status needs the token: a 200 here proves both that the server is up and that it is ours.
      const response = await fetch(`${baseUrl}api/status`, { headers: { Authorization: `token ${token}` } });
      if (response.ok) return;
    } catch {
      // Not listening yet.
    }
    await sleep(250);
  }
  throw new Error(`JupyterLab did not answer on ${baseUrl} within ${STARTUP_TIMEOUT_MS / 1000} s.\n${logTail()}`);
}

function waitForExit(child: ChildProcess): Promise<number | null> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve(child.exitCode);
    else child.once('exit', (code) => resolve(code));
  });
}

/**
 * Starts JupyterLab on `rootDir` and resolves once its REST API answers.
 *
 * @example
 * import fs from 'node:fs';
 * import os from 'node:os';
 * import path from 'node:path';
 * import { startLab } from './lab';
 * const lab = await startLab({ rootDir: fs.mkdtempSync(path.join(os.tmpdir(), 'lab-')), log: 'capture' });
 * lab.url.startsWith(`http://127.0.0.1:${lab.port}/lab?token=`) // true
 * await lab.stop();
 */
export async function startLab(options: LabOptions): Promise<Lab> {
  assertSetupDone();
  const { rootDir } = options;
  if (!fs.existsSync(rootDir)) throw new Error(`${rootDir} does not exist; JupyterLab has nothing to serve.`);
  // Otherwise the server warns "Notebook … is not trusted" for each notebook opened (see trust.ts).
  trustOutputFreeNotebooks(rootDir);
  const port = options.port ?? (await findFreePort());
  const token = randomBytes(24).toString('hex');
  const baseUrl = `http://${LAB_HOST}:${port}/`;
  const args = [
    'lab',
    '--no-browser',
    // Sessions and CI run as root, which JupyterLab otherwise refuses.
    '--allow-root',
    `--ip=${LAB_HOST}`,
    `--port=${port}`,
    // The port was chosen (or asked for) on purpose: fail rather than silently take another.
    '--ServerApp.port_retries=0',
    `--ServerApp.root_dir=${rootDir}`,
  ];
  const capture = options.log === 'capture';
  const child = spawn(venvBin('jupyter'), args, {
    // Our own token, so the URL is known without scraping Jupyter's log; passed in the environment
    // rather than argv, where any local user could read it with `ps`.
    env: { ...jupyterEnv(), JUPYTER_TOKEN: token },
    // A process group of its own: a terminal Ctrl-C then reaches only us, and we stop Jupyter with
    // SIGTERM, instead of Jupyter also getting SIGINT and asking "Shut down this server (y/[n])?".
    detached: true,
    stdio: ['ignore', capture ? 'pipe' : 'inherit', capture ? 'pipe' : 'inherit'],
  });
  let log = '';
  const keep = (chunk: Buffer): void => {
    log = (log + chunk.toString('utf8')).slice(-LOG_TAIL_CHARS);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const spawned = new Promise<void>((resolve, reject) => {
    child.once('spawn', resolve);
    child.once('error', (error) => reject(new Error(`could not start ${venvBin('jupyter')}: ${error.message}`)));
  });
  await spawned;
  const exited = waitForExit(child);
  const logTail = (): string => log;

  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> => {
    stopping ??= (async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      let timer: NodeJS.Timeout | undefined;
      const timedOut = new Promise<'timeout'>((resolve) => {
        timer = setTimeout(() => resolve('timeout'), STOP_TIMEOUT_MS);
      });
      const outcome = await Promise.race([exited, timedOut]);
      // A pending timer would keep the caller's process (a test file, say) alive for 15 s.
      clearTimeout(timer);
      if (outcome === 'timeout') {
        // Last resort; its kernels live in their own sessions and may survive this.
        process.kill(-(child.pid as number), 'SIGKILL');
        await exited;
      }
    })();
    return stopping;
  };

  try {
    await waitUntilReady(baseUrl, token, exited, logTail);
  } catch (error) {
    await stop();
    throw error;
  }
  return {
    baseUrl,
    url: `${baseUrl}lab?token=${token}`,
    token,
    port,
    pid: child.pid as number,
    exited,
    stop,
    logTail,
  };
}

/**
 * Runs JupyterLab in the foreground until Ctrl-C (or SIGTERM, SIGHUP), with Jupyter's log on this
 * terminal and the URL with its token printed once it answers; stops it and its kernels cleanly and
 * resolves with the exit code for the caller to exit with (0 when stopped, 1 when Jupyter quit by itself).
 *
 * @example
 * import { serveLab } from './lab';
 * // blocks until Ctrl-C; the command line (`maml-lab lab`) and `npm start` call it
 * const run = (): Promise<number> => serveLab({ rootDir: process.cwd() });
 */
export async function serveLab(options: LabOptions): Promise<number> {
  const lab = await startLab({ ...options, log: 'inherit' });
  let stopping = false;
  let stopped: () => void = () => undefined;
  const done = new Promise<void>((resolve) => (stopped = resolve));
  const shutdown = (): void => {
    if (stopping) return;
    stopping = true;
    console.log('\nStopping JupyterLab (and its kernels)...');
    void lab.stop().then(stopped);
  };
  // If this process dies some other way, do not leave a server behind in its own process group.
  const orphan = (): void => {
    try {
      process.kill(lab.pid, 'SIGTERM');
    } catch {
      // Already gone.
    }
  };
  const signals = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;
  for (const signal of signals) process.on(signal, shutdown);
  process.on('exit', orphan);
  console.log(`\nJupyterLab is running on ${options.rootDir}\n\n    ${lab.url}\n\nPress Ctrl-C to stop.\n`);
  const code = await lab.exited;
  if (stopping) await done;
  for (const signal of signals) process.off(signal, shutdown);
  process.off('exit', orphan);
  if (stopping) return 0;
  console.error(`JupyterLab exited on its own (exit code ${String(code)}).`);
  return code === 0 ? 0 : 1;
}
