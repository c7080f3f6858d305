import * as math from 'mathjs';
import { requireInteger } from '../meta/validate';
import {
  compareRoutes,
  route,
  FD_STEP,
  FINITE_DIFFERENCE,
  FLOAT32,
  FLOAT64,
  type Check,
  type Matrix,
} from './check';
import type { Derivation, Step } from './derivation';
import * as autodiff from './autodiff';
import * as exact from './exact';
import { centralGradient, centralJacobian } from './finiteDifferences';
import { standardInstances, type Instance } from './instances';
import { cosine, relativeError } from './numeric';
import { deriveSymbolically } from './symbolic';

/** What the catalogue is checked on: the instances, and k, the number of inner steps. */
export interface MamlDerivationOptions {
  steps: number;
  instances?: Instance[];
}

/** The claimed Jacobian of one inner step at θᵢ₋₁; the catalogue's claim is I − αHᵢ₋₁. */
export type InnerJacobianClaim = (inst: Instance, theta: Float64Array) => Matrix;

const AUTODIFF = 'tfjs autodiff (float32)';
const CLOSED = 'float64 closed form';
const FD = 'float64 central differences';

/**
 * Step 1: the inner loop, θ₀ = θ and θᵢ = θᵢ₋₁ − α∇L⁽⁰⁾(θᵢ₋₁).
 *
 * @example
 * import { innerLoopStep, makeInstance } from 'maml-lab/derivations';
 * const step = innerLoopStep({ steps: 2, instances: [makeInstance({ kind: 'linear', seed: 0 })] });
 * step.verify().every((c) => c.pass); // true
 */
export function innerLoopStep({ steps, instances }: Required<MamlDerivationOptions>): Step {
  return {
    id: 'inner-loop',
    title: 'The inner loop: θ₀ = θ, then k gradient steps',
    tex: String.raw`\theta_0 = \theta, \qquad \theta_i = \theta_{i-1} - \alpha\,\nabla_{\theta_{i-1}}\mathcal{L}^{(0)}(\theta_{i-1}), \quad i = 1,\dots,k`,
    reason:
      'θ (no subscript) is the meta-parameter, the thing the outer loop learns. It is initialised at random ' +
      'once, before meta-training; θ₀ is not drawn again: it is the name of the point where the inner loop ' +
      'starts, and the program sets it equal to θ at every outer step. Every θᵢ is then a function of θ, ' +
      'computed from the support loss L⁽⁰⁾ (the thread\'s "train" loss); the meta-objective is the query loss ' +
      'L⁽¹⁾ ("test") at θₖ. In ∇θᵢ₋₁ L⁽⁰⁾(θᵢ₋₁) the subscript names the argument: it is the partial gradient ' +
      '(∇L⁽⁰⁾)(θᵢ₋₁), the gradient of L⁽⁰⁾ with respect to its own argument, evaluated at the point θᵢ₋₁; that ' +
      'θᵢ₋₁ was itself computed from θ plays no part in it.',
    verify: () =>
      instances.map((inst) =>
        compareRoutes(
          `θ_${steps} after ${steps} inner step(s)`,
          inst.name,
          route(CLOSED, exact.innerTrajectory(inst, steps)[steps]),
          route(AUTODIFF, autodiff.innerTrajectoryByAutodiff(inst, steps)[steps]),
          FLOAT32,
        ),
      ),
  };
}

/**
 * Step 2: the chain rule through the unrolled inner loop.
 *
 * @example
 * import { chainRuleStep, makeInstance } from 'maml-lab/derivations';
 * const step = chainRuleStep({ steps: 2, instances: [makeInstance({ kind: 'linear', seed: 0 })] });
 * step.verify().every((c) => c.pass); // true
 */
