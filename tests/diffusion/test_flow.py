import math

import torch

from kinema.diffusion.flow import flow_loss, interpolate, resolution_shift, sample_timesteps, shift_time, velocity_target


def test_path_endpoints_and_velocity():
    x0, noise = torch.randn(3, 4, 2), torch.randn(3, 4, 2)
    assert torch.equal(interpolate(x0, noise, torch.zeros(3)), x0)
    assert torch.equal(interpolate(x0, noise, torch.ones(3)), noise)
    # the target is the derivative of the path in t
    t, dt = torch.full((3,), 0.3), 1e-3
    numeric = (interpolate(x0, noise, t + dt) - interpolate(x0, noise, t)) / dt
    assert torch.allclose(numeric, velocity_target(x0, noise), atol=1e-2)


def test_logit_normal_timesteps():
    g = torch.Generator().manual_seed(0)
    t = sample_timesteps(20_000, generator=g)
    assert 0 < t.min() and t.max() < 1
    assert abs(t.mean().item() - 0.5) < 0.01  # symmetric around 0.5 without shift
    assert ((t > 0.25) & (t < 0.75)).float().mean() > 0.6  # mass in the middle


def test_shift_moves_time_towards_noise_for_more_tokens():
    assert resolution_shift(256) == 1.0
    assert resolution_shift(1024) == 2.0
    assert resolution_shift(10**9) == 6.0  # capped
    t = torch.linspace(0, 1, 11)
    shifted = shift_time(t, 3.0)
    assert shifted[0] == 0 and shifted[-1] == 1
    assert (shifted[1:-1] > t[1:-1]).all()
    g = torch.Generator().manual_seed(0)
    assert sample_timesteps(5000, shift=3.0, generator=g).mean() > 0.6


def test_masked_loss_ignores_known_frames():
    target = torch.zeros(1, 2, 3, 1, 1)
    pred = torch.zeros_like(target)
    pred[:, :, 0] = 10.0  # wrong only on the known frame
    weight = torch.ones(1, 1, 3, 1, 1)
    weight[:, :, 0] = 0
    assert flow_loss(pred, target, weight) == 0
    assert math.isclose(flow_loss(pred, target).item(), 100 / 3, rel_tol=1e-6)
