import json

import pytest
import torch

from kinema.checkpoint import CheckpointError, ModelConfig, load_checkpoint, read_config, save_checkpoint
from kinema.models.dit import DiT
from kinema.models.vae import VideoVAE

from .conftest import tiny_model_config


def test_round_trip_rebuilds_from_config(tmp_path):
    torch.manual_seed(0)
    config = tiny_model_config()
    vae, dit = VideoVAE(config.vae), DiT(config.dit)
    vae.latent_std.fill_(2.5)
    save_checkpoint(tmp_path, config, vae, dit, dtype=torch.float32)
    loaded_config, vae2, dit2 = load_checkpoint(tmp_path)
    assert loaded_config == config
    for a, b in zip(list(vae.state_dict().values()) + list(dit.state_dict().values()), list(vae2.state_dict().values()) + list(dit2.state_dict().values())):
        assert torch.equal(a, b)
    assert not any(p.requires_grad for p in dit2.parameters())


def test_weights_are_stored_in_half_precision_by_default(tmp_path):
    from safetensors import safe_open

    config = tiny_model_config()
    save_checkpoint(tmp_path, config, VideoVAE(config.vae), DiT(config.dit))
    with safe_open(tmp_path / "model.safetensors", "pt") as f:
        assert f.get_tensor("dit.final.weight").dtype == torch.bfloat16
        assert f.get_tensor("vae.latent_std").dtype == torch.float32  # statistics stay exact


def test_unknown_config_key_is_an_error(tmp_path):
    data = tiny_model_config().to_dict()
    data["dit"]["widht"] = 10
    (tmp_path / "config.json").write_text(json.dumps(data))
    with pytest.raises(CheckpointError, match="unknown key\\(s\\) widht in dit"):
        read_config(tmp_path)


def test_missing_files_are_named(tmp_path):
    with pytest.raises(CheckpointError, match="config.json is missing"):
        read_config(tmp_path)
    (tmp_path / "config.json").write_text(json.dumps(tiny_model_config().to_dict()))
    with pytest.raises(CheckpointError, match="model.safetensors is missing"):
        load_checkpoint(tmp_path)


def test_mismatched_latent_channels_rejected():
    config = tiny_model_config()
    with pytest.raises(ValueError, match="latent channels"):
        ModelConfig(name="x", vae=config.vae, dit=type(config.dit)(latent_channels=8, width=64, depth=1, heads=2))