export function chainRuleStep({ steps, instances }: Required<MamlDerivationOptions>): Step {
  return {
    id: 'chain-rule',
    title: 'The meta-gradient is the chain rule through the inner loop',
    tex: String.raw`\nabla_\theta\,\mathcal{L}^{(1)}(\theta_k) = \nabla_{\theta_k}\mathcal{L}^{(1)}(\theta_k)\,\big(\nabla_{\theta_{k-1}}\theta_k\big)\cdots\big(\nabla_{\theta_0}\theta_1\big)\,\big(\nabla_\theta\,\theta_0\big)`,
    reason:
      'Two kinds of derivative meet here. On the left, ∇θ L⁽¹⁾(θₖ) is the total derivative d/dθ L⁽¹⁾(θₖ(θ)): how ' +
      'the query loss after k steps moves when θ moves, every θᵢ moving with it. On the right, ∇θₖ L⁽¹⁾(θₖ) is ' +
      'the partial gradient (∇L⁽¹⁾)(θₖ), the gradient of L⁽¹⁾ at the point θₖ. L⁽¹⁾ depends on θ only through ' +
      'θ₀ → θ₁ → … → θₖ, so the total derivative is the partial one times the Jacobians along that chain. ' +
      'Here a gradient is a row vector and ∇θᵢ₋₁ θᵢ is the Jacobian whose (j, l) entry is ' +
      '∂θᵢʲ/∂θᵢ₋₁ˡ. The check builds every Jacobian by finite differences of one inner step alone (no ' +
      'formula for it), multiplies them, and compares with finite differences of the whole unrolled ' +
      'objective and with autodiff of the program.',
    verify: () =>
      instances.flatMap((inst) => {
        const path = exact.innerTrajectory(inst, steps);
        let row = centralGradient((t) => inst.net.loss(t, inst.query), path[steps]);
        for (let i = steps; i >= 1; i--) {
          const J = centralJacobian((t) => exact.innerUpdate64(inst, t), path[i - 1]);
          row = Float64Array.from(math.multiply(Array.from(row), J) as number[]);
        }
        const whole = centralGradient((t) => exact.metaObjective(inst, steps, t), inst.theta);
        return [
          compareRoutes(
            'product of step Jacobians vs the whole objective',
            inst.name,
            route(`${FD} of the unrolled objective`, whole),
            route(`${FD}, Jacobian by Jacobian`, row),
            FINITE_DIFFERENCE,
          ),
          compareRoutes(
            'autodiff through the program vs the whole objective',
            inst.name,
            route(`${FD} of the unrolled objective`, whole),
            route(AUTODIFF, autodiff.metaGradientByAutodiff(inst, steps)),
            FLOAT32,
          ),
        ];
      }),
  };
}

/**
 * Step 3: ∇θθ₀ = I.
 *
 * @example
 * import { initialJacobianStep, makeInstance } from 'maml-lab/derivations';
 * const step = initialJacobianStep({ steps: 1, instances: [makeInstance({ kind: 'linear', seed: 0 })] });
 * step.verify().every((c) => c.pass); // true
 */
export function initialJacobianStep({ instances }: Required<MamlDerivationOptions>): Step {
  return {
    id: 'theta0-identity',
    title: '∇θ θ₀ = I: θ₀ is θ itself',
    tex: String.raw`\theta_0 = \theta \;\Longrightarrow\; \big(\nabla_\theta\,\theta_0\big)_{jl} = \frac{\partial \theta^{j}}{\partial \theta^{l}} = \delta_{jl}, \quad\text{i.e.}\quad \nabla_\theta\,\theta_0 = I`,
    reason:
      'The first line of the program is the identity map, and the Jacobian of the identity is the identity ' +
      'matrix: component j of θ₀ moves one-for-one with component j of θ and not at all with the others. ' +
      'The factor does not "disappear" because it is dropped; it is multiplied in, and multiplying by I ' +
      'changes nothing. Were θ₀ cut off from θ (a fresh random draw, or stopGradient(θ)), this Jacobian would ' +
      'be 0, the meta-gradient would vanish, and the outer loop would learn nothing.',
    verify: () =>
      instances.map((inst) =>
        compareRoutes(
          '∇θ θ₀',
          inst.name,
          route('identity matrix', exact.identityMatrix(inst.theta.length)),
          route(AUTODIFF, autodiff.initialJacobianByAutodiff(inst)),
          FLOAT64,
        ),
      ),
  };
}

/**
 * Step 4: ∇θᵢ₋₁θᵢ = I − αHᵢ₋₁ for every inner step i. `claim` replaces the right-hand side (a test uses it
 * to show that a wrong formula such as I + αH is caught).
 *
 * @example
 * import { innerJacobianStep, makeInstance } from 'maml-lab/derivations';
 * const step = innerJacobianStep({ steps: 3, instances: [makeInstance({ kind: 'linear', seed: 0 })] });
 * step.verify().every((c) => c.pass); // true
 */
