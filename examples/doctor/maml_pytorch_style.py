"""Write `maml-lab doctor`'s input from a loop written as dragen1860/MAML-Pytorch's meta.py writes it.

    python maml_pytorch_style.py OUT_DIR

writes OUT_DIR/maml_pytorch_style-{relu,tanh}-k{1,2}.json. meta.py (Meta.forward) adapts with

    grad = torch.autograd.grad(loss, self.net.parameters())
    fast_weights = list(map(lambda p: p[1] - self.update_lr * p[0], zip(grad, self.net.parameters())))
    for k in range(1, self.update_step):
        ...
        grad = torch.autograd.grad(loss, fast_weights)
        fast_weights = list(map(lambda p: p[1] - self.update_lr * p[0], zip(grad, fast_weights)))

without create_graph=True, so the inner gradients are constants and `loss_q.backward()` gives the
query gradient at the adapted weights: first-order MAML. The doctor answers `fomaml` (the question of
MAML-Pytorch issues #17, #26, #32 and #63). Below, the same loop with its Learner reduced to an MLP and
cross-entropy replaced by the doctor's MSE. One difference: meta.py computes the query loss after the
first step under torch.no_grad(), so its backward() needs update_step >= 2; here it is computed after
the last step whatever update_step is.

float64 throughout, so the residual against fomaml is ~1e-15.
"""
import json
import sys

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

torch.set_default_dtype(torch.float64)


def sine_tasks(tasks, points, seed):
    """Sinusoid regression: support and query sets as [tasks, points, 1] tensors."""
    rng = np.random.default_rng(seed)
    amp, phase = rng.uniform(0.1, 5, (tasks, 1, 1)), rng.uniform(0, np.pi, (tasks, 1, 1))
    xs = [rng.uniform(-5, 5, (tasks, points, 1)) for _ in range(2)]
    as_tensor = lambda a: torch.tensor(a, dtype=torch.get_default_dtype())
    return [(as_tensor(x), as_tensor(amp * np.sin(x - phase))) for x in xs]


class Learner(nn.Module):
    """learner.py's Learner for an MLP: a ParameterList [w, b, w, b, ...] and forward(x, vars)."""

    def __init__(self, sizes, act):
        super().__init__()
        self.act, self.vars = act, nn.ParameterList()
        for a, b in zip(sizes, sizes[1:]):
            layer = nn.Linear(a, b)  # nn.Linear's initialisation, so the numbers match torch_loop.py
            self.vars.extend([layer.weight, layer.bias])

    def forward(self, x, vars=None):
        vars = self.vars if vars is None else vars
        for i in range(0, len(vars), 2):
            x = F.linear(x, vars[i], vars[i + 1])
            if i + 2 < len(vars):
                x = self.act(x)
        return x


def meta_gradient(net, x_spt, y_spt, x_qry, y_qry, update_lr, update_step):
    """Meta.forward's inner loop and meta-loss; returns the .grad that meta_optim.step() would use."""
    task_num = x_spt.size(0)
    loss_q = 0
    for i in range(task_num):
        loss = F.mse_loss(net(x_spt[i], vars=None), y_spt[i])
        grad = torch.autograd.grad(loss, net.parameters())
        fast_weights = list(map(lambda p: p[1] - update_lr * p[0], zip(grad, net.parameters())))
        for k in range(1, update_step):
            loss = F.mse_loss(net(x_spt[i], fast_weights), y_spt[i])
            grad = torch.autograd.grad(loss, fast_weights)
            fast_weights = list(map(lambda p: p[1] - update_lr * p[0], zip(grad, fast_weights)))
        loss_q = loss_q + F.mse_loss(net(x_qry[i], fast_weights), y_qry[i])
    net.zero_grad()
    (loss_q / task_num).backward()
    return [p.grad.clone() for p in net.parameters()]


def doctor_input(sizes, activation, net, support, query, alpha, steps, gradient):
    """The doctor's JSON (schemas/doctor-input.schema.json): net.parameters() is [w, b, ...], torch layout."""
    sets = lambda s: {"x": s[0].tolist(), "y": s[1].tolist()}
    return {
        "model": {"sizes": sizes, "activation": activation, "layout": "torch"},
        "params": [p.tolist() for p in net.parameters()],
        "support": sets(support), "query": sets(query),
        "alpha": alpha, "steps": steps,
        "gradient": [g.tolist() for g in gradient],
    }


if __name__ == "__main__":
    out, sizes, update_lr = sys.argv[1], [1, 8, 8, 1], 0.05
    for activation, act in [("relu", torch.relu), ("tanh", torch.tanh)]:
        torch.manual_seed(0)
        net = Learner(sizes, act)
        support, query = sine_tasks(tasks=3, points=5, seed=1)
        for update_step in (1, 2):
            g = meta_gradient(net, *support, *query, update_lr, update_step)
            with open(f"{out}/maml_pytorch_style-{activation}-k{update_step}.json", "w") as f:
                json.dump(doctor_input(sizes, activation, net, support, query, update_lr, update_step, g), f)
