import pytest
import torch

from kinema.diffusion.guidance import guided
from kinema.diffusion.samplers import sample, time_grid


def straight_line_field(x0: torch.Tensor):
    """The exact rectified-flow velocity when the data is the single point x0: every trajectory is a
    straight line from its noise to x0, so v(x, t) = (x - x0) / t."""
    return lambda x, t: (x - x0) / t.view(-1, *([1] * (x.ndim - 1)))


@pytest.mark.parametrize("sampler", ["euler", "heun"])
@pytest.mark.parametrize("steps", [1, 3, 17])
@pytest.mark.parametrize("shift", [1.0, 2.5])
def test_integrates_a_linear_flow_exactly(sampler, steps, shift):
    g = torch.Generator().manual_seed(0)
    x0 = torch.randn(2, 3, 4, generator=g, dtype=torch.float64)
    noise = torch.randn(2, 3, 4, generator=g, dtype=torch.float64)
    out = sample(straight_line_field(x0), noise, steps, sampler, shift)
    assert torch.allclose(out, x0, atol=1e-10)


def test_heun_is_more_accurate_than_euler_on_a_curved_flow():
    # dx/dt = x has solution x(0) = x(1) / e; neither sampler is exact, Heun is second order
    field = lambda x, t: x  # noqa: E731
    x1 = torch.ones(1, dtype=torch.float64)
    exact = x1 / torch.e
    euler_error = (sample(field, x1, 8, "euler") - exact).abs().item()
    heun_error = (sample(field, x1, 8, "heun") - exact).abs().item()
    assert heun_error < euler_error / 5


def test_callback_sees_every_step():
    seen = []
    sample(lambda x, t: x, torch.ones(1), 4, "heun", callback=lambda i, n: seen.append((i, n)))
    assert seen == [(1, 4), (2, 4), (3, 4), (4, 4)]


def test_time_grid_and_errors():
    grid = time_grid(4)
    assert grid[0] == 1 and grid[-1] == 0 and (grid[1:] < grid[:-1]).all()
    with pytest.raises(ValueError, match="steps"):
        time_grid(0)
    with pytest.raises(ValueError, match="sampler"):
        sample(lambda x, t: x, torch.ones(1), 2, "dpm")


def test_guidance_combines_branches():
    calls = []

    def model(x, t, with_negative):
        calls.append((x.shape[0], with_negative))
        if not with_negative:
            return torch.full_like(x, 2.0)
        half = x.shape[0] // 2
        return torch.cat([torch.full_like(x[:half], 2.0), torch.full_like(x[half:], -1.0)])

    x, t = torch.zeros(3, 2), torch.ones(3)
    assert torch.equal(guided(model, 1.0)(x, t), torch.full_like(x, 2.0))
    # v_neg + w (v_cond - v_neg) = -1 + 4 · 3
    assert torch.equal(guided(model, 4.0)(x, t), torch.full_like(x, 11.0))
    assert calls == [(3, False), (6, True)]
