/**
 * What the tslab kernel loads before tslab starts (the kernelspec runs `node --require` this file, built):
 * two repairs of tslab (pinned), each in its own file with its reasons.
 * - tslabHistory: answers JupyterLab's `history_request`, which tslab leaves unanswered.
 * - tslabBindFirst: binds every socket before reading from any, so an early message cannot kill the kernel.
 */
import './tslabHistory';
import './tslabBindFirst';
