/**
 * The kernel's preload (src/notebook/tslabPreload.ts) in a real tslab kernel: every socket is bound before any
 * is read from or written to (tslabBindFirst), and the kernel still answers on shell, control and heartbeat.
 * An observer loaded into the same process records zeromq's bind, receive and send calls in order; the control
 * case, tslab without the preload, shows the observer catching the order that killed CI's kernel.
 * Needs `npm run build` (the preload runs from dist/).
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { after, describe, test } from 'node:test';
import { tslabBin, tslabPreload } from '../src/notebook/setup';

const tslabDir = path.join(path.dirname(tslabBin), '..');
const zeromqPath = require.resolve('zeromq', { paths: [tslabDir] });
// eslint-disable-next-line @typescript-eslint/no-require-imports -- the zeromq tslab ships with
const zmq = require(zeromqPath) as {
  Dealer: new () => ZmqClient;
  Request: new () => ZmqClient;
};

interface ZmqClient extends AsyncIterable<Buffer[]> {
  connect(address: string): void;
  send(frames: (string | Buffer)[]): Promise<void>;
  receive(): Promise<Buffer[]>;
  close(): void;
  receiveTimeout: number;
}

const workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'maml-lab-preload-'));
after(() => fs.rmSync(workDir, { recursive: true, force: true }));

/** Loaded first into the kernel: appends `<event> <socket number>` to $ZMQ_ORDER_LOG for each call. */
const observer = path.join(workDir, 'observer.js');
fs.writeFileSync(
  observer,
  `const fs = require('fs');
const zmq = require(${JSON.stringify(zeromqPath)});
const ids = new WeakMap();
let sockets = 0;
const log = (event, socket) => {
  if (!ids.has(socket)) ids.set(socket, sockets++);
  fs.appendFileSync(process.env.ZMQ_ORDER_LOG, event + ' ' + ids.get(socket) + '\\n');
};
// zeromq's native methods are read-only, so each socket class tslab uses gets its own wrappers.
for (const kind of ['Publisher', 'Router', 'Reply']) {
  for (const name of ['bind', 'receive', 'send']) {
    const original = zmq.Socket.prototype[name];
    Object.defineProperty(zmq[kind].prototype, name, {
      value: function (...args) {
        log(name, this);
        const result = original.apply(this, args);
        if (name === 'bind') result.then(() => log('bound', this), () => log('bind-failed', this));
        return result;
      },
    });
  }
}
`,
);

/** Five free TCP ports, found by binding port 0 and releasing it. */
async function freePorts(count: number): Promise<number[]> {
  const servers = await Promise.all(
    Array.from({ length: count }, () => new Promise<net.Server>((resolve) => {
      const server = net.createServer();
      server.listen(0, '127.0.0.1', () => resolve(server));
    })),
  );
  const ports = servers.map((server) => (server.address() as net.AddressInfo).port);
  await Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve))));
  return ports;
}

const KEY = 'preload-test-key';

/** A Jupyter wire message, signed with KEY. */
function request(msgType: string): string[] {
  const header = JSON.stringify({
    msg_id: crypto.randomUUID(), msg_type: msgType, session: 'preload-test', username: 'test', date: new Date().toISOString(), version: '5.3',
  });
  const parts = [header, '{}', '{}', '{}'];
  const hmac = crypto.createHmac('sha256', KEY);
  for (const part of parts) hmac.update(part);
  return ['<IDS|MSG>', hmac.digest('hex'), ...parts];
}

/** The msg_type of a reply's header (the frame two after `<IDS|MSG>`). */
function replyType(frames: Buffer[]): string {
  const delimiter = frames.findIndex((frame) => frame.toString() === '<IDS|MSG>');
  return (JSON.parse(frames[delimiter + 2].toString()) as { msg_type: string }).msg_type;
}

interface Run {
  events: string[];
  replies: Record<string, string>;
  stderr: string;
}

/**
 * Starts a tslab kernel (with the preload when `preload`), sends kernel_info_request on shell and control and a
 * ping on the heartbeat, collects the replies, and stops the kernel.
 */
async function runKernel(name: string, preload: boolean): Promise<Run> {
  const [shell, iopub, control, stdin, hb] = await freePorts(5);
  const connection = path.join(workDir, `${name}.json`);
  const orderLog = path.join(workDir, `${name}.log`);
  fs.writeFileSync(orderLog, '');
  fs.writeFileSync(connection, JSON.stringify({
    transport: 'tcp', ip: '127.0.0.1', key: KEY, signature_scheme: 'hmac-sha256',
    shell_port: shell, iopub_port: iopub, control_port: control, stdin_port: stdin, hb_port: hb,
  }));
  const args = ['--require', observer, ...(preload ? ['--require', tslabPreload] : []), tslabBin, 'kernel', '--config-path', connection];
  const kernel = spawn(process.execPath, args, { env: { ...process.env, ZMQ_ORDER_LOG: orderLog }, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  kernel.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const sockets: ZmqClient[] = [];
  const replies: Record<string, string> = {};
  try {
    const ask = async (port: number, what: string): Promise<void> => {
      const dealer = new zmq.Dealer();
      sockets.push(dealer);
      dealer.receiveTimeout = 60_000;
      dealer.connect(`tcp://127.0.0.1:${port}`);
      await dealer.send(request('kernel_info_request'));
      replies[what] = replyType(await dealer.receive());
    };
    await ask(shell, 'shell');
    await ask(control, 'control');
    const ping = new zmq.Request();
    sockets.push(ping);
    ping.receiveTimeout = 10_000;
    ping.connect(`tcp://127.0.0.1:${hb}`);
    await ping.send(['ping']);
    replies.hb = (await ping.receive())[0].toString();
  } finally {
    for (const socket of sockets) socket.close();
    kernel.kill('SIGKILL');
  }
  return { events: fs.readFileSync(orderLog, 'utf8').split('\n').filter((line) => line !== ''), replies, stderr };
}

/** The events before the last socket's bind resolved that touched a socket (a receive or a send). */
function touchedBeforeBound(events: string[]): string[] {
  const lastBound = events.map((event) => event.startsWith('bound')).lastIndexOf(true);
  assert.ok(lastBound >= 0, `no bind resolved: ${events.join(', ')}`);
  return events.slice(0, lastBound).filter((event) => /^(receive|send) /.test(event));
}

describe('the tslab kernel preload', () => {
  test('binds all five sockets before reading from or writing to any, and the kernel answers', async () => {
    const run = await runKernel('preload', true);
    assert.equal(run.events.filter((event) => event.startsWith('bound')).length, 5, `${run.events.join(', ')}\n${run.stderr}`);
    assert.deepEqual(touchedBeforeBound(run.events), []);
    assert.deepEqual(run.replies, { shell: 'kernel_info_reply', control: 'kernel_info_reply', hb: 'ping' });
    assert.doesNotMatch(run.stderr, /EBUSY|UnhandledPromiseRejection/);
  });

  test('control: tslab alone reads from its sockets before they are bound, which the check above catches', async () => {
    const run = await runKernel('tslab-alone', false);
    const early = touchedBeforeBound(run.events);
    assert.ok(early.some((event) => event.startsWith('receive')), `expected receives before the binds resolved: ${run.events.join(', ')}`);
    // The kernel itself works when no message comes early, which is why the failure was rare.
    assert.deepEqual(run.replies, { shell: 'kernel_info_reply', control: 'kernel_info_reply', hb: 'ping' });
  });
});
