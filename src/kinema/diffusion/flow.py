"""Rectified flow: the noising path, the training target, and timestep sampling.

Convention (SD3, Esser et al. 2024; Wan): flow time t runs from 0 (data) to 1 (noise) along the
straight path

    x_t = (1 - t) · x_0 + t · ε,        ε ~ N(0, I)

and the network predicts the constant velocity of that path, v = ε - x_0 (Liu et al., 2022).
Sampling integrates dx/dt = v from t = 1 down to t = 0 (see `samplers.py`).

Timesteps for training are drawn logit-normally (SD3 §3.1: most samples in the middle, where the
task is hardest) and then shifted towards noise for larger inputs (SD3 §5.3.2): more tokens carry
more redundant signal, so the same t destroys less information and needs shifting to stay hard.
"""

from __future__ import annotations

import math

import torch


def interpolate(x0: torch.Tensor, noise: torch.Tensor, t: torch.Tensor) -> torch.Tensor:
    """x_t = (1 - t) x0 + t noise; t: (B,) broadcast over the other axes."""
    t = t.view(-1, *([1] * (x0.ndim - 1)))
    return (1 - t) * x0 + t * noise


def velocity_target(x0: torch.Tensor, noise: torch.Tensor) -> torch.Tensor:
    """dx_t/dt along the straight path: noise - x0."""
    return noise - x0


def flow_loss(prediction: torch.Tensor, target: torch.Tensor, weight: torch.Tensor | None = None) -> torch.Tensor:
    """Mean squared velocity error; `weight` (broadcastable, e.g. 0 on known frames) masks positions."""
    error = (prediction.float() - target.float()).pow(2)
    if weight is None:
        return error.mean()
    weight = weight.expand_as(error).float()
    return (error * weight).sum() / weight.sum().clamp_min(1.0)


def resolution_shift(num_tokens: int, base_tokens: int = 256, max_shift: float = 6.0) -> float:
    """SD3's shift α = sqrt(m / n): m tokens now, n = base_tokens where the shift is 1."""
    return float(min(max_shift, max(1.0, math.sqrt(num_tokens / base_tokens))))


def shift_time(t: torch.Tensor, shift: float) -> torch.Tensor:
    """Map t to α t / (1 + (α - 1) t): α > 1 moves time towards the noise end, keeping 0 and 1 fixed."""
    return shift * t / (1 + (shift - 1) * t)


def sample_timesteps(
    batch: int,
    shift: float = 1.0,
    mean: float = 0.0,
    std: float = 1.0,
    generator: torch.Generator | None = None,
    device: torch.device | str = "cpu",
) -> torch.Tensor:
    """(batch,) training times: sigmoid of a normal (logit-normal), then resolution-shifted."""
    u = torch.randn(batch, generator=generator, device=device) * std + mean
    return shift_time(torch.sigmoid(u), shift)
