"""Time each recipe's NLL (forward + backward) against PyTorch's fused loss, the
``torch.distributions`` path and the memory floor, on any device.

Run: ``make bench`` (CPU) or ``make bench DEVICE=cuda`` (or ``.venv/bin/python
benchmarks/bench_losses.py --device cuda``).  Per row, each the median of ``--repeats``
runs after warm-up, the losses of a row taking turns in every repeat:

- ``on`` and ``off``: ours with input validation on and off (``recipe.with_validation``);
- ``fused``: PyTorch's fused loss; ``dist``: ``-torch.distributions...log_prob().mean()``;
- ``compiled``: ours, validation off, under ``torch.compile`` (default backend; on by
  default on a GPU, ``--compile`` on the CPU, where inductor needs a C compiler and
  minutes);
- ``floor``: the memory floor, the time to read the outputs and targets once forward and
  once backward and write the gradient once, at the bandwidth of a large copy measured in
  the same run.

On a GPU, time is taken with CUDA events (MPS: a synchronise around each run); on the
CPU, one thread.  Defaults: N = 10^6 on the CPU, 10^7 on a GPU; float32.
"""

from __future__ import annotations

import argparse
import math
import statistics
import time
from collections.abc import Callable

import torch
import torch.nn.functional as F

import lossrecipe as lr

Loss = Callable[[torch.Tensor], torch.Tensor]


def _synchronize(device: torch.device) -> None:
    if device.type == "cuda":
        torch.cuda.synchronize(device)
    elif device.type == "mps":
        torch.mps.synchronize()


def _run_once(fn: Loss, outputs: torch.Tensor) -> float:
    """Seconds for one forward and backward pass of ``fn``."""
    leaf = outputs.detach().requires_grad_(True)
    device = outputs.device
    if device.type == "cuda":
        start, end = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
        start.record()
        fn(leaf).backward()
        end.record()
        end.synchronize()
        return start.elapsed_time(end) / 1e3
    _synchronize(device)
    begin = time.perf_counter()
    fn(leaf).backward()
    _synchronize(device)
    return time.perf_counter() - begin


def _time(fns: list[Loss], outputs: torch.Tensor, repeats: int) -> list[float]:
    """The median time of each loss, the losses taking turns in every repeat.

    Interleaving gives each loss the same share of whatever else the machine is
    doing, so the ratios stay meaningful on a shared machine.
    """
    for fn in fns:
        for _ in range(3):  # warm-up (and, for a compiled loss, compilation)
            _run_once(fn, outputs)
    times: list[list[float]] = [[] for _ in fns]
    for _ in range(repeats):
        for i, fn in enumerate(fns):
            times[i].append(_run_once(fn, outputs))
    return [statistics.median(t) for t in times]


