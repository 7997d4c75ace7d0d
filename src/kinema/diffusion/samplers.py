"""Samplers: integrate the learned velocity field from noise (t = 1) to data (t = 0).

A sampler sees only a `VelocityFn` — (x, t) → v — so guidance (see `guidance.py`), known-frame
conditioning and the network itself are composed outside it.

- `euler`: first order, one velocity evaluation per step.
- `heun`: second order (Karras et al., 2022, Alg. 1): an Euler predictor, then the average of the
  velocities at both ends; the last step falls back to Euler, because the corrector would evaluate
  the network at t = 0, where it was never trained. Two evaluations per step, more accurate per step.

For a velocity field whose trajectories are straight lines — the ideal rectified flow — both are
exact at any step count; `tests/diffusion/test_samplers.py` checks that.
"""

from __future__ import annotations

from collections.abc import Callable

import torch

from kinema.diffusion.flow import shift_time

VelocityFn = Callable[[torch.Tensor, torch.Tensor], torch.Tensor]
"""(x (B, …), t (B,)) → velocity, same shape as x."""
StepCallback = Callable[[int, int], None]
"""(steps done, steps in all)."""

SAMPLERS = ("euler", "heun")


def time_grid(steps: int, shift: float = 1.0, device: torch.device | str = "cpu", start: float = 1.0) -> torch.Tensor:
    """steps + 1 times from `start` to 0, uniform then shifted towards noise (the same shift as training).

    start < 1 begins part-way (SDEdit, Meng et al. 2022): the grid is the tail of the full shifted grid
    from the time that shifts to `start`, so an edit spends its steps where a full run would.
    """
    if steps < 1:
        raise ValueError(f"steps must be at least 1, got {steps}")
    if not 0.0 < start <= 1.0:
        raise ValueError(f"start must be in (0, 1], got {start}")
    unshifted = start / (shift - (shift - 1.0) * start)  # the inverse of shift_time
    return shift_time(torch.linspace(unshifted, 0.0, steps + 1, device=device), shift)


def euler(velocity: VelocityFn, x: torch.Tensor, times: torch.Tensor, callback: StepCallback | None = None) -> torch.Tensor:
    steps = len(times) - 1
    for i in range(steps):
        t, t_next = times[i], times[i + 1]
        x = x + (t_next - t) * velocity(x, t.expand(x.shape[0]))
        if callback:
            callback(i + 1, steps)
    return x


def heun(velocity: VelocityFn, x: torch.Tensor, times: torch.Tensor, callback: StepCallback | None = None) -> torch.Tensor:
    steps = len(times) - 1
    for i in range(steps):
        t, t_next = times[i], times[i + 1]
        v = velocity(x, t.expand(x.shape[0]))
        x_pred = x + (t_next - t) * v
        if t_next > 0:
            v_next = velocity(x_pred, t_next.expand(x.shape[0]))
            x = x + (t_next - t) * 0.5 * (v + v_next)
        else:
            x = x_pred
        if callback:
            callback(i + 1, steps)
    return x


def sample(
    velocity: VelocityFn,
    noise: torch.Tensor,
    steps: int,
    sampler: str = "euler",
    shift: float = 1.0,
    callback: StepCallback | None = None,
    start: float = 1.0,
) -> torch.Tensor:
    """Integrate from `noise` (the state at t = `start`) to t = 0 with the named sampler."""
    if sampler not in SAMPLERS:
        raise ValueError(f"unknown sampler {sampler!r}; choose from {', '.join(SAMPLERS)}")
    times = time_grid(steps, shift, device=noise.device, start=start)
    return {"euler": euler, "heun": heun}[sampler](velocity, noise, times, callback)
