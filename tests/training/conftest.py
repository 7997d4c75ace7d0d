"""A tiny Kinema World and a tiny trained VAE, built once per test session (seconds on a CPU)."""

import pytest

from kinema.training.config import VAETrainingConfig, load_config
from kinema.world.build import BuildSettings, build
from kinema.world.source import pack


@pytest.fixture(scope="session")
def tiny_world(tmp_path_factory):
    folder = tmp_path_factory.mktemp("world")
    settings = BuildSettings(clips=12, width=32, height=32, seconds=2.0, fps=4.0, seed=3, video=False, max_objects=2,
                             shots_probability=0.2, multiview_probability=0.8)
    build(settings, folder, workers=1, progress=False)
    packed = folder.parent / "world.npz"
    pack(folder, packed)
    return packed


@pytest.fixture(scope="session")
def tiny_vae(tiny_world, tmp_path_factory):
    from kinema.training.train_vae import train

    out = tmp_path_factory.mktemp("vae")
    config = load_config(VAETrainingConfig, None, [
        "model.preset=tiny", f"data.world='{tiny_world}'", "data.pool_clips=6", "data.size='32x32'", "data.crop=16",
        "data.frames=5", "train.batch_size=2", "train.max_steps=3", f"train.out='{out}'", "train.precision='fp32'",
    ])
    return train(config)


def dit_overrides(world, vae, out, *extra):
    return [
        "model.preset='tiny'", f"model.vae='{vae}'", f"data.world='{world}'", "data.sizes=['32x32', '32x16']",
        "data.lengths=[3, 2, 1]", "data.length_weights=[0.5, 0.3, 0.2]", "data.multiview_fraction=1.0",
        "conditioning.continuation_fraction=0.5", "train.batch_size=2", f"train.out='{out}'", "train.precision='fp32'",
        "train.log_every=1000", "train.save_every=1000", "sampling_prompts=[]", "optim.warmup_steps=1", *extra,
    ]
