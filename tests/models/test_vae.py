import pytest
import torch

from kinema.models.vae import VAE_PRESETS, VAEConfig, VideoVAE


@pytest.fixture(scope="module")
def vae():
    torch.manual_seed(0)
    return VideoVAE(VAE_PRESETS["tiny"]).eval()


@pytest.mark.parametrize("frames", [1, 5, 17, 33])
def test_shapes_round_trip(vae, frames):
    x = torch.randn(2, 3, frames, 32, 48)
    with torch.no_grad():
        z = vae.encode(x)
        y = vae.decode(z)
    assert z.shape == (2, 4, 1 + (frames - 1) // 4, 8, 12)  # temporal ×4, spatial ×4 for the tiny preset
    assert y.shape == x.shape


def test_default_preset_compresses_8x_spatially():
    cfg = VAE_PRESETS["s"]
    assert (cfg.spatial_factor, cfg.temporal_factor) == (8, 4)
    vae = VideoVAE(cfg).eval()
    with torch.no_grad():
        z = vae.encode(torch.randn(1, 3, 5, 32, 64))
    assert z.shape == (1, 16, 2, 4, 8)


def test_first_frame_encoded_on_its_own(vae):
    """Causality: the first latent frame depends on the first frame only."""
    x = torch.randn(1, 3, 9, 32, 32)
    y = x.clone()
    y[:, :, 1:] = torch.randn_like(y[:, :, 1:])
    with torch.no_grad():
        zx, zy = vae.encode(x), vae.encode(y)
    assert torch.allclose(zx[:, :, 0], zy[:, :, 0], atol=1e-5)
    assert not torch.allclose(zx[:, :, 1], zy[:, :, 1], atol=1e-3)


def test_chunked_encode_and_decode_equal_whole(vae):
    x = torch.randn(1, 3, 17, 32, 32)
    with torch.no_grad():
        whole, _ = vae.encode_distribution(x)
        chunked, _ = vae.encode_distribution(x, chunked=True)
        decoded = vae.decode(whole)
        for chunk in (1, 2, 4):
            pieces = list(vae.decode_chunks(whole, chunk=chunk))
            assert len(pieces) == -(-whole.shape[2] // chunk)
            assert torch.allclose(torch.cat(pieces, dim=2), decoded, atol=1e-5)
    assert torch.allclose(whole, chunked, atol=1e-5)


@pytest.mark.parametrize("shape, message", [((1, 3, 6, 32, 32), "1 \\+ 4k"), ((1, 3, 5, 30, 32), "multiple"), ((1, 4, 5, 32, 32), "expected video")])
def test_bad_input_names_the_problem(vae, shape, message):
    with pytest.raises(ValueError, match=message):
        vae.encode(torch.randn(shape))


def test_config_rejects_out_of_range_temporal_level():
    with pytest.raises(ValueError, match="temporal_levels"):
        VAEConfig(channel_multipliers=(1, 2), temporal_levels=(0, 3))
