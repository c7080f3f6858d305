"""Write `maml-lab doctor`'s input from a torch.func MAML (functional_call + grad).

    python torch_func.py OUT_DIR

writes OUT_DIR/torch_func-{relu,tanh}-k{1,2}.json. torch.func.grad of a function that itself calls
torch.func.grad differentiates through the inner steps, so the doctor answers `maml`. The parameters
are a dict in net.named_parameters() order, which is the torch layout's order.

float64 throughout, so the residual against maml is ~1e-15; float32 gives ~1e-7, also a match.
"""
import json
import sys

import numpy as np
import torch
import torch.nn.functional as F
from torch.func import functional_call, grad

torch.set_default_dtype(torch.float64)


def sine_tasks(tasks, points, seed):
    """Sinusoid regression: support and query sets as [tasks, points, 1] tensors."""
    rng = np.random.default_rng(seed)
    amp, phase = rng.uniform(0.1, 5, (tasks, 1, 1)), rng.uniform(0, np.pi, (tasks, 1, 1))
    xs = [rng.uniform(-5, 5, (tasks, points, 1)) for _ in range(2)]
    as_tensor = lambda a: torch.tensor(a, dtype=torch.get_default_dtype())
    return [(as_tensor(x), as_tensor(amp * np.sin(x - phase))) for x in xs]


def mlp(sizes, activation):
    """nn.Sequential(Linear, act, ..., Linear): the model whose .parameters() order the torch layout is."""
    layers = []
    for a, b in zip(sizes, sizes[1:]):
        layers += [torch.nn.Linear(a, b), torch.nn.ReLU() if activation == "relu" else torch.nn.Tanh()]
    return torch.nn.Sequential(*layers[:-1])


def meta_gradient(net, support, query, alpha, steps):
    """grad of the mean query loss after `steps` SGD steps per task, with respect to the parameters."""
    loss = lambda params, x, y: F.mse_loss(functional_call(net, params, (x,)), y)

    def meta_loss(params):
        (xs, ys), (xq, yq) = support, query
        losses = []
        for t in range(xs.shape[0]):
            fast = params
            for _ in range(steps):
                g = grad(loss)(fast, xs[t], ys[t])
                fast = {name: w - alpha * g[name] for name, w in fast.items()}
            losses.append(loss(fast, xq[t], yq[t]))
        return torch.stack(losses).mean()

    return grad(meta_loss)({name: p.detach() for name, p in net.named_parameters()})


def doctor_input(sizes, activation, params, support, query, alpha, steps, gradient):
    """The doctor's JSON (schemas/doctor-input.schema.json): dicts in named_parameters() order, torch layout."""
    sets = lambda s: {"x": s[0].tolist(), "y": s[1].tolist()}
    return {
        "model": {"sizes": sizes, "activation": activation, "layout": "torch"},
        "params": [p.tolist() for p in params.values()],
        "support": sets(support), "query": sets(query),
        "alpha": alpha, "steps": steps,
        "gradient": [gradient[name].tolist() for name in params],
    }


if __name__ == "__main__":
    out, sizes, alpha = sys.argv[1], [1, 8, 8, 1], 0.05
    for activation in ("relu", "tanh"):
        torch.manual_seed(0)
        net = mlp(sizes, activation)
        params = dict(net.named_parameters())
        support, query = sine_tasks(tasks=3, points=5, seed=1)
        for steps in (1, 2):
            g = meta_gradient(net, support, query, alpha, steps)
            with open(f"{out}/torch_func-{activation}-k{steps}.json", "w") as f:
                json.dump(doctor_input(sizes, activation, params, support, query, alpha, steps, g), f)