def bandwidth(device: torch.device, num_bytes: int, repeats: int) -> float:
    """Bytes per second of a large copy (each byte read once and written once)."""
    src = torch.empty(num_bytes // 4, device=device)
    dst = torch.empty_like(src)
    durations = []
    for i in range(repeats + 3):
        _synchronize(device)
        begin = time.perf_counter()
        if device.type == "cuda":
            start, end = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
            start.record()
            dst.copy_(src)
            end.record()
            end.synchronize()
            elapsed = start.elapsed_time(end) / 1e3
        else:
            dst.copy_(src)
            _synchronize(device)
            elapsed = time.perf_counter() - begin
        if i >= 3:
            durations.append(elapsed)
    return 2 * src.numel() * src.element_size() / statistics.median(durations)


def _softplus(column: torch.Tensor) -> torch.Tensor:
    # The same contiguous copy lossrecipe's Softplus link makes: on a strided column,
    # PyTorch's CPU softplus is an order of magnitude slower, and the baselines should
    # not pay for that quirk.
    return F.softplus(column.contiguous())


Case = tuple[str, torch.Tensor, torch.Tensor, lr.Recipe, Loss, Loss]


def cases(n: int, k: int, device: torch.device) -> list[Case]:
    """``(name, outputs, y, recipe, fused, dist)`` for each row, the data on ``device``."""
    g = torch.Generator().manual_seed(0)

    def on(t: torch.Tensor) -> torch.Tensor:
        return t.to(device)

    real_y = on(torch.randn(n, generator=g))
    binary_y = on((torch.rand(n, generator=g) < 0.5).float())
    class_y = on(torch.randint(0, k, (n,), generator=g))
    one = on(torch.randn(n, 1, generator=g))
    two = on(torch.randn(n, 2, generator=g))
    logits = on(torch.randn(n, k, generator=g))
    counts = on(torch.poisson(torch.full((n,), 3.0), generator=g))
    tags = on((torch.rand(n, 4, generator=g) < 0.5).float())
    four = on(torch.randn(n, 4, generator=g))
    var = torch.full((n,), 0.25, device=device)

    gauss = lr.Gaussian(sigma=0.5)
    hetero = lr.HeteroscedasticGaussian(link="softplus")
    bern = lr.Bernoulli()
    cat = lr.Categorical(num_classes=k)
    laplace = lr.Laplace(scale=0.5)
    poisson = lr.Poisson()
    tagger = lr.Independent(lr.Bernoulli(), 4)
    return [
        (
            "Gaussian(sigma=0.5)",
            one,
            real_y,
            gauss,
            lambda o: F.gaussian_nll_loss(o[:, 0], real_y, var, full=True),
            lambda o: -torch.distributions.Normal(o[:, 0], 0.5).log_prob(real_y).mean(),
        ),
        (
            "HeteroscedasticGaussian",
            two,
            real_y,
            hetero,
            lambda o: F.gaussian_nll_loss(o[:, 0], real_y, _softplus(o[:, 1]), full=True),
            lambda o: (
                -torch.distributions.Normal(o[:, 0], _softplus(o[:, 1]).sqrt())
                .log_prob(real_y)
                .mean()
            ),
        ),
        (
            "Bernoulli",
            one,
            binary_y,
            bern,
            lambda o: F.binary_cross_entropy_with_logits(o[:, 0], binary_y),
            lambda o: -torch.distributions.Bernoulli(logits=o[:, 0]).log_prob(binary_y).mean(),
        ),
        (
            f"Categorical(K={k})",
            logits,
            class_y,
            cat,
            lambda o: F.cross_entropy(o, class_y),
            lambda o: -torch.distributions.Categorical(logits=o).log_prob(class_y).mean(),
        ),
        (
            "Laplace(scale=0.5)",
            one,
            real_y,
            laplace,
            lambda o: F.l1_loss(o[:, 0], real_y) / 0.5 + math.log(2 * 0.5),
            lambda o: -torch.distributions.Laplace(o[:, 0], 0.5).log_prob(real_y).mean(),
        ),
        (
            # The fused loss leaves out log y! (full=True adds only Stirling's
            # approximation of it), so the exact term is added, as a user would.
            "Poisson",
            one,
            counts,
            poisson,
            lambda o: (
                F.poisson_nll_loss(o[:, 0], counts, log_input=True)
                + torch.lgamma(counts + 1.0).mean()
            ),
            lambda o: -torch.distributions.Poisson(o[:, 0].exp()).log_prob(counts).mean(),
        ),
        (
            "Independent(Bernoulli, 4)",
            four,
            tags,
            tagger,
            lambda o: 4 * F.binary_cross_entropy_with_logits(o, tags),
            lambda o: (
                -torch.distributions.Independent(torch.distributions.Bernoulli(logits=o), 1)
                .log_prob(tags)
                .mean()
            ),
        ),
    ]


def _mean_nll(recipe: lr.Recipe, y: torch.Tensor) -> Loss:
    return lambda o: recipe.nll(o, y, reduction="mean")


def _ratio(a: float, b: float) -> str:
    return f"{a / b:.2f}" if math.isfinite(a) and b > 0 else "-"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--device", default="cpu", help="cpu, cuda, cuda:1, mps (default cpu)")
    parser.add_argument("--n", type=int, default=None, help="examples (10^6 CPU, 10^7 GPU)")
    parser.add_argument("--classes", type=int, default=10)
    parser.add_argument("--repeats", type=int, default=25)
    compiled = parser.add_mutually_exclusive_group()
    compiled.add_argument("--compile", dest="compile", action="store_true", default=None)
    compiled.add_argument("--no-compile", dest="compile", action="store_false")
    args = parser.parse_args()
    device = torch.device(args.device)
    on_cpu = device.type == "cpu"
    n = args.n or (1_000_000 if on_cpu else 10_000_000)
    use_compile = (not on_cpu) if args.compile is None else args.compile
    if on_cpu:
        torch.set_num_threads(1)
    rate = bandwidth(device, 16 * n, args.repeats)

    print(
        f"N = {n:,}, float32, {device}{', one thread' if on_cpu else ''}, forward + backward, "
        f"median of {args.repeats}; copy bandwidth {rate / 1e9:.0f} GB/s"
    )
    header = f"{'recipe':26s} {'on':>7s} {'off':>7s} {'fused':>7s} {'dist':>7s} "
    header += f"{'compiled':>8s} {'floor':>7s} {'on/fused':>8s} {'off/fused':>9s} "
    header += f"{'on/dist':>7s} {'comp/floor':>10s}"
    print(header)
    print("-" * len(header))
    for name, outputs, y, recipe, fused, dist in cases(n, args.classes, device):
        on, off = (
            _mean_nll(recipe.with_validation(True), y),
            _mean_nll(recipe.with_validation(False), y),
        )
        fns: list[Loss] = [on, off, fused, dist]
        if use_compile:
            fns.append(torch.compile(off))
        times = _time(fns, outputs, args.repeats) + ([] if use_compile else [math.nan])
        t_on, t_off, t_fused, t_dist, t_compiled = times
        moved = 3 * outputs.numel() * outputs.element_size() + 2 * y.numel() * y.element_size()
        t_floor = moved / rate
        print(
            f"{name:26s} {1e3 * t_on:7.2f} {1e3 * t_off:7.2f} {1e3 * t_fused:7.2f} "
            f"{1e3 * t_dist:7.2f} {1e3 * t_compiled:8.2f} {1e3 * t_floor:7.2f} "
            f"{_ratio(t_on, t_fused):>8s} {_ratio(t_off, t_fused):>9s} "
            f"{_ratio(t_on, t_dist):>7s} {_ratio(t_compiled, t_floor):>10s}"
        )
    print("times in ms; floor: read outputs and targets twice, write the gradient once")
    if on_cpu:
        print("CPU budget: on/fused <= 1.25 and on/dist < 1")
    else:
        print("GPU goals: off/fused <= 1.0 and on/fused <= 1.15 at N = 10^7;")
        print("           comp/floor <= 2.5 at N = 10^8 (--n 100000000)")


if __name__ == "__main__":
    main()
