/**
 * Loaded into the tslab kernel before tslab starts (through tslabPreload): tslab binds its five sockets only
 * after it has started reading from them, and a message that arrives in between kills the kernel.
 *
 * zeromq 6 refuses every send and receive on a socket whose `bind` has not yet resolved ("Socket is blocked
 * by a bind or unbind operation", EBUSY). libzmq listens as soon as the bind runs on its own thread, but the
 * promise resolves on the main thread later; Jupyter's client sends `kernel_info_request` the moment it can
 * connect. When the request lands in that window (a busy machine widens it), tslab's reply is refused, then its
 * shell loop's next receive is refused, the loop ends, and the kernel never answers again: nbclient reports it
 * dead after its timeout (CI's tensorflow pass, 2026-12-07, notebook 00 cell 1). tslab (pinned, 1.0.22)
 * starts its loops first (`ZmqServer.init`); this `init` is tslab's with one change: every socket is bound
 * before any loop reads, so a message that arrives early waits in libzmq's queue. The loops call tslab's
 * own handlers, as tslab's do. test/tslab-preload.test.ts watches the order in a real kernel.
 */
import fs from 'node:fs';
import path from 'node:path';
import { tslabBin } from './setup';

interface ZmqSocket extends AsyncIterable<Buffer[]> {
  bind(address: string): Promise<void>;
  send(frames: unknown[]): Promise<void>;
}

interface ConnectionInfo {
  transport: string;
  ip: string;
  key: string;
  iopub_port: number;
  shell_port: number;
  control_port: number;
  stdin_port: number;
  hb_port: number;
}

interface TslabServer {
  configPath: string;
  connInfo: ConnectionInfo;
  iopub: ZmqSocket;
  shell: ZmqSocket;
  control: ZmqSocket;
  stdin: ZmqSocket;
  hb: ZmqSocket;
  handleShellMessage(socket: ZmqSocket, ...frames: Buffer[]): Promise<void>;
}

type SocketClass = new () => ZmqSocket;

const tslabDir = path.join(path.dirname(tslabBin), '..');
// eslint-disable-next-line @typescript-eslint/no-require-imports -- tslab's own module instances, the ones its main uses
const { ZmqServer } = require(path.join(tslabDir, 'dist', 'jupyter.js')) as { ZmqServer: { prototype: TslabServer & { init(): Promise<void> } } };

/** Reads every message from `socket` until it closes, handing each to `handle` (not awaited, as tslab does). */
async function serve(socket: ZmqSocket, handle: (frames: Buffer[]) => void): Promise<void> {
  for await (const frames of socket) handle(frames);
}

ZmqServer.prototype.init = async function (this: TslabServer): Promise<void> {
  const info = JSON.parse(fs.readFileSync(this.configPath, 'utf8')) as ConnectionInfo;
  this.connInfo = info;
  // tslab loads zeromq late and from its own dependencies, so that the kernel's copy is the one it ships with.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const zmq = require(require.resolve('zeromq', { paths: [tslabDir] })) as Record<'Publisher' | 'Router' | 'Reply', SocketClass>;
  this.iopub = new zmq.Publisher();
  this.shell = new zmq.Router();
  this.control = new zmq.Router();
  this.stdin = new zmq.Router();
  this.hb = new zmq.Reply();
  const address = (port: number): string => `${info.transport}://${info.ip}:${port}`;
  await Promise.all([
    this.iopub.bind(address(info.iopub_port)),
    this.shell.bind(address(info.shell_port)),
    this.control.bind(address(info.control_port)),
    this.stdin.bind(address(info.stdin_port)),
    this.hb.bind(address(info.hb_port)),
  ]);
  // Not awaited: each loop lasts as long as its socket, as in tslab; a failure is tslab's unhandledRejection.
  void serve(this.shell, (frames) => void this.handleShellMessage(this.shell, ...frames));
  void serve(this.control, (frames) => void this.handleShellMessage(this.control, ...frames));
  // The heartbeat echoes what it receives (jupyter console uses it).
  void serve(this.hb, (frames) => void this.hb.send(frames));
};
