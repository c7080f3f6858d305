import type { Check } from './check';

/** One line of a derivation: the equation, why it holds, and a numeric test of it. */
export interface Step {
  id: string;
  title: string;
  /** The equation, in LaTeX (no surrounding $$). */
  tex: string;
  /** Why it holds, in Markdown. */
  reason: string;
  /** Evaluates both sides on concrete instances through independent routes. */
  verify(): Check[];
}

/** An ordered list of steps. */
export interface Derivation {
  id: string;
  title: string;
  steps: Step[];
}

/** A step's checks, run, with the step's text. */
export interface VerifiedStep {
  id: string;
  title: string;
  tex: string;
  reason: string;
  checks: Check[];
  pass: boolean;
}

/**
 * Runs every step's checks; a step passes when it has checks and all of them pass.
 *
 * @example
 * const { steps, pass } = verifyDerivation(mamlDerivation({ steps: 2 }));
 */
export function verifyDerivation(derivation: Derivation): { steps: VerifiedStep[]; pass: boolean } {
  const steps = derivation.steps.map((s) => verifyStep(s));
  return { steps, pass: steps.every((s) => s.pass) };
}

/**
 * Runs one step's checks.
 *
 * @example
 * verifyStep(step).pass; // true when every route agrees within its tolerance
 */
export function verifyStep(step: Step): VerifiedStep {
  const checks = step.verify();
  return {
    id: step.id,
    title: step.title,
    tex: step.tex,
    reason: step.reason,
    checks,
    pass: checks.length > 0 && checks.every((c) => c.pass),
  };
}
