import type { Model } from '../meta/model';
import type { Data64, Mlp64 } from './float64Mlp';

/**
 * A concrete problem on which the derivation's lines are checked: a model in tfjs and its float64 twin,
 * the meta-parameters θ (flat), the support set the inner loop adapts on (the thread's L⁽⁰⁾, "train") and
 * the query set the adapted parameters are scored on (L⁽¹⁾, "test"), and the step size α.
 */
export interface Instance {
  name: string;
  model: Model;
  net: Mlp64;
  theta: Float64Array;
  support: Data64;
  query: Data64;
  alpha: number;
}
