/*
 * The bench's busy rule (bench/machine.ts): which load readings mark a run's ratios, and how they print.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { describeLoad, formatRatio, loadReading, machineVerdict } from '../bench/machine';

const at = (oneMinute: number, fiveMinutes = oneMinute) => ({ oneMinute, fiveMinutes });

describe('the busy rule', () => {
  test('on 2 CPUs a run is busy when the 1-min load at the start or the end is above 1.5', () => {
    // The quiet runs (0.7–1.4) pass; its loaded ones (3–9, 5–7) are busy, whichever end saw the load.
    assert.equal(machineVerdict([at(0.7), at(1.4)], 2).busy, false);
    assert.equal(machineVerdict([at(3), at(0.9)], 2).busy, true);
    assert.equal(machineVerdict([at(0.9), at(5.2)], 2).busy, true);
    // The boundary: equal to cpus − margin is still quiet, just above it is busy.
    assert.equal(machineVerdict([at(1.5), at(1.5)], 2).busy, false);
    assert.equal(machineVerdict([at(1.51), at(0)], 2).busy, true);
  });

  test('the 5-min figure never decides: it lags the timed part', () => {
    assert.equal(machineVerdict([{ oneMinute: 0.3, fiveMinutes: 6 }, { oneMinute: 1.1, fiveMinutes: 5 }], 2).busy, false);
  });

  test('the threshold follows the CPU count and the margin', () => {
    const v = machineVerdict([at(3.2), at(2.9)], 4);
    assert.deepEqual([v.busy, v.peakOneMinute, v.threshold, v.cpus], [false, 3.2, 3.5, 4]);
    assert.equal(machineVerdict([at(3.2)], 4, 1).busy, true);
    assert.equal(machineVerdict([at(0.6)], 1).busy, true);
  });

  test('bad input is refused by name', () => {
    assert.throws(() => machineVerdict([], 2), /readings/);
    assert.throws(() => machineVerdict([at(1)], 0), /cpus/);
    assert.throws(() => machineVerdict([at(1)], 2.5), /cpus/);
    assert.throws(() => machineVerdict([at(1)], 2, 2), /margin/);
    assert.throws(() => loadReading([1]), /loadavg/);
    assert.throws(() => loadReading([Number.NaN, 1, 1]), /loadavg/);
  });

  test('loadReading takes the first two figures of os.loadavg()', () => {
    assert.deepEqual(loadReading([2.5, 1.75, 0.5]), { oneMinute: 2.5, fiveMinutes: 1.75 });
  });
});

describe('how a ratio prints', () => {
  test('marked with the peak 1-min load in a busy run, plain in a quiet one', () => {
    assert.equal(formatRatio(1.4, machineVerdict([at(0.4), at(3.1)], 2)), '1.40× (busy: load 3.10)');
    assert.equal(formatRatio(0.456, machineVerdict([at(0.4), at(1.2)], 2)), '0.46×');
  });

  test('the load line names both readings and the verdict', () => {
    const start = at(0.5, 0.75);
    const end = at(2.25, 1);
    const line = describeLoad(start, end, machineVerdict([start, end], 2));
    assert.match(line, /0\.50, 0\.75 at the start, 2\.25, 1\.00 at the end/);
    assert.match(line, /BUSY, ratios marked/);
    assert.match(line, /above 1\.5 \(2 CPUs less a margin of 0\.5\)/);
  });
});
