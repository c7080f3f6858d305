/**
 * JupyterLab as `npm start` runs it (scripts/lab.ts startLab), driven through its REST and WebSocket API
 * with @jupyterlab/services: the tslab kernelspec is served, a tslab kernel starts, imports maml-lab and
 * runs on the expected tfjs backend; afterwards no server or kernel process is left.
 * Needs `npm run build` and `npm run setup`; Linux (/proc) for the process checks.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { KernelAPI, KernelConnection, KernelMessage, KernelSpecAPI, ServerConnection } from '@jupyterlab/services';
import { tslabBin } from '../scripts/jupyter';
import { tslabPreload } from '../src/notebook/setup';
import { startLab, type Lab } from '../scripts/lab';

interface ProcessEntry {
  pid: number;
  ppid: number;
  cmdline: string[];
}

/** Every process visible in /proc, with its parent and command line. */
function processes(): ProcessEntry[] {
  const entries: ProcessEntry[] = [];
  for (const name of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${name}/stat`, 'utf8');
      // Field 4 (ppid) follows "(comm)", and comm may itself contain spaces or parentheses.
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      const cmdline = fs.readFileSync(`/proc/${name}/cmdline`, 'utf8').split('\0').filter((a) => a !== '');
      entries.push({ pid: Number(name), ppid, cmdline });
    } catch {
      // The process exited while we were reading it.
    }
  }
  return entries;
}

function isAlive(pid: number): boolean {
  return processes().some((p) => p.pid === pid);
}

/** Polls until `check` is true, since processes take a moment to exit after being told to. */
async function eventually(check: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) assert.fail(`timed out after ${timeoutMs} ms waiting for: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

function canResolve(name: string): boolean {
  try {
    require.resolve(name);
    return true;
  } catch {
    return false;
  }
}

describe('JupyterLab server with the tslab kernel', { timeout: 180_000 }, () => {
  let lab: Lab | undefined;
  let settings: ServerConnection.ISettings;
  let kernel: KernelConnection | undefined;
  let kernelPid: number | undefined;

  before(async () => {
    lab = await startLab({ log: 'capture' });
    // In Node, @jupyterlab/services takes fetch from the global and WebSocket from its own `ws` dependency.
    settings = ServerConnection.makeSettings({ baseUrl: lab.baseUrl, token: lab.token });
  });

  after(async () => {
    // Reached on failure too: leave nothing running.
    kernel?.dispose();
    await lab?.stop();
  });

  test('serves on 127.0.0.1 with a token in the URL', () => {
    assert.ok(lab);
    assert.match(lab.url, new RegExp(`^http://127\\.0\\.0\\.1:${lab.port}/lab\\?token=[0-9a-f]{48}$`));
  });

  test('lists the tslab kernelspec that setup wrote', async () => {
    const specs = await KernelSpecAPI.getSpecs(settings);
    const tslab = specs.kernelspecs.tslab;
    assert.ok(tslab, `tslab missing from kernelspecs: ${Object.keys(specs.kernelspecs).join(', ')}`);
    assert.equal(tslab.display_name, 'TypeScript (tslab)');
    assert.equal(tslab.language, 'typescript');
    // This checkout's tslab, not some other installation's kernelspec.
    assert.deepEqual(tslab.argv.slice(1), ['--require', tslabPreload, tslabBin, 'kernel', '--config-path', '{connection_file}']);
  });

  test('runs a cell that imports maml-lab in a tslab kernel started through the server', async () => {
    // KernelAPI + KernelConnection is what KernelManager does inside, minus its polling: lumino's
    // Poll.dispose() leaves its 10 s timer pending, which keeps the test process alive that long.
    const model = await KernelAPI.startNew({ name: 'tslab' }, settings);
    kernel = new KernelConnection({ model, serverSettings: settings });
    assert.equal(kernel.name, 'tslab');

    const id = kernel.id;
    const kernelProcess = processes().find((p) => p.cmdline.some((arg) => arg.includes(`kernel-${id}.json`)));
    assert.ok(kernelProcess, `no process for kernel ${id}`);
    assert.equal(kernelProcess.ppid, lab?.pid, 'the kernel should be a child of our server');
    assert.equal(kernelProcess.cmdline[3], tslabBin);
    kernelPid = kernelProcess.pid;

    const code = 'import { ready } from "maml-lab";\nconst info = await ready();\nconsole.log(info.backend);';
    const future = kernel.requestExecute({ code });
    let stdout = '';
    let stderr = '';
    future.onIOPub = (msg) => {
      if (KernelMessage.isStreamMsg(msg)) {
        if (msg.content.name === 'stdout') stdout += msg.content.text;
        else stderr += msg.content.text;
      }
    };
    const reply = await future.done;
    assert.equal(reply.content.status, 'ok', `execute_reply ${reply.content.status}; stderr:\n${stderr}`);
    const backend = stdout.trim();
    // tfjs-node is optional and fails to install offline; without it (and without an override) the
    // engine must pick wasm.
    const forced = process.env.MAML_LAB_BACKEND;
    if (forced !== undefined && forced !== '') assert.equal(backend, forced);
    else if (!canResolve('@tensorflow/tfjs-node')) assert.equal(backend, 'wasm');
    else assert.match(backend, /^(tensorflow|wasm)$/);
  });

  test('answers JupyterLab\'s history request (an empty history), where tslab alone logs "unknown msg_type"', async () => {
    assert.ok(kernel && lab, 'needs the kernel of the previous test');
    const reply = await kernel.requestHistory({ output: false, raw: true, hist_access_type: 'tail', n: 10 });
    assert.equal(reply.header.msg_type, 'history_reply');
    assert.deepEqual(reply.content, { status: 'ok', history: [] });
    // Still the kernel it was: the next cell runs.
    const after = await kernel.requestExecute({ code: 'console.log(6 * 7);' }).done;
    assert.equal(after.content.status, 'ok');
    assert.doesNotMatch(lab.logTail(), /unknown msg_type/);
  });

  test('opens a committed (output-free) notebook without the server calling it untrusted', async () => {
    assert.ok(lab);
    const response = await fetch(`${lab.baseUrl}api/contents/02-chain-rule.ipynb?content=1`, { headers: { Authorization: `token ${lab.token}` } });
    assert.equal(response.status, 200);
    await response.arrayBuffer();
    assert.doesNotMatch(lab.logTail(), /is not trusted/);
  });

  test('a failing cell comes back with status error and its message on stderr', async () => {
    assert.ok(kernel, 'needs the kernel of the previous test');
    const future = kernel.requestExecute({ code: 'throw new Error("server test failure");' });
    let stderr = '';
    future.onIOPub = (msg) => {
      if (KernelMessage.isStreamMsg(msg) && msg.content.name === 'stderr') stderr += msg.content.text;
    };
    const reply = await future.done.catch((error: unknown) => error as KernelMessage.IExecuteReplyMsg);
    assert.equal(reply.content.status, 'error');
    assert.match(stderr, /Error: server test failure/);
  });

  test('shuts the kernel down, then the server, leaving no process behind', async () => {
    assert.ok(lab && kernel && kernelPid !== undefined, 'needs the kernel of the previous tests');
    await kernel.shutdown();
    kernel.dispose();
    kernel = undefined;
    const pid = kernelPid;
    await eventually(() => !isAlive(pid), `kernel process ${pid} to exit`);

    const serverPid = lab.pid;
    await lab.stop();
    assert.equal(isAlive(serverPid), false, `server process ${serverPid} still running`);
    const port = `--port=${lab.port}`;
    const orphans = processes().filter((p) => p.ppid === serverPid || p.cmdline.includes(port));
    assert.deepEqual(orphans, [], 'processes left behind by the server');
  });
});
