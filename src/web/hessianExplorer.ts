/*
 * The Hessian explorer of notebook 05, live: an activation, the hidden layers' widths and the number of
 * points; every change recomputes the MSE Hessian, its Gauss–Newton and residual parts and the spectrum
 * with the package's own functions (`hessianExplorerReading`: the kernel's Hessians, Lanczos), on the wasm
 * kernel in the page's Worker, and redraws
 * the notebook's own figures (`hessianExplorerFigures`: `hessianSplitHeatmaps` and the sorted eigenvalues). A progress bar appears for any
 * computation still running after 100 ms. The ✓ line checks the state shown against the float64 reference.
 */
import { HEIGHTS } from '../plots/look';
import { runInWorker } from './worker';
import { element, latestOnly, plotContainer, plotly, readout, showCheck, slider, timedRedraw } from './controls';
import { checkHessianSettings, HESSIAN_ACTIVATIONS, type HessianActivation, type HessianSettings, type HessianState, type HessianView } from './hessian';

/** A computation's progress: the share done (0…1) and what it is doing. */
type Progress = (fraction: number, stage: string) => void;

/** After this long a computation shows its progress bar (issue 17: progress for anything over 100 ms). */
const PROGRESS_AFTER_MS = 100;

/**
 * Computes a state in the page's Worker, on the wasm kernel: the page stays live while it runs, and gets
 * back the numbers and the figures (pooled there), not the three n × n matrices.
 */
function runTask(input: HessianSettings, onProgress: Progress): Promise<HessianView> {
  return runInWorker('hessianView', input, (done, total, stage) => onProgress(done / total, stage));
}

