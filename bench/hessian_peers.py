"""Peers of bench/hessian.ts: the full Hessian of one sinusoid task's support loss (MSE, K = 10 points) for
the 1-40-40-1 ReLU MLP (1761 parameters), by ``torch.func.hessian`` and ``jax.jit(jax.hessian(...))`` on
the CPU, on the very inputs bench/hessian.ts writes.

Usage::

    python bench/hessian_peers.py --params P.json --tasks T.json --reference H.f64 [--repeat N] [--json]
                                  [--torch-threads N]

``--tasks`` holds one task ({support: {x, y}, query: {x, y}}, each [1][points][1]); only its support set is
used. The Hessian is taken with respect to all parameters as one flat vector (W1, b1, W2, b2, W3, b3, each
row-major with W as [in, out]): maml-lab's order, so every route computes the same n × n matrix.
``--reference`` is maml-lab's Hessian as raw little-endian float64, row-major; each peer's Hessian is
compared with it as ||H_peer - H_ref||_F / ||H_ref||_F. Reuses bench/peers.py's data loading, model and
timing protocol, so both benches time alike.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any, Callable, Sequence

from peers import TORCH_THREADS, installed, load_data, np, time_calls, torch_forward, torch_mse, versions  # noqa: E402


def flat_params(params: Sequence[Any]) -> Any:
    """The parameter list as one float32 vector, in maml-lab's order."""
    return np.concatenate([np.ravel(p) for p in params]).astype(np.float32)


def build_torch(data: Any) -> Callable[[], Any]:
    """``torch.func.hessian`` (forward-over-reverse) of the support MSE as a function of the flat vector."""
    import torch

    shapes = [p.shape for p in data.params]
    sizes = [int(np.prod(s)) for s in shapes]
    x = torch.from_numpy(data.xs[0])
    y = torch.from_numpy(data.ys[0])
    theta = torch.from_numpy(flat_params(data.params))

    def loss(flat: Any) -> Any:
        params = [piece.reshape(shape) for piece, shape in zip(torch.split(flat, sizes), shapes)]
        return torch_mse(torch_forward(params, x), y)

    hessian = torch.func.hessian(loss)
    return lambda: hessian(theta)


def build_jax(data: Any) -> Callable[[], Any]:
    """``jax.jit(jax.hessian(...))`` of the support MSE as a function of the flat vector; blocks until ready."""
    import jax
    import jax.numpy as jnp

    shapes = [p.shape for p in data.params]
    ends = np.cumsum([int(np.prod(s)) for s in shapes])[:-1]
    x = jnp.asarray(data.xs[0])
    y = jnp.asarray(data.ys[0])
    theta = jnp.asarray(flat_params(data.params))

    def loss(flat: Any) -> Any:
        h = x
        params = [piece.reshape(shape) for piece, shape in zip(jnp.split(flat, ends), shapes)]
        for i in range(0, len(params), 2):
            h = h @ params[i] + params[i + 1]
            if i + 2 < len(params):
                h = jax.nn.relu(h)
        return jnp.mean((h - y) ** 2)

    hessian = jax.jit(jax.hessian(loss))
    return lambda: hessian(theta).block_until_ready()


PEERS: dict[str, tuple[str, Callable[[Any], Callable[[], Any]]]] = {
    "torch.func.hessian": ("torch", build_torch),
    "jax.hessian": ("jax", build_jax),
}


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--params", required=True, help="[{shape, values}] of W1, b1, ..., as bench/hessian.ts writes them")
    parser.add_argument("--tasks", required=True, help="one task {support: {x, y}, query: {x, y}}, each [1][points][1]")
    parser.add_argument("--reference", required=True, help="maml-lab's Hessian, raw little-endian float64, row-major")
    parser.add_argument("--repeat", type=int, default=10, metavar="N", help="timed calls per peer (default 10)")
    parser.add_argument("--torch-threads", type=int, default=TORCH_THREADS, metavar="N", help=f"torch intra-op threads (default {TORCH_THREADS})")
    parser.add_argument("--json", action="store_true", help="print the results as JSON")
    args = parser.parse_args(argv)
    if np is None:
        print("hessian_peers: numpy is not installed", file=sys.stderr)
        return 1
    data = load_data(args.params, args.tasks)
    reference = np.fromfile(args.reference, dtype="<f8")
    n = int(round(len(reference) ** 0.5))
    if n * n != len(reference) or n != len(flat_params(data.params)):
        raise ValueError(f"--reference must hold {len(flat_params(data.params))}² float64 values, got {len(reference)}")
    reference = reference.reshape(n, n)
    if installed("torch"):
        import torch

        torch.set_num_threads(args.torch_threads)
    results: dict[str, Any] = {}
    for name, (package, build) in PEERS.items():
        if not installed(package):
            results[name] = {"error": "not installed"}
            continue
        stats, hessian = time_calls(build(data), args.repeat)
        ours = np.asarray(hessian, dtype=np.float64).reshape(n, n)
        stats["relErrVsMamlLab"] = float(np.linalg.norm(ours - reference) / np.linalg.norm(reference))
        results[name] = stats
    report = {"parameters": n, "peers": results, "torchThreads": args.torch_threads, "versions": versions()}
    if args.json:
        print(json.dumps(report))
    else:
        for name, r in results.items():
            print(f"{name:20s} " + (r["error"] if "error" in r else f"median {r['medianMs']:.1f} ms, first call {r['firstCallMs']:.0f} ms, rel. error vs maml-lab {r['relErrVsMamlLab']:.1e}"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
