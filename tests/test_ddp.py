"""DistributedDataParallel: two CPU processes equal one process on the whole batch.

``examples/ddp_training.py`` trains a recipe with DDP on two processes (gloo backend),
each taking its own half of every mini-batch with ``reduction="mean"``.  Here the same
network is trained in this one process on the two halves put together, step by step;
the weights must agree to float precision.
"""

import importlib.util
import subprocess
import sys
from pathlib import Path

import torch

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = ROOT / "examples" / "ddp_training.py"


def _example():
    spec = importlib.util.spec_from_file_location("ddp_training", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_ddp_on_two_processes_equals_one_process_on_the_whole_batch(tmp_path):
    epochs, world_size = 2, 2
    out = tmp_path / "weights.pt"
    command = [sys.executable, str(SCRIPT), "--world-size", str(world_size)]
    command += ["--epochs", str(epochs), "--out", str(out)]
    command += ["--init-file", str(tmp_path / "rendezvous")]
    # one process per rank, started side by side as a cluster launcher would
    ranks = [subprocess.Popen([*command, "--rank", str(r)]) for r in range(world_size)]
    assert [rank.wait(timeout=300) for rank in ranks] == [0] * world_size
    ddp_weights = torch.load(out)

    example = _example()
    x, _ = example.data()
    net = example.network(x)
    optimizer = example.lr.optimizers.Adam(list(net.parameters()), lr=0.01)
    recipe = example.lr.HeteroscedasticGaussian(validate=False)
    shares = [example.loader(rank, world_size) for rank in range(world_size)]
    steps = 0
    for epoch in range(epochs):
        for share in shares:
            share.sampler.set_epoch(epoch)
        for batch in zip(*shares, strict=True):  # one step: every rank's share, together
            x_all = torch.cat([x_share for x_share, _ in batch])
            y_all = torch.cat([y_share for _, y_share in batch])
            optimizer.zero_grad()
            recipe.nll(net(x_all), y_all, reduction="mean").backward()
            optimizer.step()
            steps += 1
    assert steps == epochs * len(x) // (world_size * example.BATCH_PER_RANK)
    single = net.state_dict()
    assert ddp_weights.keys() == single.keys()
    for name, value in single.items():
        # the average of two means vs one mean of the same numbers: rounding only
        torch.testing.assert_close(ddp_weights[name], value, rtol=1e-12, atol=1e-12)
    initial = example.network(x).state_dict()
    assert any(not torch.equal(initial[name], value) for name, value in single.items())
