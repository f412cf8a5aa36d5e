"""Time each recipe's NLL (forward + backward) against PyTorch's fused loss and the
``torch.distributions`` path, with input validation on.

Run: ``make bench`` (or ``.venv/bin/python benchmarks/bench_losses.py``).  One thread,
N = 10^6 examples, float32; each figure is the median of 25 repeats after warm-up, the
three losses of a row taking turns in every repeat (the rows with 4 x 10^6 terms vary
most from repeat to repeat: their allocations are the largest).
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


def _time(fns: list[Loss], outputs: torch.Tensor, repeats: int) -> list[float]:
    """The median time of each loss, the losses taking turns in every repeat.

    Interleaving gives each loss the same share of whatever else the machine is
    doing, so the ratios stay meaningful on a shared machine.
    """

    def once(fn: Loss) -> float:
        leaf = outputs.detach().requires_grad_(True)
        start = time.perf_counter()
        fn(leaf).backward()
        return time.perf_counter() - start

    for fn in fns:
        once(fn)
        once(fn)
    times: list[list[float]] = [[] for _ in fns]
    for _ in range(repeats):
        for i, fn in enumerate(fns):
            times[i].append(once(fn))
    return [statistics.median(t) for t in times]


def _softplus(column: torch.Tensor) -> torch.Tensor:
    # The same contiguous copy lossrecipe's Softplus link makes: on a strided column,
    # PyTorch's CPU softplus is an order of magnitude slower, and the baselines should
    # not pay for that quirk.
    return F.softplus(column.contiguous())


def cases(n: int, k: int) -> list[tuple[str, torch.Tensor, Loss, Loss, Loss]]:
    g = torch.Generator().manual_seed(0)
    real_y = torch.randn(n, generator=g)
    binary_y = (torch.rand(n, generator=g) < 0.5).float()
    class_y = torch.randint(0, k, (n,), generator=g)
    one = torch.randn(n, 1, generator=g)
    two = torch.randn(n, 2, generator=g)
    logits = torch.randn(n, k, generator=g)
    counts = torch.poisson(torch.full((n,), 3.0), generator=g)
    tags = (torch.rand(n, 4, generator=g) < 0.5).float()
    four = torch.randn(n, 4, generator=g)

    gauss = lr.Gaussian(sigma=0.5)
    var = torch.full((n,), 0.25)
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
            lambda o: gauss.nll(o, real_y, reduction="mean"),
            lambda o: F.gaussian_nll_loss(o[:, 0], real_y, var, full=True),
            lambda o: -torch.distributions.Normal(o[:, 0], 0.5).log_prob(real_y).mean(),
        ),
        (
            "HeteroscedasticGaussian",
            two,
            lambda o: hetero.nll(o, real_y, reduction="mean"),
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
            lambda o: bern.nll(o, binary_y, reduction="mean"),
            lambda o: F.binary_cross_entropy_with_logits(o[:, 0], binary_y),
            lambda o: -torch.distributions.Bernoulli(logits=o[:, 0]).log_prob(binary_y).mean(),
        ),
        (
            f"Categorical(K={k})",
            logits,
            lambda o: cat.nll(o, class_y, reduction="mean"),
            lambda o: F.cross_entropy(o, class_y),
            lambda o: -torch.distributions.Categorical(logits=o).log_prob(class_y).mean(),
        ),
        (
            "Laplace(scale=0.5)",
            one,
            lambda o: laplace.nll(o, real_y, reduction="mean"),
            lambda o: F.l1_loss(o[:, 0], real_y) / 0.5 + math.log(2 * 0.5),
            lambda o: -torch.distributions.Laplace(o[:, 0], 0.5).log_prob(real_y).mean(),
        ),
        (
            # The fused loss leaves out log y! (full=True adds only Stirling's
            # approximation of it), so the exact term is added, as a user would.
            "Poisson",
            one,
            lambda o: poisson.nll(o, counts, reduction="mean"),
            lambda o: (
                F.poisson_nll_loss(o[:, 0], counts, log_input=True)
                + torch.lgamma(counts + 1.0).mean()
            ),
            lambda o: -torch.distributions.Poisson(o[:, 0].exp()).log_prob(counts).mean(),
        ),
        (
            "Independent(Bernoulli, 4)",
            four,
            lambda o: tagger.nll(o, tags, reduction="mean"),
            lambda o: 4 * F.binary_cross_entropy_with_logits(o, tags),
            lambda o: (
                -torch.distributions.Independent(torch.distributions.Bernoulli(logits=o), 1)
                .log_prob(tags)
                .mean()
            ),
        ),
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=1_000_000)
    parser.add_argument("--classes", type=int, default=10)
    parser.add_argument("--repeats", type=int, default=25)
    args = parser.parse_args()
    torch.set_num_threads(1)

    header = f"{'recipe':26s} {'ours ms':>8s} {'fused ms':>9s} {'dist ms':>8s} "
    header += f"{'ours/fused':>11s} {'ours/dist':>10s}"
    print(f"N = {args.n:,}, float32, one thread, forward + backward, median of {args.repeats}")
    print(header)
    print("-" * len(header))
    for name, outputs, ours, fused, dist in cases(args.n, args.classes):
        t_ours, t_fused, t_dist = _time([ours, fused, dist], outputs, args.repeats)
        print(
            f"{name:26s} {1e3 * t_ours:8.2f} {1e3 * t_fused:9.2f} {1e3 * t_dist:8.2f} "
            f"{t_ours / t_fused:11.2f} {t_ours / t_dist:10.2f}"
        )
    print("target: ours/fused <= 1.25 and ours/dist < 1")


if __name__ == "__main__":
    main()
