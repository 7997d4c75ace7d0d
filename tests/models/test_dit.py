import pytest
import torch

from kinema.models.dit import DIT_PRESETS, DiT, DiTConfig
from kinema.models.layers import apply_rope, rope_3d

CFG = DIT_PRESETS["tiny"]


def inputs(B=2, T=3, H=4, W=6, L=5, cfg=CFG, seed=0):
    g = torch.Generator().manual_seed(seed)
    x = torch.randn(B, cfg.latent_channels, T, H, W, generator=g)
    t = torch.rand(B, generator=g)
    text = torch.randn(B, L, cfg.text_dim, generator=g)
    mask = torch.ones(B, L, dtype=torch.bool)
    mask[1:, L // 2 :] = False
    return x, t, text, mask


def randomized(model: DiT, seed=1) -> DiT:
    """A DiT with all weights random (the zero-initialised ones too), so outputs are not trivially zero."""
    g = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for p in model.parameters():
            p.copy_(torch.randn(p.shape, generator=g) * 0.05)
    return model.eval()


@pytest.mark.parametrize("grid", [(1, 2, 2), (3, 4, 6), (5, 8, 4), (2, 6, 10)])
def test_output_shape_any_grid(grid):
    model = randomized(DiT(CFG))
    x, t, text, mask = inputs(T=grid[0], H=grid[1], W=grid[2])
    with torch.no_grad():
        out = model(x, t, text, mask)
    assert out.shape == x.shape
    assert torch.isfinite(out).all()


def test_adaln_zero_is_zero_at_initialisation():
    torch.manual_seed(0)
    model = DiT(CFG).eval()
    x, t, text, mask = inputs()
    with torch.no_grad():
        assert torch.count_nonzero(model(x, t, text, mask)) == 0
        # and every block is the identity on its residual stream
        tokens = torch.randn(2, 12, CFG.width)
        c = torch.randn(2, CFG.width)
        context = torch.randn(2, 5, CFG.width)
        rope = rope_3d((1, 3, 4), CFG.width // CFG.heads)
        for block in model.blocks:
            # cross-attention is not gated (as in PixArt and Wan); zero its output projection to isolate adaLN-Zero
            block.cross.out.weight.zero_()
            block.cross.out.bias.zero_()
            assert torch.equal(block(tokens, c, context, None, rope), tokens)


def test_deterministic_and_batch_independent():
    model = randomized(DiT(CFG))
    x, t, text, mask = inputs()
    with torch.no_grad():
        a = model(x, t, text, mask)
        b = model(x, t, text, mask)
        single = model(x[:1], t[:1], text[:1], mask[:1])
    assert torch.equal(a, b)
    assert torch.allclose(a[:1], single, atol=1e-5)


def test_text_padding_is_ignored():
    model = randomized(DiT(CFG))
    x, t, text, mask = inputs(B=2)
    changed = text.clone()
    changed[1, ~mask[1]] = 100.0  # garbage in the padded positions
    with torch.no_grad():
        assert torch.allclose(model(x, t, text, mask), model(x, t, changed, mask), atol=1e-5)


def test_known_frames_change_the_prediction():
    model = randomized(DiT(CFG))
    x, t, text, mask = inputs()
    known = torch.randn_like(x)
    known_mask = torch.zeros(2, 1, x.shape[2], 1, 1)
    known_mask[:, :, 0] = 1
    with torch.no_grad():
        plain = model(x, t, text, mask)
        conditioned = model(x, t, text, mask, known, known_mask)
    assert not torch.allclose(plain, conditioned)


def test_loss_falls_ten_times_when_overfitting_one_batch():
    from kinema.diffusion.flow import flow_loss, interpolate, velocity_target

    torch.manual_seed(0)
    model = DiT(CFG)
    x0, t, text, mask = inputs(B=2, T=2, H=4, W=4)
    noise = torch.randn_like(x0)
    target = velocity_target(x0, noise)
    xt = interpolate(x0, noise, t)
    opt = torch.optim.AdamW(model.parameters(), lr=2e-3)
    losses = []
    for _ in range(150):
        loss = flow_loss(model(xt, t, text, mask), target)
        opt.zero_grad()
        loss.backward()
        opt.step()
        losses.append(loss.item())
    assert losses[-1] < losses[0] / 10, (losses[0], losses[-1])


def test_rope_is_a_rotation_that_depends_on_position():
    cos, sin = rope_3d((2, 3, 4), 12)
    assert cos.shape == (24, 6)
    q = torch.randn(1, 1, 24, 12)
    rotated = apply_rope(q, cos, sin)
    assert torch.allclose(rotated.norm(dim=-1), q.norm(dim=-1), atol=1e-5)  # norms preserved
    # relative: <R_m q, R_n k> depends on m - n only, checked along the width axis
    k = torch.randn(12)
    qv = torch.randn(12)
    same_q = apply_rope(qv.expand(1, 1, 24, 12), cos, sin)[0, 0]
    same_k = apply_rope(k.expand(1, 1, 24, 12), cos, sin)[0, 0]
    assert torch.allclose(same_q[1] @ same_k[0], same_q[2] @ same_k[1], atol=1e-4)


@pytest.mark.parametrize("bad", [dict(width=65, heads=2), dict(width=60, heads=4)])
def test_config_validation(bad):
    with pytest.raises(ValueError):
        DiTConfig(**bad)


def test_bad_latent_shape_names_it():
    model = DiT(CFG)
    x, t, text, mask = inputs(H=5)
    with pytest.raises(ValueError, match="patch size"):
        model(x, t, text, mask)


@pytest.mark.parametrize("amx", [False, True], ids=["blocked-bmm", "fused-sdpa"])
def test_cpu_bf16_attention_matches_reference(amx, monkeypatch):
    """Both CPU bf16 paths of `layers.attention` (blocked bmm without AMX, the fused kernel with it)
    agree with exact attention, padding mask included, and so do their gradients."""
    import torch.nn.functional as F

    from kinema.models import layers
    from kinema.models.layers import attention

    monkeypatch.setattr(layers, "cpu_has_amx", lambda: amx)
    g = torch.Generator().manual_seed(0)
    q, k, v = (torch.randn(2, 3, 300, 32, generator=g) for _ in range(3))
    mask = torch.ones(2, 1, 1, 300, dtype=torch.bool)
    mask[1, ..., 120:] = False
    exact = F.scaled_dot_product_attention(q.double(), k.double(), v.double(), attn_mask=mask)
    blocked = attention(q.bfloat16(), k.bfloat16(), v.bfloat16(), mask).double()
    assert blocked.shape == exact.shape
    assert (blocked - exact).abs().max() < 0.03  # bf16 rounding of inputs and probabilities
    # training: gradients flow through either path and agree with exact attention's
    qb, kb, vb = (x.bfloat16().requires_grad_() for x in (q, k, v))
    attention(qb, kb, vb, mask).float().square().sum().backward()
    qd = q.double().requires_grad_()
    F.scaled_dot_product_attention(qd, k.double(), v.double(), attn_mask=mask).square().sum().backward()
    assert (qb.grad.double() - qd.grad).abs().max() < 0.05 * qd.grad.abs().max()
    assert torch.equal(attention(q, k, v, mask), F.scaled_dot_product_attention(q, k, v, attn_mask=mask))