export function innerJacobianStep(
  { steps, instances }: Required<MamlDerivationOptions>,
  claim: InnerJacobianClaim = exact.innerUpdateJacobian,
): Step {
  return {
    id: 'inner-step-jacobian',
    title: '∇θᵢ₋₁ θᵢ = I − αHᵢ₋₁, because ∇θᵢ₋₁ θᵢ₋₁ = I',
    tex: '\\nabla_{\\theta_{i-1}}\\theta_i = \\underbrace{\\nabla_{\\theta_{i-1}}\\theta_{i-1}}_{=\\,I} - \\alpha\\,\\nabla_{\\theta_{i-1}}\\big(\\nabla_{\\theta_{i-1}}\\mathcal{L}^{(0)}(\\theta_{i-1})\\big) = I - \\alpha H_{i-1}, \\qquad H_{i-1} = \\nabla^2\\mathcal{L}^{(0)}(\\theta_{i-1})',
    reason:
      'Differentiate the update line term by term. The first term is a vector differentiated with respect to ' +
      'itself: ∂θᵢ₋₁ʲ/∂θᵢ₋₁ˡ is 1 when j = l and 0 otherwise, the matrix form of dx/dx = 1. It is a matrix, ' +
      'not a vector of ones: a vector of ones is only its diagonal, and I must be a matrix for αHᵢ₋₁ to be ' +
      'subtracted from it. The second term is the derivative of a gradient, the Hessian of the support loss ' +
      'at θᵢ₋₁ (symmetric). One such factor appears per inner step, each at its own θᵢ₋₁: a Hessian taken ' +
      'only at θ is right for k = 1, and for larger k only when the Hessian is constant (linear regression).',
    verify: () =>
      instances.flatMap((inst) => {
        const path = exact.innerTrajectory(inst, steps);
        return path.slice(0, steps).flatMap((theta, i) => {
          const claimed = route(`${CLOSED}: the claimed formula`, claim(inst, theta));
          return [
            compareRoutes(
              `∇θ${i} θ${i + 1}: autodiff of the step vs the formula`,
              inst.name,
              claimed,
              route(AUTODIFF, autodiff.innerUpdateJacobianByAutodiff(inst, theta)),
              FLOAT32,
            ),
            compareRoutes(
              `∇θ${i} θ${i + 1}: differences of the step vs the formula`,
              inst.name,
              claimed,
              route(FD, centralJacobian((t) => exact.innerUpdate64(inst, t), theta)),
              FINITE_DIFFERENCE,
            ),
          ];
        });
      }),
  };
}

/**
 * Step 5: the product formula equals autodiff through the unrolled loop.
 *
 * @example
 * import { productStep, makeInstance } from 'maml-lab/derivations';
 * const step = productStep({ steps: 2, instances: [makeInstance({ kind: 'linear', seed: 0 })] });
 * step.verify().every((c) => c.pass); // true
 */
export function productStep({ steps, instances }: Required<MamlDerivationOptions>): Step {
  return {
    id: 'product',
    title: 'Together: the meta-gradient is ∏(I − αHᵢ₋₁) applied to the query gradient',
    tex: String.raw`\nabla_\theta\,\mathcal{L}^{(1)}(\theta_k) = (I - \alpha H_0)(I - \alpha H_1)\cdots(I - \alpha H_{k-1})\,\nabla_{\theta_k}\mathcal{L}^{(1)}(\theta_k)`,
    reason:
      'Substitute ∇θθ₀ = I and ∇θᵢ₋₁θᵢ = I − αHᵢ₋₁ into the chain rule and transpose to a column vector: the ' +
      'total derivative on the left is the product of the k factors applied to the partial gradient (∇L⁽¹⁾)(θₖ). ' +
      'Each factor is symmetric, so transposing only reverses the order: H₀ now stands first. Computed right ' +
      'to left, every factor is one Hessian-vector product, and no Hessian is ever formed.',
    verify: () =>
      instances.flatMap((inst) => {
        const product = route(CLOSED, exact.metaGradientByProduct(inst, steps));
        const symbolic = isLinearRegression(inst)
          ? [compareRoutes('product formula vs mathjs symbolic differentiation', inst.name, product,
              route('mathjs symbolic differentiation of the loss (w·x + b − y)²', symbolicMetaGradient(inst, steps)), FLOAT64)]
          : [];
        return [
          ...symbolic,
          compareRoutes(
            'product formula vs autodiff through the unrolled loop',
            inst.name,
            product,
            route(AUTODIFF, autodiff.metaGradientByAutodiff(inst, steps)),
            FLOAT32,
          ),
          compareRoutes(
            'product formula vs differences of the unrolled objective',
            inst.name,
            product,
            route(FD, centralGradient((t) => exact.metaObjective(inst, steps, t), inst.theta)),
            FINITE_DIFFERENCE,
          ),
        ];
      }),
  };
}

