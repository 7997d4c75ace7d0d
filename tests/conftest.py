"""Shared fixtures: tiny real networks and a tiny checkpoint folder built here, never downloaded."""

from __future__ import annotations

import os

import pytest
import torch

from kinema.checkpoint import ModelConfig, SamplingDefaults, save_checkpoint
from kinema.models.dit import DiT, DiTConfig
from kinema.models.vae import VAE_PRESETS, VideoVAE

@pytest.fixture(autouse=True, scope="session")
def kinema_home(tmp_path_factory):
    """Kinema's data folder (installation id, local signing chain, fingerprint index) in a temporary
    folder for the whole run, so tests never write to the user's own."""
    home = tmp_path_factory.mktemp("kinema-home")
    previous = os.environ.get("KINEMA_HOME")
    os.environ["KINEMA_HOME"] = str(home)
    yield home
    if previous is None:
        os.environ.pop("KINEMA_HOME", None)
    else:
        os.environ["KINEMA_HOME"] = previous


TINY_DIT = DiTConfig(latent_channels=4, width=64, depth=2, heads=2, text_dim=384, frequency_dim=64)


def tiny_model_config(name: str = "tiny-test") -> ModelConfig:
    return ModelConfig(
        name=name,
        vae=VAE_PRESETS["tiny"],
        dit=TINY_DIT,
        sampling=SamplingDefaults(size="64x64", sizes=("64x64",), fps=8.0, seconds=2.0, steps=3, window_latent_frames=3, window_overlap=1),
        description="random tiny model for tests",
    )


@pytest.fixture(scope="session")
def tiny_checkpoint(tmp_path_factory):
    """A checkpoint folder of random tiny networks (weights perturbed so outputs are not trivially zero)."""
    torch.manual_seed(0)
    config = tiny_model_config()
    vae, dit = VideoVAE(config.vae), DiT(config.dit)
    with torch.no_grad():
        for p in dit.parameters():
            p.add_(torch.randn_like(p) * 0.02)
    return save_checkpoint(tmp_path_factory.mktemp("ckpt") / "tiny", config, vae, dit)


@pytest.fixture(scope="session")
def text_encoder():
    from kinema.models.text import MiniLMEncoder

    return MiniLMEncoder()


@pytest.fixture(scope="session")
def tiny_pipeline(tmp_path_factory):
    """tiny_pipeline(kind) → a saved diffusers folder of that tiny random pipeline, built once per session.

    Kinds are `kinema.engines.diffusers_tiny.KINDS` (wan-t2v, wan-i2v, ltx, cogvideox-t2v, cogvideox-i2v,
    hunyuanvideo). Tests that use it are skipped where diffusers (the optional extra) is not installed.
    """
    pytest.importorskip("diffusers")
    from kinema.engines.diffusers_tiny import build

    built: dict[str, object] = {}

    def get(kind: str):
        if kind not in built:
            built[kind] = build(kind, tmp_path_factory.mktemp("diffusers") / kind)
        return built[kind]

    return get
