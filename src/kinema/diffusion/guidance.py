"""Classifier-free guidance (Ho & Salimans, 2022) with a negative prompt.

    v = v_neg + w · (v_cond - v_neg)

v_neg is the velocity under the negative prompt — or under the empty prompt, which is what training
dropped captions to (condition dropout) — so a negative prompt steers away from what it describes.
w = 1 is plain conditional sampling and skips the second branch. Both branches run as one batch.
"""

from __future__ import annotations

from collections.abc import Callable

import torch

from kinema.diffusion.samplers import VelocityFn

ConditionedFn = Callable[[torch.Tensor, torch.Tensor, bool], torch.Tensor]
"""(x, t, with_negative) → velocity. with_negative=False: x is (B, …), conditioned on the prompt;
with_negative=True: x is (2B, …), the first half conditioned on the prompt, the second on the
negative prompt."""


def guided(model: ConditionedFn, guidance_scale: float) -> VelocityFn:
    """Turn a model that can evaluate [prompt; negative] batches into a guided velocity field."""

    def velocity(x: torch.Tensor, t: torch.Tensor) -> torch.Tensor:
        if guidance_scale == 1.0:
            return model(x, t, False)
        v_cond, v_neg = model(torch.cat([x, x]), torch.cat([t, t]), True).chunk(2)
        return v_neg + guidance_scale * (v_cond - v_neg)

    return velocity
