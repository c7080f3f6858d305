/**
 * Whether the shared machine was busy while the bench timed, decided from the load average read at the
 * start and at the end of the timed part. Pure: the callers read `os.loadavg()` and `os.cpus().length`
 * and pass them in, so the rule is tested on fixed numbers.
 */

/** One reading of the load average: the 1-minute and 5-minute figures (what `os.loadavg()` gives first). */
export interface LoadReading {
  oneMinute: number;
  fiveMinutes: number;
}

/** The verdict on a run, as the bench prints it and records it in its JSON result. */
export interface MachineVerdict {
  busy: boolean;
  /** The largest 1-minute load average of the readings: the figure the rule compares. */
  peakOneMinute: number;
  /** Above this the run is busy: CPU count − margin. */
  threshold: number;
  cpus: number;
  /** The rule in words, for the printout and the JSON. */
  rule: string;
}

/**
 * Idle headroom required, in runnable processes: a run is quiet only if about half a core stays free.
 *
 * @example
 * import { BUSY_MARGIN } from './machine';
 * BUSY_MARGIN; // 0.5
 */
export const BUSY_MARGIN = 0.5;

/**
 * The reading of `os.loadavg()`'s first two figures, with a clear error for anything else.
 *
 * @example
 * import { loadReading } from './machine';
 * loadReading([1.25, 0.5, 0.25]).oneMinute; // 1.25
 */
export function loadReading(loadavg: readonly number[]): LoadReading {
  if (loadavg.length < 2 || !loadavg.slice(0, 2).every((x) => Number.isFinite(x) && x >= 0)) {
    throw new RangeError(`loadavg must start with two finite non-negative numbers (1 and 5 min), got ${JSON.stringify(loadavg)}`);
  }
  return { oneMinute: loadavg[0], fiveMinutes: loadavg[1] };
}

/**
 * The bench's busy rule: a run is busy when the 1-minute load average, at the start or at the end of the
 * timed part, is above the number of CPUs minus `margin` (default 0.5). Why this rule: the bench times one
 * thread (ours, and JAX's process) and needs a core it does not share; a load above cpus − 0.5 means the
 * cores were (nearly) all taken by runnable processes, so the timed thread waited for one part of the time
 * and a ratio to the peers measures the queue as much as the code (issue 19: 1.13–1.49× quiet, 1.6–2.3× at
 * load 5–7). The end reading includes the bench's own thread (about 1 after a minute of timing), so on 2
 * CPUs a run is quiet only if everything else together stayed under half a core. Only the 1-minute figure is
 * compared: the 5-minute one lags the timed part by minutes and is printed for context only.
 *
 * @example
 * import { machineVerdict } from './machine';
 * const quiet = machineVerdict([{ oneMinute: 0.4, fiveMinutes: 0.9 }, { oneMinute: 1.2, fiveMinutes: 1 }], 2);
 * quiet.busy; // false
 * const busy = machineVerdict([{ oneMinute: 0.4, fiveMinutes: 0.9 }, { oneMinute: 3.1, fiveMinutes: 2 }], 2);
 * [busy.busy, busy.peakOneMinute, busy.threshold]; // [true, 3.1, 1.5]
 */
export function machineVerdict(readings: readonly LoadReading[], cpus: number, margin = BUSY_MARGIN): MachineVerdict {
  if (readings.length === 0) throw new RangeError('readings must hold at least one load reading (start and end of the timed part)');
  if (!Number.isInteger(cpus) || cpus < 1) throw new RangeError(`cpus must be an integer ≥ 1, got ${cpus}`);
  if (!Number.isFinite(margin) || margin < 0 || margin >= cpus) throw new RangeError(`margin must be in [0, cpus), got ${margin}`);
  const peakOneMinute = Math.max(...readings.map((r) => r.oneMinute));
  const threshold = cpus - margin;
  return {
    busy: peakOneMinute > threshold,
    peakOneMinute,
    threshold,
    cpus,
    rule: `busy when the 1-min load average at the start or end of the timed part is above ${threshold} (${cpus} CPUs less a margin of ${margin})`,
  };
}

/**
 * A ratio to a peer as the bench prints it: marked with the load when the run was busy. Busy runs are
 * marked, not withheld: the medians still say something (and the JSON keeps them for filtering), while
 * the mark stops anyone reading the ratio as the code's alone.
 *
 * @example
 * import { formatRatio, machineVerdict } from './machine';
 * const busy = machineVerdict([{ oneMinute: 3.1, fiveMinutes: 2 }], 2);
 * formatRatio(1.4, busy); // "1.40× (busy: load 3.10)"
 * formatRatio(1.4, machineVerdict([{ oneMinute: 1, fiveMinutes: 1 }], 2)); // "1.40×"
 */
export function formatRatio(ratio: number, verdict: MachineVerdict): string {
  const text = `${ratio.toFixed(2)}×`;
  return verdict.busy ? `${text} (busy: load ${verdict.peakOneMinute.toFixed(2)})` : text;
}

/**
 * The load line both benches print: start and end readings, the CPU count and the verdict.
 *
 * @example
 * import { describeLoad, machineVerdict } from './machine';
 * const start = { oneMinute: 0.5, fiveMinutes: 0.75 };
 * const end = { oneMinute: 1.25, fiveMinutes: 1 };
 * describeLoad(start, end, machineVerdict([start, end], 2)); // "load average (1, 5 min): 0.50, 0.75 at the start, 1.25, 1.00 at the end of the timed part, on 2 CPUs: quiet (busy when the 1-min load average at the start or end of the timed part is above 1.5 (2 CPUs less a margin of 0.5))"
 */
export function describeLoad(start: LoadReading, end: LoadReading, verdict: MachineVerdict): string {
  const pair = (r: LoadReading) => `${r.oneMinute.toFixed(2)}, ${r.fiveMinutes.toFixed(2)}`;
  return `load average (1, 5 min): ${pair(start)} at the start, ${pair(end)} at the end of the timed part, on ${verdict.cpus} CPUs: ${verdict.busy ? 'BUSY, ratios marked' : 'quiet'} (${verdict.rule})`;
}
