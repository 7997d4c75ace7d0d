import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest
import torch
from safetensors.torch import load_file

from dataclasses import replace

from kinema.checkpoint import load_checkpoint
from kinema.models.dit import DIT_PRESETS, DiT
from kinema.training.config import ConfigError, DiTTrainingConfig, load_config
from kinema.training.data import LatentCache, epoch_plan
from kinema.training.train_dit import train

from .conftest import dit_overrides


def config(world, vae, out, *extra):
    return load_config(DiTTrainingConfig, None, dit_overrides(world, vae, out, *extra))


def losses(folder: Path) -> list[float]:
    rows = (folder / "loss.csv").read_text().splitlines()[1:]
    return [float(r.split(",")[2]) for r in rows]


def test_unknown_key_is_a_clear_error(tmp_path):
    path = tmp_path / "bad.toml"
    path.write_text("[optim]\nlearning_rate = 1e-3\n")
    with pytest.raises(ConfigError, match="unknown key\\(s\\) learning_rate in \\[optim\\]; allowed: lr, betas"):
        load_config(DiTTrainingConfig, path)
    with pytest.raises(ConfigError, match="train.batch_size must be an integer"):
        load_config(DiTTrainingConfig, None, ["train.batch_size=two"])


def test_short_run_reduces_the_loss_and_writes_a_loadable_checkpoint(tiny_world, tiny_vae, tmp_path):
    # Two clips, one size, one length, no dropout: the fall is the model learning them, not batch noise.
    out = tmp_path / "run"
    train(config(tiny_world, tiny_vae, out, "train.max_steps=100", "optim.lr=3e-3", "data.sizes=['32x32']", "data.lengths=[3]",
                 "data.length_weights=[1.0]", "data.max_clips=2", "data.multiview_fraction=0.0", "conditioning.caption_dropout=0.0",
                 "conditioning.continuation_fraction=0.0", "optim.ema_decay=0.9"))
    values = losses(out)
    assert len(values) == 100
    first, last = sum(values[:20]) / 20, sum(values[-20:]) / 20
    assert last < 0.8 * first, (first, last)
    model_config, vae, dit = load_checkpoint(out / "checkpoint")
    assert model_config.training["steps"] == 100 and model_config.sampling.window_latent_frames == 3
    assert (out / "loss.png").exists()


def test_resume_continues_bit_for_bit(tiny_world, tiny_vae, tmp_path):
    straight, stopped = tmp_path / "straight", tmp_path / "stopped"
    train(config(tiny_world, tiny_vae, straight, "train.max_steps=8"))
    train(config(tiny_world, tiny_vae, stopped, "train.max_steps=5"))  # interrupted at step 5 …
    train(config(tiny_world, tiny_vae, stopped, "train.max_steps=8"))  # … and resumed from its state
    a = load_file(straight / "state" / "model.safetensors")
    b = load_file(stopped / "state" / "model.safetensors")
    assert all(torch.equal(a[k], b[k]) for k in a)
    assert losses(straight) == losses(stopped)


def test_an_epoch_holds_several_shapes(tiny_world, tiny_vae, tmp_path):
    out = tmp_path / "plan"
    train(config(tiny_world, tiny_vae, out, "train.max_steps=1"))
    cache = LatentCache.load(out / "cache.pt")
    plan = epoch_plan(cache, 2, (3, 2, 1), (0.5, 0.3, 0.2), 1.0, seed=0, epoch=0)
    shapes = {(cache.sizes[b.group], b.length, b.multiview) for b in plan}
    assert len({s[0] for s in shapes}) == 2 and len({s[1] for s in shapes}) >= 2
    assert any(s[2] for s in shapes)  # multi-view batches too
    single = [i for b in plan if not b.multiview for i in b.items]
    assert len(single) == len(set(single)) >= len(cache.items) - 2 * len(cache.sizes)  # each video once (less the odd ones out)


@pytest.fixture(scope="module")
def one_process(tiny_world, tiny_vae, tmp_path_factory):
    one = tmp_path_factory.mktemp("one")
    train(load_config(DiTTrainingConfig, None, dit_overrides(tiny_world, tiny_vae, one, "train.max_steps=3", "optim.ema_decay=0.0")))
    return one


@pytest.mark.parametrize("parallel", ["ddp", "fsdp"])
def test_two_processes_stay_in_step_with_one(tiny_world, tiny_vae, one_process, tmp_path, parallel):
    """torchrun, 2 CPU processes on gloo: a replica each (DDP) or the parameters sharded (FSDP2)."""
    one, two = one_process, tmp_path / "two"
    overrides = dit_overrides(tiny_world, tiny_vae, two, "train.max_steps=3", "optim.ema_decay=0.0", f"train.parallel='{parallel}'")
    env = {**os.environ, "OMP_NUM_THREADS": "1", "PYTHONPATH": str(Path(__file__).parents[2] / "src")}
    with socket.socket() as probe:  # a free port for the two processes to meet on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    result = subprocess.run(
        [sys.executable, "-m", "torch.distributed.run", "--nproc-per-node=2", f"--master-port={port}",
         "-m", "kinema.cli", "train", "dit", *overrides],
        env=env, capture_output=True, text=True, timeout=300,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    a = load_file(one / "state" / "model.safetensors")
    b = load_file(two / "state" / "model.safetensors")
    assert all(torch.allclose(a[k], b[k], atol=1e-5, rtol=1e-4) for k in a)
    untrained = DiT(replace(DIT_PRESETS["tiny"], text_dim=384)).state_dict()
    assert not torch.allclose(a["final.weight"], untrained["final.weight"])  # they did train, in step
