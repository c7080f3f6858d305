"""Python peers for maml-lab's benchmark: the sinusoid MAML meta-gradient in PyTorch and JAX.

Three peers compute exactly what maml-lab computes (see bench/README.md for the settings):

* ``torch-loop``: the learn2learn-style loop, one task at a time, ``torch.autograd.grad`` inner steps
  (``create_graph=True``, or ``False`` for first-order) and one ``.backward()`` on the mean query loss.
* ``torch-func``: ``torch.func.vmap`` over tasks of a per-task loss whose inner steps use
  ``torch.func.grad``; the meta-gradient is ``torch.func.grad`` of the mean.
* ``jax``: ``jax.jit(jax.grad(meta_loss))`` with ``jax.vmap`` over tasks, on the CPU.

Usage::

    python bench/peers.py [--repeat N] [--cases exact-1,first-order-1,exact-5]
                          [--peers torch-loop,torch-func,jax] [--json] [--torch-threads N]
    python bench/peers.py --params P.json --tasks T.json --dump-grad   # exact-1 gradient, as JSON

Install the peers with ``npx tsx bench/setup_peers.ts``. A peer whose package is missing is reported as
``{"error": "not installed"}``.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import sys
import time
from dataclasses import dataclass
from typing import Any, Callable, Sequence

# Before any import of jax: the peers are CPU peers, and without this jax probes for GPU/TPU
# plugins and warns when it finds none.
os.environ.setdefault("JAX_PLATFORMS", "cpu")

try:
    import numpy as np
except ModuleNotFoundError:  # every peer needs numpy for the shared data; main() reports it
    np = None  # type: ignore[assignment]

# ---------------------------------------------------------------------------------------------------
# Settings shared with bench/run.ts. Change them there and here together.
# ---------------------------------------------------------------------------------------------------

SIZES = (1, 40, 40, 1)  # MLP 1-40-40-1, ReLU; 1761 parameters
TASKS = 25  # tasks per meta-batch
SHOTS = 10  # support points per task, and as many query points
ALPHA = 0.01  # inner SGD step size
SEED = 0
CASES: dict[str, tuple[int, bool]] = {  # name -> (inner steps k, first-order?)
    "exact-1": (1, False),
    "first-order-1": (1, True),
    "exact-5": (5, False),
}
PEERS = ("torch-loop", "torch-func", "jax")
WARMUP = 3  # untimed calls per (peer, case), after JAX's compiling call
AGREEMENT_TOLERANCE = 1e-4  # normwise relative error between peers' exact-1 gradients
# The machine has 2 cores, and tfjs-node and XLA may use both. But see bench/README.md: on these tiny
# ops a second torch thread buys nothing, and when the other core is busy it makes torch 10-100x slower.
TORCH_THREADS = 2


@dataclass
class Data:
    """The shared inputs: parameters W1, b1, W2, b2, W3, b3 (W is [in, out]) and one meta-batch.

    ``xs, ys`` are the support sets and ``xq, yq`` the query sets, each float32 [tasks, points, 1].
    """

    params: list[Any]
    xs: Any
    ys: Any
    xq: Any
    yq: Any


def make_data(seed: int = SEED) -> Data:
    """Draws parameters and one sinusoid meta-batch, float32, from a fixed seed.

    Initialisation follows maml-lab's ``model.init`` (weights N(0, 2/(in+out)), biases N(0, 0.1²)); the
    numbers differ from tfjs's because the generators differ, which is fine for timing. For numerical
    cross-checks pass the same inputs to both sides with ``--params/--tasks``.
    """
    rng = np.random.default_rng(seed)
    params = []
    for fan_in, fan_out in zip(SIZES[:-1], SIZES[1:]):
        params.append(rng.normal(0.0, math.sqrt(2.0 / (fan_in + fan_out)), (fan_in, fan_out)))
        params.append(rng.normal(0.0, 0.1, (fan_out,)))
    # y = A sin(x - phi), A ~ U[0.1, 5], phi ~ U[0, pi], x ~ U[-5, 5] (Finn et al., 2017).
    amplitude = rng.uniform(0.1, 5.0, (TASKS, 1, 1))
    phase = rng.uniform(0.0, math.pi, (TASKS, 1, 1))
    x = rng.uniform(-5.0, 5.0, (TASKS, 2 * SHOTS, 1))
    y = amplitude * np.sin(x - phase)
    f32 = lambda a: np.ascontiguousarray(a, dtype=np.float32)  # noqa: E731
    return Data(
        params=[f32(p) for p in params],
        xs=f32(x[:, :SHOTS]),
        ys=f32(y[:, :SHOTS]),
        xq=f32(x[:, SHOTS:]),
        yq=f32(y[:, SHOTS:]),
    )


def load_data(params_file: str, tasks_file: str) -> Data:
    """Reads ``--params`` ([{shape, values}], values flat or nested) and ``--tasks``
    ({support: {x, y}, query: {x, y}}, each [tasks][points][1]) as float32 arrays."""
    with open(params_file, encoding="utf8") as f:
        raw_params = json.load(f)
    with open(tasks_file, encoding="utf8") as f:
        raw_tasks = json.load(f)
    params = [np.asarray(p["values"], dtype=np.float32).reshape(p["shape"]) for p in raw_params]
    shapes = [tuple(p.shape) for p in params]
    expected = [s for a, b in zip(SIZES[:-1], SIZES[1:]) for s in ((a, b), (b,))]
    if shapes != expected:
        raise ValueError(f"params must have shapes {expected} (W as [in, out]), got {shapes}")
    arrays = [
        np.asarray(raw_tasks[split][axis], dtype=np.float32)
        for split in ("support", "query")
        for axis in ("x", "y")
    ]
    for a in arrays:
        if a.ndim != 3 or a.shape[2] != 1:
            raise ValueError(f"task arrays must be [tasks][points][1], got shape {a.shape}")
    return Data(params, *arrays)


# ---------------------------------------------------------------------------------------------------
# PyTorch peers
# ---------------------------------------------------------------------------------------------------


def torch_forward(params: Sequence[Any], x: Any) -> Any:
    """The MLP, functionally: x @ W + b per layer, ReLU between layers (W is [in, out], unlike nn.Linear)."""
    import torch

    h = x
    for i in range(0, len(params), 2):
        h = h @ params[i] + params[i + 1]
        if i + 2 < len(params):
            h = torch.relu(h)
    return h


def torch_mse(pred: Any, y: Any) -> Any:
    """Mean of squared errors over points and outputs (no 1/2)."""
    return ((pred - y) ** 2).mean()


def build_torch_loop(data: Data, steps: int, first_order: bool) -> Callable[[], list[Any]]:
    """Returns a no-argument function computing the meta-gradient with a Python loop over tasks.

    This is the shape of learn2learn's MAML: clone the parameters per task, adapt with
    ``autograd.grad``, sum query losses, one ``.backward()``. ``create_graph=False`` makes the inner
    gradients constants, which is first-order MAML.
    """
    import torch

    params = [torch.from_numpy(p.copy()).requires_grad_(True) for p in data.params]
    xs, ys, xq, yq = (torch.from_numpy(a) for a in (data.xs, data.ys, data.xq, data.yq))
    tasks = xs.shape[0]

    def meta_grad() -> list[Any]:
        for p in params:
            p.grad = None
        total = torch.zeros(())
        for t in range(tasks):
            fast = [p.clone() for p in params]  # learn2learn's clone_module: a differentiable copy
            for _ in range(steps):
                support_loss = torch_mse(torch_forward(fast, xs[t]), ys[t])
                grads = torch.autograd.grad(support_loss, fast, create_graph=not first_order)
                fast = [w - ALPHA * g for w, g in zip(fast, grads)]
            total = total + torch_mse(torch_forward(fast, xq[t]), yq[t])
        (total / tasks).backward()
        return [p.grad for p in params]

    return meta_grad


def build_torch_func(data: Data, steps: int, first_order: bool) -> Callable[[], list[Any]]:
    """Returns a no-argument function computing the meta-gradient with ``torch.func``.

    ``vmap`` runs the per-task loss over all tasks at once (batched matmuls instead of 25 small ones);
    the inner gradient is ``torch.func.grad`` nested inside the outer ``torch.func.grad``, so exact MAML
    differentiates through it. First-order detaches the inner gradient, which functorch treats as a
    stop-gradient at every level.
    """
    import torch
    from torch.func import grad, vmap

    params = tuple(torch.from_numpy(p.copy()) for p in data.params)
    xs, ys, xq, yq = (torch.from_numpy(a) for a in (data.xs, data.ys, data.xq, data.yq))

    def support_loss(p: tuple[Any, ...], x: Any, y: Any) -> Any:
        return torch_mse(torch_forward(p, x), y)

    def task_loss(p: tuple[Any, ...], x_s: Any, y_s: Any, x_q: Any, y_q: Any) -> Any:
        fast = p
        for _ in range(steps):
            g = grad(support_loss)(fast, x_s, y_s)
            if first_order:
                g = tuple(gi.detach() for gi in g)
            fast = tuple(w - ALPHA * gi for w, gi in zip(fast, g))
        return torch_mse(torch_forward(fast, x_q), y_q)

    def meta_loss(p: tuple[Any, ...]) -> Any:
        # in_dims: parameters shared (None), task data batched along dim 0.
        return vmap(task_loss, in_dims=(None, 0, 0, 0, 0))(p, xs, ys, xq, yq).mean()

    meta_grad_fn = grad(meta_loss)
    return lambda: list(meta_grad_fn(params))


# ---------------------------------------------------------------------------------------------------
# JAX peer
# ---------------------------------------------------------------------------------------------------


def build_jax(data: Data, steps: int, first_order: bool) -> Callable[[], list[Any]]:
    """Returns a no-argument function computing the meta-gradient with ``jax.jit(jax.grad(...))``.

    The inner loop is a Python loop, so it is unrolled into the compiled graph (k <= 5 here).
    First-order wraps the inner gradient in ``stop_gradient``. The returned function blocks until the
    result is ready: JAX dispatches asynchronously, and without blocking we would time the dispatch.
    """
    import jax
    import jax.numpy as jnp

    def forward(p: Sequence[Any], x: Any) -> Any:
        h = x
        for i in range(0, len(p), 2):
            h = h @ p[i] + p[i + 1]
            if i + 2 < len(p):
                h = jax.nn.relu(h)
        return h

    def mse(pred: Any, y: Any) -> Any:
        return jnp.mean((pred - y) ** 2)

    def support_loss(p: list[Any], x: Any, y: Any) -> Any:
        return mse(forward(p, x), y)

    def task_loss(p: list[Any], x_s: Any, y_s: Any, x_q: Any, y_q: Any) -> Any:
        fast = p
        for _ in range(steps):
            g = jax.grad(support_loss)(fast, x_s, y_s)
            if first_order:
                g = jax.lax.stop_gradient(g)
            fast = [w - ALPHA * gi for w, gi in zip(fast, g)]
        return mse(forward(fast, x_q), y_q)

    def meta_loss(p: list[Any], x_s: Any, y_s: Any, x_q: Any, y_q: Any) -> Any:
        return jnp.mean(jax.vmap(task_loss, in_axes=(None, 0, 0, 0, 0))(p, x_s, y_s, x_q, y_q))

    meta_grad_fn = jax.jit(jax.grad(meta_loss))
    # Put the inputs on the device once, as the other peers hold theirs as tensors already.
    params = [jnp.asarray(p) for p in data.params]
    batch = [jnp.asarray(a) for a in (data.xs, data.ys, data.xq, data.yq)]

    def meta_grad() -> list[Any]:
        return jax.block_until_ready(meta_grad_fn(params, *batch))

    return meta_grad


BUILDERS: dict[str, tuple[str, Callable[[Data, int, bool], Callable[[], list[Any]]]]] = {
    # peer -> (the package it needs, builder)
    "torch-loop": ("torch", build_torch_loop),
    "torch-func": ("torch", build_torch_func),
    "jax": ("jax", build_jax),
}


# ---------------------------------------------------------------------------------------------------
# Harness
# ---------------------------------------------------------------------------------------------------


def installed(package: str) -> bool:
    """True when ``package`` (and numpy, which every peer needs) imports."""
    if np is None:
        return False
    try:
        __import__(package)
    except ImportError:
        return False
    return True


def to_numpy(grads: Sequence[Any]) -> list[Any]:
    """Gradients from any peer as float32 numpy arrays (torch tensors and jax arrays both convert)."""
    return [np.asarray(g.detach() if hasattr(g, "detach") else g, dtype=np.float32) for g in grads]


def percentile(sorted_values: Sequence[float], q: float) -> float:
    """The q-th percentile with linear interpolation (numpy's default), of values sorted ascending."""
    pos = (len(sorted_values) - 1) * q / 100.0
    lo = math.floor(pos)
    hi = min(lo + 1, len(sorted_values) - 1)
    return sorted_values[lo] + (sorted_values[hi] - sorted_values[lo]) * (pos - lo)


def time_calls(fn: Callable[[], Any], repeat: int) -> tuple[dict[str, float | int], list[Any]]:
    """Warm-up and timing protocol for one (peer, case).

    The first call is timed on its own and reported as ``firstCallMs`` (for JAX it includes tracing
    and XLA compilation); then ``WARMUP`` untimed calls; then ``repeat`` timed calls.
    Returns the stats and the last call's gradient.
    """
    start = time.perf_counter()
    result = fn()
    first_ms = (time.perf_counter() - start) * 1000.0
    for _ in range(WARMUP):
        result = fn()
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        result = fn()
        samples.append((time.perf_counter() - start) * 1000.0)
    samples.sort()
    stats = {
        "medianMs": round(percentile(samples, 50), 4),
        "p10Ms": round(percentile(samples, 10), 4),
        "p90Ms": round(percentile(samples, 90), 4),
        "n": repeat,
        "firstCallMs": round(first_ms, 2),
    }
    return stats, result


def rel_err(a: Sequence[Any], b: Sequence[Any]) -> float:
    """Normwise relative error ||a - b|| / max(||a||, ||b||) of two gradients, flattened, in float64."""
    fa = np.concatenate([np.ravel(x) for x in a]).astype(np.float64)
    fb = np.concatenate([np.ravel(x) for x in b]).astype(np.float64)
    scale = max(np.linalg.norm(fa), np.linalg.norm(fb))
    return float(np.linalg.norm(fa - fb) / scale) if scale > 0 else 0.0


def agreement(grads: dict[str, list[Any]]) -> dict[str, Any]:
    """Pairwise normwise relative errors between the peers' exact-1 meta-gradients."""
    names = sorted(grads)
    pairs = {
        f"{a} vs {b}": rel_err(grads[a], grads[b]) for i, a in enumerate(names) for b in names[i + 1 :]
    }
    worst = max(pairs.values(), default=0.0)
    return {
        "case": "exact-1",
        "peers": names,
        "pairs": pairs,
        "maxRelErr": worst,
        "tolerance": AGREEMENT_TOLERANCE,
        # With fewer than two peers nothing was compared, which is not the same as agreeing.
        "ok": (worst < AGREEMENT_TOLERANCE) if len(names) >= 2 else None,
    }


def versions() -> dict[str, str | None]:
    """Versions of Python and of whichever peer packages are installed."""

    def version(module: str) -> str | None:
        try:
            return str(__import__(module).__version__)
        except ImportError:
            return None

    return {
        "torch": version("torch"),
        "jax": version("jax"),
        "jaxlib": version("jaxlib"),
        "numpy": version("numpy"),
        "python": platform.python_version(),
    }


def benchmark(data: Data, peers: list[str], cases: list[str], repeat: int) -> dict[str, Any]:
    """Times every (peer, case), then checks that the peers' exact-1 gradients agree."""
    out: dict[str, Any] = {}
    exact1: dict[str, list[Any]] = {}
    for peer in peers:
        package, build = BUILDERS[peer]
        if not installed(package):
            out[peer] = {"error": "not installed"}
            continue
        out[peer] = {}
        for case in cases:
            steps, first_order = CASES[case]
            stats, grad = time_calls(build(data, steps, first_order), repeat)
            out[peer][case] = stats
            if case == "exact-1":
                exact1[peer] = to_numpy(grad)
        if peer not in exact1:  # exact-1 was not timed: compute it once just for the check
            exact1[peer] = to_numpy(build(data, *CASES["exact-1"])())
    return {"peers": out, "agreement": agreement(exact1)}


def dump_grad(data: Data, peers: list[str]) -> dict[str, Any]:
    """The exact-1 meta-gradient for the given inputs, from the first installed peer in ``peers``
    (torch-loop by default), as [{shape, values}] with values flattened row-major."""
    for peer in peers:
        package, build = BUILDERS[peer]
        if installed(package):
            grads = to_numpy(build(data, *CASES["exact-1"])())
            return {
                "peer": peer,
                "case": "exact-1",
                "grad": [{"shape": list(g.shape), "values": g.ravel().tolist()} for g in grads],
            }
    raise SystemExit(f"peers.py: none of {', '.join(peers)} is installed; run npx tsx bench/setup_peers.ts")


def print_table(result: dict[str, Any], cases: list[str]) -> None:
    """Human-readable summary of ``benchmark``'s result."""
    print(f"{'peer':<12}" + "".join(f"{c:>28}" for c in cases))
    for peer, per_case in result["peers"].items():
        if "error" in per_case:
            print(f"{peer:<12}  {per_case['error']}")
            continue
        cells = [
            f"{s['medianMs']:.2f} ms [{s['p10Ms']:.2f}, {s['p90Ms']:.2f}]" for s in (per_case[c] for c in cases)
        ]
        print(f"{peer:<12}" + "".join(f"{cell:>28}" for cell in cells))
    print("(median [p10, p90] over the timed calls)")
    first = {p: {c: v[c]["firstCallMs"] for c in cases} for p, v in result["peers"].items() if "error" not in v}
    print(f"first calls (ms, incl. JIT compile for jax): {json.dumps(first)}")
    agree = result["agreement"]
    pairs = ", ".join(f"{k}: {v:.2e}" for k, v in agree["pairs"].items()) or "fewer than two peers"
    print(f"agreement on exact-1 (normwise rel. error, tolerance {agree['tolerance']:g}): {pairs}")
    print(f"versions: {json.dumps(result['versions'])}")


def parse_list(value: str, allowed: Sequence[str], what: str) -> list[str]:
    """Splits a comma-separated option and checks every item against ``allowed``."""
    items = [v.strip() for v in value.split(",") if v.strip()]
    unknown = [v for v in items if v not in allowed]
    if unknown or not items:
        raise argparse.ArgumentTypeError(f"{what} must be a comma-separated subset of {','.join(allowed)}")
    return items


def main(argv: Sequence[str] | None = None) -> int:
    """CLI entry point; see the module docstring."""
    parser = argparse.ArgumentParser(description="PyTorch and JAX peers for maml-lab's MAML benchmark.")
    parser.add_argument("--repeat", type=int, default=30, help="timed calls per peer and case (default 30)")
    parser.add_argument(
        "--cases", type=lambda v: parse_list(v, list(CASES), "--cases"), default=list(CASES), metavar="LIST"
    )
    parser.add_argument("--peers", type=lambda v: parse_list(v, PEERS, "--peers"), default=list(PEERS), metavar="LIST")
    parser.add_argument("--json", action="store_true", help="print one JSON object instead of a table")
    parser.add_argument(
        "--torch-threads", type=int, default=TORCH_THREADS, metavar="N", help=f"torch intra-op threads (default {TORCH_THREADS})"
    )
    parser.add_argument("--params", metavar="FILE", help="parameters as JSON [{shape, values}] (needs --tasks)")
    parser.add_argument("--tasks", metavar="FILE", help="tasks as JSON {support: {x, y}, query: {x, y}}")
    parser.add_argument("--dump-grad", action="store_true", help="print the exact-1 meta-gradient as JSON and exit")
    args = parser.parse_args(argv)
    if (args.params is None) != (args.tasks is None):
        parser.error("--params and --tasks go together")
    if args.repeat < 1:
        parser.error("--repeat must be at least 1")
    if args.torch_threads < 1:
        parser.error("--torch-threads must be at least 1")

    if np is None:
        # Without numpy no peer can run; report it the same way as a missing framework.
        result: dict[str, Any] = {"peers": {p: {"error": "not installed"} for p in args.peers}}
        result["agreement"] = agreement({})
        result["versions"] = versions()
        print(json.dumps(result) if args.json else "numpy is not installed: run npx tsx bench/setup_peers.ts")
        return 0

    if installed("torch"):
        import torch

        # Set once, before any torch op: both torch peers run with the same intra-op thread count.
        torch.set_num_threads(args.torch_threads)

    data = load_data(args.params, args.tasks) if args.params else make_data()
    if args.dump_grad:
        print(json.dumps(dump_grad(data, args.peers)))
        return 0

    result = benchmark(data, args.peers, args.cases, args.repeat)
    result["versions"] = versions()
    result["settings"] = {
        "tasks": int(data.xs.shape[0]),
        "shots": int(data.xs.shape[1]),
        "alpha": ALPHA,
        "warmup": WARMUP,
        "torchThreads": args.torch_threads,
        "cpuCount": os.cpu_count(),
    }
    if result["agreement"]["ok"] is False:
        print(f"peers.py: WARNING: the peers' exact-1 gradients disagree: {result['agreement']['pairs']}", file=sys.stderr)
    if args.json:
        print(json.dumps(result))
    else:
        print_table(result, args.cases)
    return 0


if __name__ == "__main__":
    sys.exit(main())