function isLinearRegression(inst: Instance): boolean {
  return inst.model.sizes.length === 2 && inst.model.sizes[0] === 1 && inst.model.sizes[1] === 1;
}

/** The linear instance restated as a formula, so mathjs can differentiate it symbolically. */
function symbolicMetaGradient(inst: Instance, steps: number): number[] {
  const rows = (d: Instance['support']) => Array.from({ length: d.points }, (_, i) => ({ x: d.x[i], y: d.y[i] }));
  const result = deriveSymbolically({
    loss: '(w*x + b - y)^2',
    params: ['w', 'b'],
    inputs: ['x', 'y'],
    support: rows(inst.support),
    query: rows(inst.query),
    alpha: inst.alpha,
    steps,
    at: { w: inst.theta[0], b: inst.theta[1] },
  });
  return [result.metaGradient.w, result.metaGradient.b];
}

/**
 * Step 6: FOMAML replaces every factor by I.
 *
 * @example
 * import { firstOrderStep, makeInstance } from 'maml-lab/derivations';
 * const step = firstOrderStep({ steps: 1, instances: [makeInstance({ kind: 'linear', seed: 0 })] });
 * step.verify().every((c) => c.pass); // true
 */
export function firstOrderStep({ steps, instances }: Required<MamlDerivationOptions>): Step {
  return {
    id: 'first-order',
    title: 'FOMAML drops the Hessians: g_FO = ∇θₖ L⁽¹⁾(θₖ)',
    tex: String.raw`g_{\mathrm{FO}} = \nabla_{\theta_k}\mathcal{L}^{(1)}(\theta_k), \qquad g - g_{\mathrm{FO}} = \Big(\prod_{i=1}^{k}(I - \alpha H_{i-1}) - I\Big)\nabla_{\theta_k}\mathcal{L}^{(1)}(\theta_k) = -\alpha\sum_{i=1}^{k} H_{i-1}\,\nabla_{\theta_k}\mathcal{L}^{(1)}(\theta_k) + O(\alpha^2)`,
    reason:
      'First-order MAML treats each inner gradient as a constant, so every factor I − αHᵢ₋₁ becomes I and ' +
      'the meta-gradient is just the query gradient g_FO at the adapted parameters: the partial gradient ' +
      '(∇L⁽¹⁾)(θₖ) in place of the total derivative d/dθ L⁽¹⁾(θₖ(θ)). What it drops, ' +
      'g − g_FO, is −αΣᵢ Hᵢ₋₁ g_FO + O(α²): one term per inner step, so it grows with k, and it is small only when α‖H‖ is ' +
      'small over all k steps. The note beside each check says how large the dropped part is on that instance.',
    verify: () =>
      instances.map((inst) => {
        const fo = exact.firstOrderMetaGradient(inst, steps);
        const full = exact.metaGradientByProduct(inst, steps);
        const note = `dropped part ‖g − g_FO‖/‖g‖ = ${relativeError(fo, full).toExponential(2)}, cos(g, g_FO) = ${cosine(full, fo).toFixed(4)}`;
        return compareRoutes(
          'query gradient at θₖ vs autodiff with stop-gradient on the inner gradients',
          inst.name,
          route(CLOSED, fo),
          route(`${AUTODIFF}, first order`, autodiff.metaGradientByAutodiff(inst, steps, true)),
          FLOAT32,
          note,
        );
      }),
  };
}

/**
 * Step 7: the one-step special case g = g₁ − αH₀g₁.
 *
 * @example
 * import { oneStepStep, makeInstance } from 'maml-lab/derivations';
 * const step = oneStepStep({ steps: 1, instances: [makeInstance({ kind: 'linear', seed: 0 })] });
 * step.verify().every((c) => c.pass); // true
 */
