/**
 * Loaded into the tslab kernel before tslab starts (through tslabPreload, which the kernelspec runs with
 * `node --require`): it answers the one message JupyterLab sends that tslab does not know. JupyterLab asks
 * each notebook's kernel for its input history (`history_request`); tslab (pinned) has no handler, prints
 * "unknown msg_type: history_request" on the `npm start` terminal for every notebook and never replies. We
 * reply as a kernel that keeps no history does: status ok, an empty list.
 *
 * It patches tslab's ZmqServer, whose message class tslab does not export: the request is taken from the
 * `busy` status tslab publishes for it, and tslab's own "unknown msg_type" warning for it is silenced. Both
 * happen in tslab's handler before its first `await`, so nothing else runs in between.
 * test/jupyter-server.test.ts asks a kernel started through JupyterLab for its history and checks the reply
 * and the quiet log.
 */
import path from 'node:path';
import { tslabBin } from './setup';

interface TslabMessage {
  header: { msg_type: string };
  createReply(): { header: { msg_type: string }; content: unknown; signAndSend(key: string, socket: unknown): void };
}

interface TslabServer {
  connInfo: { key: string };
  publishStatus(status: string, parent: TslabMessage): void;
  handleShellMessage(socket: unknown, ...frames: Buffer[]): Promise<void>;
}

/** The frames after `<IDS|MSG>` are signature, header, parent header, metadata, content (Jupyter's wire format). */
function messageType(frames: readonly Buffer[]): string | undefined {
  const delimiter = frames.findIndex((frame) => frame.toString() === '<IDS|MSG>');
  if (delimiter < 0 || delimiter + 2 >= frames.length) return undefined;
  try {
    return (JSON.parse(frames[delimiter + 2].toString()) as { msg_type?: string }).msg_type;
  } catch {
    return undefined;
  }
}

const tslabJupyter = path.join(path.dirname(tslabBin), '..', 'dist', 'jupyter.js');
// eslint-disable-next-line @typescript-eslint/no-require-imports -- tslab's own module instance, the one its main uses
const { ZmqServer } = require(tslabJupyter) as { ZmqServer: { prototype: TslabServer } };
const handleShellMessage = ZmqServer.prototype.handleShellMessage;

ZmqServer.prototype.handleShellMessage = function (this: TslabServer, socket: unknown, ...frames: Buffer[]): Promise<void> {
  if (messageType(frames) !== 'history_request') return handleShellMessage.call(this, socket, ...frames);
  const publishStatus = this.publishStatus;
  const warn = console.warn;
  // Own properties for the synchronous part of tslab's handler only; the prototype's come back below.
  this.publishStatus = (status: string, parent: TslabMessage): void => {
    if (status === 'idle') {
      // The reply before the idle status, in the order a kernel sends them.
      const reply = parent.createReply();
      reply.header.msg_type = 'history_reply';
      reply.content = { status: 'ok', history: [] };
      reply.signAndSend(this.connInfo.key, socket);
    }
    publishStatus.call(this, status, parent);
  };
  console.warn = (): void => undefined;
  try {
    return handleShellMessage.call(this, socket, ...frames);
  } finally {
    console.warn = warn;
    delete (this as Partial<TslabServer>).publishStatus;
  }
};
