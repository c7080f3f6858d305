"""Write `maml-lab doctor`'s input from a JAX MAML (jax.grad through the inner loop).

    python jax_loop.py OUT_DIR

writes OUT_DIR/jax_loop-{relu,tanh}-k{1,2}.json. jax.grad of the meta-loss differentiates through
the inner jax.grad steps, so the doctor answers `maml`.

The parameters are a list of (W, b) with W [in, out] and y = x @ W + b, the convention of Flax's and
Haiku's Dense kernels: that is the doctor's "maml-lab" layout (no transposes). A model written as
x @ W.T + b with W [out, in] would say "torch" instead.

float64 (jax_enable_x64), so the residual against maml is ~1e-15; JAX's default float32 gives ~1e-7.
"""
import json
import sys

import jax
import jax.numpy as jnp
import numpy as np

jax.config.update("jax_enable_x64", True)


def sine_tasks(tasks, points, seed):
    """Sinusoid regression: support and query sets as [tasks, points, 1] arrays."""
    rng = np.random.default_rng(seed)
    amp, phase = rng.uniform(0.1, 5, (tasks, 1, 1)), rng.uniform(0, np.pi, (tasks, 1, 1))
    xs = [rng.uniform(-5, 5, (tasks, points, 1)) for _ in range(2)]
    return [(jnp.asarray(x), jnp.asarray(amp * np.sin(x - phase))) for x in xs]


def init(sizes, seed):
    """W [in, out] and b per layer, uniform in +-1/sqrt(in) as nn.Linear draws them."""
    rng = np.random.default_rng(seed)
    bound = lambda a: 1 / np.sqrt(a)
    return [(jnp.asarray(rng.uniform(-bound(a), bound(a), (a, b))), jnp.asarray(rng.uniform(-bound(a), bound(a), b))) for a, b in zip(sizes, sizes[1:])]


def meta_gradient(params, act, support, query, alpha, steps):
    """jax.grad of the mean over tasks of the query loss after `steps` SGD steps on the support loss."""
    def forward(params, x):
        for i, (w, b) in enumerate(params):
            x = x @ w + b
            if i < len(params) - 1:
                x = act(x)
        return x

    loss = lambda params, x, y: jnp.mean((forward(params, x) - y) ** 2)

    def task_loss(params, xs, ys, xq, yq):
        for _ in range(steps):
            params = jax.tree_util.tree_map(lambda w, g: w - alpha * g, params, jax.grad(loss)(params, xs, ys))
        return loss(params, xq, yq)

    (xs, ys), (xq, yq) = support, query
    meta_loss = lambda params: jnp.mean(jnp.stack([task_loss(params, xs[t], ys[t], xq[t], yq[t]) for t in range(len(xs))]))
    return jax.grad(meta_loss)(params)


def doctor_input(sizes, activation, params, support, query, alpha, steps, gradient):
    """The doctor's JSON (schemas/doctor-input.schema.json): W [in, out] then b per layer, "maml-lab" layout."""
    flat = lambda ps: [np.asarray(t).tolist() for layer in ps for t in layer]
    sets = lambda s: {"x": np.asarray(s[0]).tolist(), "y": np.asarray(s[1]).tolist()}
    return {
        "model": {"sizes": sizes, "activation": activation, "layout": "maml-lab"},
        "params": flat(params),
        "support": sets(support), "query": sets(query),
        "alpha": alpha, "steps": steps,
        "gradient": flat(gradient),
    }


if __name__ == "__main__":
    out, sizes, alpha = sys.argv[1], [1, 8, 8, 1], 0.05
    params = init(sizes, seed=0)
    support, query = sine_tasks(tasks=3, points=5, seed=1)
    for activation, act in [("relu", jax.nn.relu), ("tanh", jnp.tanh)]:
        for steps in (1, 2):
            g = meta_gradient(params, act, support, query, alpha, steps)
            with open(f"{out}/jax_loop-{activation}-k{steps}.json", "w") as f:
                json.dump(doctor_input(sizes, activation, params, support, query, alpha, steps, g), f)