export function oneStepStep({ instances }: Required<MamlDerivationOptions>): Step {
  return {
    id: 'one-step',
    title: 'For one inner step: g = g₁ − αH₀g₁',
    tex: String.raw`k = 1:\quad \nabla_\theta\,\mathcal{L}^{(1)}(\theta_1) = (I - \alpha H_0)\,g_1 = g_1 - \alpha H_0\,g_1, \qquad g_1 = \nabla_{\theta_1}\mathcal{L}^{(1)}(\theta_1)`,
    reason:
      'With one inner step the product has one factor: the total derivative is (I − αH₀) times the partial ' +
      'gradient g₁ = (∇L⁽¹⁾)(θ₁). The correction to the first-order gradient g₁ is one Hessian-vector product at ' +
      'the starting point θ₀ = θ.',
    verify: () =>
      instances.map((inst) => {
        const [theta0, theta1] = exact.innerTrajectory(inst, 1);
        const g1 = inst.net.gradient(theta1, inst.query);
        const h0g1 = inst.net.hessianVectorProduct(theta0, g1, inst.support);
        return compareRoutes(
          'g₁ − αH₀g₁ vs autodiff with k = 1',
          inst.name,
          route(CLOSED, g1.map((g, j) => g - inst.alpha * h0g1[j])),
          route(AUTODIFF, autodiff.metaGradientByAutodiff(inst, 1)),
          FLOAT32,
        );
      }),
  };
}

/**
 * Step 8: Hessian-vector products are gradients of gradients.
 *
 * @example
 * import { gradientOfGradientStep, makeInstance } from 'maml-lab/derivations';
 * const step = gradientOfGradientStep({ steps: 1, instances: [makeInstance({ kind: 'linear', seed: 0 })] });
 * step.verify().every((c) => c.pass); // true
 */
export function gradientOfGradientStep({ instances }: Required<MamlDerivationOptions>): Step {
  return {
    id: 'gradients-of-gradients',
    title: '"Gradients of gradients": Hv = ∇θ(∇θL · v)',
    tex: String.raw`H(\theta)\,v = \nabla_\theta\big(\nabla_\theta\mathcal{L}^{(0)}(\theta)\cdot v\big)`,
    reason:
      '∇L · v is a scalar function of θ; its gradient is the Hessian times v. Autodiff gets it by ' +
      'differentiating the code that computed the first gradient: a second reverse pass over the first. ' +
      'That is what exact MAML does at every inner step, and what makes it dearer than the first-order ' +
      'version: the first backward pass must be kept in memory to be differentiated. Notebook 03 measures ' +
      'the time and memory this costs against k.',
    verify: () =>
      instances.flatMap((inst) => {
        const n = inst.theta.length;
        const v = Float64Array.from({ length: n }, (_, j) => Math.fround(Math.cos(1 + 7 * j)));
        const exactHv = route(`${CLOSED} (R-operator)`, inst.net.hessianVectorProduct(inst.theta, v, inst.support));
        const h = FD_STEP;
        const plus = inst.net.gradient(inst.theta.map((t, j) => t + h * v[j]), inst.support);
        const minus = inst.net.gradient(inst.theta.map((t, j) => t - h * v[j]), inst.support);
        return [
          compareRoutes('Hv: gradient of a gradient (nested tf.grad)', inst.name, exactHv,
            route(AUTODIFF, autodiff.hessianVectorProductByAutodiff(inst, inst.theta, v)), FLOAT32),
          compareRoutes('Hv: difference of gradients along v', inst.name, exactHv,
            route(FD, plus.map((p, j) => (p - minus[j]) / (2 * h))), FINITE_DIFFERENCE),
        ];
      }),
  };
}

/**
 * The k-step MAML meta-gradient, line by line, each line checked on the given instances (default: linear
 * regression, a tanh MLP and a ReLU MLP, two seeds each).
 *
 * @example
 * import { makeInstance, mamlDerivation, verifyDerivation } from 'maml-lab/derivations';
 * const { pass } = verifyDerivation(mamlDerivation({ steps: 2, instances: [makeInstance({ kind: 'tanh', seed: 0 })] }));
 * pass; // true
 */
export function mamlDerivation(options: MamlDerivationOptions): Derivation {
  requireInteger('steps', options.steps, 1);
  const context = { steps: options.steps, instances: options.instances ?? standardInstances() };
  if (context.instances.length === 0) throw new RangeError('instances must not be empty');
  return {
    id: 'maml-meta-gradient',
    title: `The MAML meta-gradient with k = ${options.steps} inner step${options.steps > 1 ? 's' : ''}`,
    steps: [
      innerLoopStep(context),
      chainRuleStep(context),
      initialJacobianStep(context),
      innerJacobianStep(context),
      productStep(context),
      firstOrderStep(context),
      oneStepStep(context),
      gradientOfGradientStep(context),
    ],
  };
}

