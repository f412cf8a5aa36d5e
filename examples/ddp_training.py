"""Train a recipe with DistributedDataParallel: one process per device, equal shares.

Every process (a "rank") holds a copy of the network, takes its own share of each
mini-batch (``DistributedSampler``), computes the mean NLL of its share and calls
``backward()``; DDP then averages the gradients over the ranks, so every copy takes the
same optimiser step.  With ``reduction="mean"`` and equal shares, the average of the
ranks' mean gradients is the gradient of the mean NLL of the whole batch: training
equals single-process training on the concatenated batch (``tests/test_ddp.py`` checks
it to float precision).  With ``reduction="sum"`` each rank's gradient is its share's
sum, and DDP's average is the whole batch's sum divided by the number of ranks: the
steps shrink as ranks are added.

Run on the CPU, two processes talking through the gloo backend:

    python examples/ddp_training.py --world-size 2 --out weights.pt

(it starts the processes itself; or start each one yourself, ``--rank 0`` and ``--rank
1`` with the same ``--init-file``, as a cluster's launcher would).

On GPUs, use the "nccl" backend and put each rank's network and batches on its own
device (``torch.device("cuda", rank)``, ``DDP(net, device_ids=[rank])``); the loss
code does not change.
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

import torch
import torch.distributed as dist
import torch.multiprocessing as mp
from torch.nn.parallel import DistributedDataParallel
from torch.utils.data import DataLoader, DistributedSampler, TensorDataset

import lossrecipe as lr

BATCH_PER_RANK = 8
SEED = 0


def data() -> tuple[torch.Tensor, torch.Tensor]:
    """The training set every rank sees (each then reads its own share of it)."""
    return lr.data.heteroscedastic_1d(num_points=64, seed=SEED, dtype=torch.float64)


def network(x: torch.Tensor) -> torch.nn.Module:
    """The same initial network on every rank: seeded, kinks placed in the data."""
    torch.manual_seed(SEED)
    net = lr.MLP(num_inputs=1, hidden=(16,), num_outputs=2).double()
    lr.models.reset_parameters(net, x)
    return net


def loader(rank: int, world_size: int) -> DataLoader:
    """Rank ``rank``'s share of every mini-batch: a new shuffle each epoch."""
    dataset = TensorDataset(*data())
    sampler = DistributedSampler(dataset, num_replicas=world_size, rank=rank, seed=SEED)
    return DataLoader(dataset, batch_size=BATCH_PER_RANK, sampler=sampler)


def train(rank: int, world_size: int, init_file: str, epochs: int, out: str) -> None:
    torch.set_num_threads(1)
    dist.init_process_group(
        "gloo", init_method=f"file://{init_file}", rank=rank, world_size=world_size
    )
    recipe = lr.HeteroscedasticGaussian()
    x, y = data()
    recipe.nll(torch.zeros(len(x), recipe.num_outputs, dtype=x.dtype), y)  # check y once
    model = DistributedDataParallel(network(x))
    # lossrecipe's Adam makes torch.optim.Adam's updates, bit for bit, and starts faster
    optimizer = lr.optimizers.Adam(list(model.parameters()), lr=0.01)
    quiet = recipe.with_validation(False)  # checked: no more reads from the device
    batches = loader(rank, world_size)
    for epoch in range(epochs):
        batches.sampler.set_epoch(epoch)
        for x_share, y_share in batches:
            optimizer.zero_grad()
            loss = quiet.nll(model(x_share), y_share, reduction="mean")
            loss.backward()  # DDP averages the gradients over the ranks here
            optimizer.step()
    if rank == 0:
        torch.save(model.module.state_dict(), out)
    dist.destroy_process_group()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--world-size", type=int, default=2)
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--out", default="weights.pt", help="where rank 0 saves the weights")
    parser.add_argument("--rank", type=int, help="run only this rank (default: start them all)")
    parser.add_argument("--init-file", help="with --rank: the file where the ranks meet")
    args = parser.parse_args()
    if args.rank is not None:
        train(args.rank, args.world_size, args.init_file, args.epochs, args.out)
        return
    with tempfile.TemporaryDirectory() as scratch:
        init_file = str(Path(scratch) / "rendezvous")  # the ranks find each other here
        mp.spawn(
            train,
            args=(args.world_size, init_file, args.epochs, args.out),
            nprocs=args.world_size,
        )


if __name__ == "__main__":
    main()
