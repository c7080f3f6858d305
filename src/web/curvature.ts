/*
 * What the curvature explorer (curvatureExplorer.ts) computes for one state, without the DOM: the page and
 * the book's check in Node call the same function, so what the check compares is what the reader saw.
 */
import { centralGradient } from '../derivations/finiteDifferences';
import { relativeError } from '../derivations/numeric';
import { firstOrderError, quadraticGradient, quadraticValue } from '../derivations/quadratic';

/** The outcome of an explorer's float64 check for its current state. */
export interface CheckOutcome {
  passed: boolean;
  /** What was compared, with the measured value and its tolerance. */
  text: string;
}

/** How far central differences of the quadratic may be from its closed-form gradient (relative): both are exact up to rounding. */
export const CURVATURE_CHECK_TOLERANCE = 1e-7;

/** The state the curvature explorer shows. */
export interface CurvatureState {
  curvature: [number, number, number];
  theta: [number, number];
}

/** What the explorer computes for one state: the numbers it shows and its check. */
export interface CurvatureReading {
  gradient: [number, number];
  angleDegrees: number;
  lengthRatio: number;
  /** Relative error of the closed-form gradient against central differences of f. */
  checkError: number;
  check: CheckOutcome;
}

/**
 * The numbers the curvature explorer shows for one state, in float64, with its check. The page and the
 * book's test (in Node) both call this, so what the test compares is what the reader saw.
 *
 * @example
 * import { curvatureReading } from './curvature';
 * const r = curvatureReading([0.1, -0.1], { curvature: [0.5, -0.1, 0], theta: [0.3, 0.1] });
 * r.angleDegrees; // ≈ 18.43
 * r.check.passed; // true
 */
export function curvatureReading(g: readonly number[], state: CurvatureState): CurvatureReading {
  const [a, b, c] = state.curvature;
  const C = [[a, b], [b, c]];
  const error = firstOrderError(C, g, state.theta);
  const differences = centralGradient((t) => quadraticValue(C, g, t), Float64Array.from(state.theta));
  const checkError = relativeError(differences, quadraticGradient(C, g, state.theta));
  const passed = checkError <= CURVATURE_CHECK_TOLERANCE;
  return {
    gradient: [error.gradient[0], error.gradient[1]],
    angleDegrees: error.angleDegrees,
    lengthRatio: error.lengthRatio,
    checkError,
    check: {
      passed,
      text: `float64: ∇f(θ) = C(θ − ½) + g against central differences of f at this θ, relative error ${checkError.toExponential(1)} (${passed ? '≤' : '>'} ${CURVATURE_CHECK_TOLERANCE})`,
    },
  };
}

