/*
 * The sinusoid explorer of notebook 08, live: sliders for the task's amplitude and phase, support points
 * added by clicking the left panel (a press adds one, a drag moves it; at most ten), "clear points", and a
 * step slider with a play button that walks through steps 0…k. Each change of the task or the points sends
 * one request to the kernel Worker (worker.ts), which adapts every model on the wasm kernel and checks each
 * step against the float64 reference (sinusoid.ts); moving the step slider only redraws.
 */
import { sinusoidFitFigure } from '../plots/sinusoidFit';
import { HEIGHTS } from '../plots/look';
import { button, element, followPointer, latestOnly, plotContainer, plotly, readout, showCheck, slider, timedRedraw } from './controls';
import { SINUSOID_GRID, SINUSOID_READOUT_INDICES, sinusoidInput, type SinusoidAdaptation, type SinusoidExplorerState } from './sinusoid';
import { SINUSOID_MAX_POINTS, checkSinusoidExplorerSettings, type SinusoidExplorerSettings } from './sinusoidSettings';
import { runInWorker } from './worker';

/** A request shows progress after this long (the issue: progress for anything over 100 ms). */
const PROGRESS_AFTER_MS = 100;

/** Mounts the live sinusoid explorer in `root` with checked `settings`. */
export function mountSinusoidExplorer(root: HTMLElement, raw: SinusoidExplorerSettings): void {
  const settings = checkSinusoidExplorerSettings(raw);
  const start: SinusoidExplorerState = { amplitude: settings.amplitude, phase: settings.phase, points: [...settings.points], step: Math.min(1, settings.steps) };
  const state: SinusoidExplorerState = { ...start, points: [...start.points] };
  const limit = Math.max(Math.abs(settings.amplitudeRange[0]), Math.abs(settings.amplitudeRange[1])) + 1.5;

  const controls = element('div', 'maml-lab-explorer-controls');
  const stepControls = element('div', 'maml-lab-explorer-controls');
  const plot = plotContainer(HEIGHTS.explorer);
  const readouts = element('div', 'maml-lab-explorer-readouts');
  const check = element('div', 'maml-lab-explorer-check');
  const status = element('div', 'maml-lab-explorer-note');
  const note = element(
    'div',
    'maml-lab-explorer-note',
    `Click the left panel to add a support point on the sine (up to ${SINUSOID_MAX_POINTS}; drag to move it). Every model adapts by ${settings.steps} SGD steps of α = ${settings.alpha} on the support points, ` +
      `computed in this page by maml-lab's wasm kernel (float32) in a Worker, with the trained parameters the notebook passed (${settings.models.map((m) => `${m.name}: ${m.theta.length.toLocaleString('en')}`).join(', ')} numbers).`,
  );
  root.append(controls, stepControls, plot, readouts, check, status, note);

  const show = {
    queryMse: readout(readouts, 'queryMse', 'query MSE:'),
    predictions: readout(readouts, 'predictions', `predictions at x = ${SINUSOID_READOUT_INDICES.map((i) => SINUSOID_GRID[i]).join(', ')}:`),
    workerMs: readout(readouts, 'workerMs', 'Worker:'),
  };
  let cached: { key: string; result: SinusoidAdaptation } | undefined;

  const redraw = latestOnly(async (started: number) => {
    const snapshot: SinusoidExplorerState = { ...state, points: [...state.points] };
    const key = JSON.stringify([snapshot.amplitude, snapshot.phase, snapshot.points]);
    if (cached?.key !== key) {
      const timer = setTimeout(() => (status.textContent = 'adapting in the Worker…'), PROGRESS_AFTER_MS);
      const sent = performance.now();
      try {
        const result = await runInWorker('sinusoidAdaptation', sinusoidInput(settings, snapshot), (done, total, text) => {
          status.textContent = `${text} (${done + 1} of ${total})…`;
        });
        cached = { key, result };
        const ms = performance.now() - sent;
        const adaptSteps = snapshot.points.length === 0 ? 0 : settings.steps * settings.models.length;
        const perStep = adaptSteps > 0 ? `; in the Worker ${(result.kernelMs / adaptSteps).toFixed(2)} ms a kernel step, ${(result.referenceMs / adaptSteps).toFixed(2)} ms its float64 check` : '';
        show.workerMs(ms, `${ms.toFixed(0)} ms from request to answer for ${adaptSteps} steps${perStep}`);
        root.dataset.workerTimes = `${root.dataset.workerTimes ?? ''} ${ms.toFixed(2)}/${adaptSteps}/${result.kernelMs.toFixed(3)}/${result.referenceMs.toFixed(3)}`.trim();
      } catch (error) {
        // In the page, never a silent hang: the ✗ line says what went wrong.
        root.dataset.state = JSON.stringify(snapshot);
        showCheck(check, { passed: false, text: `the kernel Worker failed: ${(error as Error).message}` });
        await timedRedraw(root, started, async () => undefined);
        return;
      } finally {
        clearTimeout(timer);
        status.textContent = '';
      }
    }
    const r = cached.result;
    const s = snapshot.step;
    // The state and what it shows, together, before the figure's await.
    root.dataset.state = JSON.stringify(snapshot);
    show.queryMse(r.runs.map((run) => run.queryMse[s]), r.runs.map((run) => `${run.name} ${run.queryMse[s].toFixed(4)}`).join(' · '));
    show.predictions(r.runs.flatMap((run) => SINUSOID_READOUT_INDICES.map((i) => run.predictions[s][i])), r.runs.map((run) => `${run.name} (${SINUSOID_READOUT_INDICES.map((i) => run.predictions[s][i].toFixed(2)).join(', ')})`).join(' · '));
    showCheck(check, r.check);
    const figure = sinusoidFitFigure({
      grid: SINUSOID_GRID,
      truth: r.truth,
      support: { x: snapshot.points, y: r.supportY },
      models: r.runs.map((run) => ({ name: run.name, before: run.predictions[0], after: run.predictions[s], queryMse: run.queryMse })),
      step: s,
      yRange: [-limit, limit],
    });
    await timedRedraw(root, started, () => plotly()!.react(plot, figure.data, figure.layout, { responsive: true, displayModeBar: false }));
  });

  const amplitude = slider(controls, {
    name: 'amplitude',
    label: 'amplitude A =',
    min: settings.amplitudeRange[0],
    max: settings.amplitudeRange[1],
    step: 0.01,
    value: state.amplitude,
    onInput: (value, started) => {
      state.amplitude = value;
      redraw(started);
    },
  });
  const phase = slider(controls, {
    name: 'phase',
    label: 'phase φ =',
    min: settings.phaseRange[0],
    max: settings.phaseRange[1],
    step: 0.01,
    value: state.phase,
    onInput: (value, started) => {
      state.phase = value;
      redraw(started);
    },
  });
  button(controls, 'clear', 'clear points', (started) => {
    state.points = [];
    redraw(started);
  });
  const steps = slider(stepControls, {
    name: 'step',
    label: 'SGD steps shown =',
    min: 0,
    max: settings.steps,
    step: 1,
    value: state.step,
    format: (v) => String(v),
    onInput: (value, started) => {
      state.step = value;
      redraw(started);
    },
  });
  let playing: ReturnType<typeof setInterval> | undefined;
  button(stepControls, 'play', '▶ play steps 0…' + settings.steps, () => {
    clearInterval(playing);
    state.step = 0;
    steps.set(0);
    redraw(performance.now());
    playing = setInterval(() => {
      if (state.step >= settings.steps) return clearInterval(playing);
      state.step += 1;
      steps.set(state.step);
      redraw(performance.now());
    }, 400);
  });
  button(stepControls, 'reset', 'Start again', (started) => {
    clearInterval(playing);
    Object.assign(state, { ...start, points: [...start.points] });
    amplitude.set(state.amplitude);
    phase.set(state.phase);
    steps.set(state.step);
    redraw(started);
  });
  // A press adds a support point where it lands (its y is the sine's there); a drag moves that point.
  let pressed = false;
  let dragged = -1; // the point a drag moves: the one its press added
  plot.addEventListener('pointerdown', () => (pressed = true), true);
  followPointer(plot, { x: 'xaxis', y: 'yaxis' }, [-5, 5], (x, _y, started) => {
    const at = Math.round(x * 100) / 100;
    if (pressed) {
      pressed = false;
      dragged = -1;
      if (state.points.length >= SINUSOID_MAX_POINTS) {
        status.textContent = `${SINUSOID_MAX_POINTS} points at most: "clear points" to start over`;
        return;
      }
      dragged = state.points.push(at) - 1;
    } else if (dragged >= 0 && dragged < state.points.length) state.points[dragged] = at;
    else return;
    redraw(started);
  });
  redraw(performance.now());
}
