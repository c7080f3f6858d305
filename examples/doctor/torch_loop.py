"""Write `maml-lab doctor`'s input from a plain PyTorch MAML loop (torch.autograd.grad).

    python torch_loop.py OUT_DIR

writes OUT_DIR/torch_loop-{create_graph,no_create_graph}-{relu,tanh}-k{1,2}.json; then
`npx maml-lab doctor FILE.json` says which meta-gradient each one is: with create_graph=True the
inner gradients stay in the graph and the doctor answers `maml`; without it they are constants and
the answer is `fomaml`. To diagnose your own loop, keep `doctor_input` and call it with your model,
data and meta-gradient.

float64 throughout, so the residual against the named variant is ~1e-15 and the gap to the others is
plain; float32 works too (residuals ~1e-7, far inside the doctor's 1e-4).
"""
import json
import sys

import numpy as np
import torch
import torch.nn.functional as F

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


def forward(params, x, act):
    """The network of nn.Sequential(Linear, act, ..., Linear) with the given parameter list."""
    for i in range(0, len(params), 2):
        x = F.linear(x, params[i], params[i + 1])
        if i + 2 < len(params):
            x = act(x)
    return x


def meta_gradient(net, act, support, query, alpha, steps, create_graph):
    """The usual MAML loop: `steps` SGD steps per task, mean query loss over tasks, backward."""
    net.zero_grad()
    (xs, ys), (xq, yq) = support, query
    losses = []
    for t in range(xs.shape[0]):
        fast = list(net.parameters())
        for _ in range(steps):
            grads = torch.autograd.grad(F.mse_loss(forward(fast, xs[t], act), ys[t]), fast, create_graph=create_graph)
            fast = [w - alpha * g for w, g in zip(fast, grads)]
        losses.append(F.mse_loss(forward(fast, xq[t], act), yq[t]))
    torch.stack(losses).mean().backward()
    return [p.grad.clone() for p in net.parameters()]


def doctor_input(sizes, activation, net, support, query, alpha, steps, gradient):
    """The doctor's JSON (schemas/doctor-input.schema.json), in the torch layout of net.parameters()."""
    sets = lambda s: {"x": s[0].tolist(), "y": s[1].tolist()}
    return {
        "model": {"sizes": sizes, "activation": activation, "layout": "torch"},
        "params": [p.tolist() for p in net.parameters()],
        "support": sets(support), "query": sets(query),
        "alpha": alpha, "steps": steps,
        "gradient": [g.tolist() for g in gradient],
    }


if __name__ == "__main__":
    out, sizes, alpha = sys.argv[1], [1, 8, 8, 1], 0.05
    for activation, act in [("relu", torch.relu), ("tanh", torch.tanh)]:
        torch.manual_seed(0)
        net = mlp(sizes, activation)
        support, query = sine_tasks(tasks=3, points=5, seed=1)
        for steps in (1, 2):
            for create_graph in (True, False):
                g = meta_gradient(net, act, support, query, alpha, steps, create_graph)
                name = f"{out}/torch_loop-{'create_graph' if create_graph else 'no_create_graph'}-{activation}-k{steps}.json"
                with open(name, "w") as f:
                    json.dump(doctor_input(sizes, activation, net, support, query, alpha, steps, g), f)
