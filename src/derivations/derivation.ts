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
 * import { makeInstance, mamlDerivation, verifyDerivation } from 'maml-lab/derivations';
 * const derivation = mamlDerivation({ steps: 1, instances: [makeInstance({ kind: 'linear', seed: 0 })] });
 * const { steps, pass } = verifyDerivation(derivation);
 * steps.length; // 8
 * pass; // true
 */
export function verifyDerivation(derivation: Derivation): { steps: VerifiedStep[]; pass: boolean } {
  const steps = derivation.steps.map((s) => verifyStep(s));
  return { steps, pass: steps.every((s) => s.pass) };
}

/**
 * Runs one step's checks.
 *
 * @example
 * import { makeInstance, mamlDerivation, verifyStep } from 'maml-lab/derivations';
 * const [step] = mamlDerivation({ steps: 1, instances: [makeInstance({ kind: 'linear', seed: 0 })] }).steps;
 * const { checks, pass } = verifyStep(step);
 * // a step passes when every route agrees with the reference within its tolerance
 * checks.every((c) => c.maxRelError <= c.tolerance.relative); // true
 * pass; // true
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