/** Mounts the live Hessian explorer in `root` with checked `settings`. */
export function mountHessianExplorer(root: HTMLElement, settings: HessianSettings): void {
  const checked = checkHessianSettings(settings);
  const state: HessianState = { activation: checked.activation, widths: [...checked.widths], points: checked.points };

  const controls = element('div', 'maml-lab-explorer-controls');
  const progressLine = element('div', 'maml-lab-explorer-progress');
  const bar = element('progress', '');
  bar.max = 1;
  const stageText = element('span', 'maml-lab-explorer-note');
  progressLine.append(bar, stageText);
  progressLine.style.visibility = 'hidden';
  const splitPlot = plotContainer(HEIGHTS.panels);
  const spectrumPlot = plotContainer(HEIGHTS.lineChart);
  const readouts = element('div', 'maml-lab-explorer-readouts');
  const check = element('div', 'maml-lab-explorer-check');
  const note = element('div', 'maml-lab-explorer-note', 'Computed in this page by maml-lab\'s own functions, on its wasm kernel (float32) in a Worker; the ✓ line checks the result against the hand-written float64 R-operator.');
  root.append(controls, progressLine, readouts, check, splitPlot, spectrumPlot, note);

  const show = {
    parameters: readout(readouts, 'parameterCount', 'parameters n ='),
    loss: readout(readouts, 'loss', 'support loss ='),
    largest: readout(readouts, 'largestEigenvalue', 'λ_max ='),
    smallest: readout(readouts, 'smallestEigenvalue', 'λ_min ='),
    nonZero: readout(readouts, 'nonZeroEigenvalues', 'non-zero eigenvalues ='),
    hessian: readout(readouts, 'hessianNorm', '‖H‖_F ='),
    gaussNewton: readout(readouts, 'gaussNewtonNorm', '‖GN‖_F ='),
    residual: readout(readouts, 'residualNorm', '‖R‖_F ='),
    share: readout(readouts, 'residualShare', 'residual share ='),
    sum: readout(readouts, 'relativeSumError', '‖GN + R − H‖_F / ‖H‖_F ='),
    compute: readout(readouts, 'computeMs', 'computed in'),
  };

  const redraw = latestOnly(async (started: number) => {
    const asked: HessianState = { activation: state.activation, widths: [...state.widths], points: state.points };
    const began = performance.now();
    let shown = false;
    const reveal = () => {
      if (shown) return;
      shown = true;
      progressLine.style.visibility = 'visible';
    };
    const timer = setTimeout(reveal, PROGRESS_AFTER_MS);
    let reading: HessianView;
    try {
      reading = await runTask({ ...checked, ...asked }, (fraction, stage) => {
        if (performance.now() - began > PROGRESS_AFTER_MS) reveal();
        bar.value = fraction;
        stageText.textContent = ` computing ${stage}…`;
      });
    } finally {
      clearTimeout(timer);
    }
    const computeMs = performance.now() - began;
    // The state and what it shows together, before the figures' await: a reader of the page (the book's
    // check) never sees read-outs of one state under the name of another.
    root.dataset.state = JSON.stringify(asked);
    const { spectrum, frobenius } = reading;
    show.parameters(reading.parameterCount, `${reading.parameterCount} (1-${asked.widths.join('-')}-1, ${asked.activation}, ${asked.points} point${asked.points === 1 ? '' : 's'})`);
    show.loss(reading.loss, reading.loss.toPrecision(4));
    show.largest(spectrum.largest, spectrum.largest.toPrecision(5));
    show.smallest(spectrum.smallest, spectrum.smallest.toPrecision(5));
    show.nonZero(spectrum.nonZero.length, `${spectrum.nonZero.length} of ${reading.parameterCount} (Lanczos, ${spectrum.iterations} products)`);
    show.hessian(frobenius.hessian, frobenius.hessian.toPrecision(4));
    show.gaussNewton(frobenius.gaussNewton, frobenius.gaussNewton.toPrecision(4));
    show.residual(frobenius.residual, frobenius.residual.toPrecision(4));
    show.share(reading.residualShare, `${(100 * reading.residualShare).toFixed(1)}%`);
    show.sum(reading.relativeSumError, reading.relativeSumError.toExponential(1));
    show.compute(computeMs, `${computeMs.toFixed(0)} ms`);
    showCheck(check, reading.check);
    stageText.textContent = ' drawing…';
    const { split, spectrum: sorted } = reading.figures;
    await timedRedraw(root, started, () => {
      const p = plotly()!;
      return Promise.all([p.react(splitPlot, split.data, split.layout, { responsive: true, displayModeBar: false }), p.react(spectrumPlot, sorted.data, sorted.layout, { responsive: true, displayModeBar: false })]);
    });
    progressLine.style.visibility = 'hidden';
  });

  // The activation: a select, named like the sliders (data-control) for the book's check.
  const label = element('label', 'maml-lab-slider');
  const select = element('select', '');
  select.dataset.control = 'activation';
  HESSIAN_ACTIVATIONS.forEach((a) => select.append(Object.assign(document.createElement('option'), { value: a, textContent: a, selected: a === state.activation })));
  select.addEventListener('change', (event) => {
    state.activation = select.value as HessianActivation;
    redraw(event.timeStamp > 0 ? event.timeStamp : performance.now());
  });
  label.append(element('span', 'maml-lab-slider-name', 'activation'), select);
  controls.append(label);
  const whole = (v: number) => v.toFixed(0);
  state.widths.forEach((w, i) =>
    slider(controls, {
      name: `width${i + 1}`,
      label: `width of hidden layer ${i + 1}`,
      min: 1,
      max: checked.maxWidth,
      step: 1,
      value: w,
      format: whole,
      onInput: (value, started) => {
        state.widths[i] = value;
        redraw(started);
      },
    }),
  );
  slider(controls, {
    name: 'points',
    label: 'points',
    min: 1,
    max: checked.maxPoints,
    step: 1,
    value: state.points,
    format: whole,
    onInput: (value, started) => {
      state.points = value;
      redraw(started);
    },
  });
  redraw(performance.now());
}
