"""The diffusion transformer: a DiT over spacetime latent patches, conditioned on text tokens.

Read bottom-up: `DiT` patchifies a latent video into tokens, runs `DiTBlock`s, and unpatchifies.

The design follows the Sora technical report (a transformer over spacetime patches of a compressed
video) with the block of DiT (Peebles & Xie, 2023: adaLN-Zero conditioning on the timestep) extended,
as in PixArt-α and Wan, with cross-attention to text token embeddings. Positions are 3D rotary
embeddings over the (t, h, w) token grid, so a model trained at one size and duration runs at others.
Queries and keys are RMS-normalised per head (QK-norm; Dehghani et al., 2023) to keep attention
logits bounded in long training runs and under bf16. Attention is `scaled_dot_product_attention`,
with a blocked bf16 path on CPU (see `layers.attention`). The MLP uses the exact (erf) GELU: in bf16
on CPU the tanh approximation measured several times slower.

Known-frame conditioning (image-to-video, extending a video, the overlap between long-video windows)
enters as extra input channels: the clean latents of the known frames and a mask saying which frames
are known, concatenated to the noisy latents (as Wan's image-to-video model does). A model without
known frames gets zeros there, so one network serves every mode.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import torch
import torch.nn.functional as F
import torch.utils.checkpoint
from torch import nn

from kinema.models.layers import RMSNorm, TimestepEmbedding, attention, rope_3d


@dataclass(frozen=True)
class DiTConfig:
    latent_channels: int = 16
    """Channels of the VAE latent this model denoises."""
    patch_size: tuple[int, int, int] = (1, 2, 2)
    """(t, h, w) patch: 1×2×2 keeps every latent frame a token slice and quarters the spatial tokens."""
    width: int = 256
    depth: int = 8
    heads: int = 4
    mlp_ratio: float = 4.0
    text_dim: int = 384
    """Width of the text encoder's token embeddings (384 for all-MiniLM-L6-v2)."""
    frequency_dim: int = 256
    rope_theta: float = 10_000.0
    max_views: int = 8
    """Simultaneous cameras one sequence can hold (multi-view generation)."""
    max_shots: int = 8
    """Shots one video can cut between (storyboards)."""
    camera_features: int = 8
    """Width of the per-frame camera description (see `kinema.conditioning.camera_features`)."""

    def __post_init__(self):
        object.__setattr__(self, "patch_size", tuple(self.patch_size))
        if self.width % self.heads:
            raise ValueError(f"width {self.width} is not divisible by heads {self.heads}")
        if (self.width // self.heads) % 2:
            raise ValueError(f"head dimension {self.width // self.heads} must be even for rotary positions")

    @property
    def in_channels(self) -> int:
        """Noisy latents, clean known-frame latents, and the known-frame mask."""
        return 2 * self.latent_channels + 1

    def to_dict(self) -> dict:
        return asdict(self)


# One line per size, as in DiT's model zoo. "tiny" is for tests.
DIT_PRESETS: dict[str, DiTConfig] = {
    "tiny": DiTConfig(latent_channels=4, width=64, depth=2, heads=2, text_dim=32, frequency_dim=64),
    "s": DiTConfig(width=256, depth=8, heads=4),
    "b": DiTConfig(width=384, depth=12, heads=6),
    "l": DiTConfig(width=768, depth=24, heads=12),
}


def modulate(x: torch.Tensor, shift: torch.Tensor, scale: torch.Tensor) -> torch.Tensor:
    """adaLN: x (B, N, D) normalised elsewhere; shift, scale (B, D) from the conditioning.

    Under autocast the result is written straight in the autocast dtype: the linear layer it feeds
    would cast it anyway, and one pass that writes bf16 saves a pass that copies fp32 into bf16.
    """
    shift, gain = shift[:, None], 1 + scale[:, None]
    device = x.device.type
    if not torch.is_autocast_enabled(device) or (torch.is_grad_enabled() and x.requires_grad):
        return torch.addcmul(shift, x, gain)
    out = torch.empty(x.shape, dtype=torch.get_autocast_dtype(device), device=x.device)
    return torch.addcmul(shift, x, gain, out=out)


class SelfAttention(nn.Module):
    """Multi-head self-attention over all spacetime tokens with QK-norm and 3D rotary positions."""

    def __init__(self, width: int, heads: int):
        super().__init__()
        self.heads = heads
        self.qkv = nn.Linear(width, 3 * width)  # one matmul instead of three
        self.norm_q = RMSNorm(width // heads)
        self.norm_k = RMSNorm(width // heads)
        self.out = nn.Linear(width, width)

    def forward(self, x: torch.Tensor, rope: tuple[torch.Tensor, torch.Tensor]) -> torch.Tensor:
        B, N, D = x.shape
        qkv = self.qkv(x).view(B, N, 3, self.heads, D // self.heads)
        gain = torch.stack([self.norm_q.weight, self.norm_k.weight]).float()[:, None]  # (2, 1, hd)
        q, k = normalize_and_rotate(qkv[:, :, :2], gain, rope, self.norm_q.eps).unbind(2)  # 2 × (B, N, nh, hd)
        # Attention reads (B, nh, N, hd) views of the (B, N, nh, hd) projections; nothing is copied.
        x = attention(q.transpose(1, 2), k.transpose(1, 2), qkv[:, :, 2].transpose(1, 2))
        return self.out(x.transpose(1, 2).reshape(B, N, D))


def inverse_rms(x: torch.Tensor, eps: float) -> torch.Tensor:
    """1 / sqrt(mean(x²) + eps) over the last axis, in float32 whatever x's dtype: (..., d) → (..., 1).

    One reduction, where `F.rms_norm` on a CPU runs as five separate elementwise and reduction kernels
    (measured ≈ 8× slower on (2, 2304, 2, 4, 64) bf16); the normalised values themselves are formed by
    the caller, fused with whatever it does next.
    """
    norm = torch.linalg.vector_norm(x, dim=-1, keepdim=True, dtype=torch.float32)
    return torch.rsqrt(norm.square() / x.shape[-1] + eps)


def scaled(x: torch.Tensor, scale: torch.Tensor, dtype: torch.dtype) -> torch.Tensor:
    """x · scale (broadcast) written in `dtype` in one pass; differentiable when it must be."""
    if torch.is_grad_enabled() and x.requires_grad:  # autograd cannot differentiate through out=
        return (x * scale).to(dtype)
    return torch.mul(x, scale, out=torch.empty(x.shape, dtype=dtype, device=x.device))


def normalize_and_rotate(qk: torch.Tensor, gain: torch.Tensor, rope: tuple[torch.Tensor, torch.Tensor], eps: float) -> torch.Tensor:
    """QK-norm then rotary positions for queries and keys together: qk (B, N, 2, nh, hd) → same shape.

    Equal to `apply_rope(norm_q(q))` and the same for k, in fewer passes over the activations: the
    inverse RMS per head (`inverse_rms`), the rotation with the norms' gains folded into the small
    cos/sin tables, computed in float32, and the per-head scale applied as each rotated half is written
    straight into the output in qk's dtype (the rotation mixes channels of one head only, so the head's
    scale commutes with it). gain: (2, 1, hd) float32, the q and k norms' weights; rope: (cos, sin),
    each (N, hd/2) float32.
    """
    x = qk.float()  # used four times below: cast once
    scale = inverse_rms(x, eps)  # (B, N, 2, nh, 1)
    x1, x2 = x.chunk(2, dim=-1)
    g1, g2 = gain.chunk(2, dim=-1)  # each (2, 1, hd/2)
    cos, sin = (r[:, None, None] for r in rope)  # (N, 1, 1, hd/2)
    cos1, cos2, sin1, sin2 = cos * g1, cos * g2, sin * g1, sin * g2  # (N, 2, 1, hd/2)
    if torch.is_grad_enabled() and qk.requires_grad:  # autograd cannot differentiate through out=
        return (torch.cat([x1 * cos1 - x2 * sin2, x2 * cos2 + x1 * sin1], dim=-1) * scale).to(qk.dtype)
    out = torch.empty_like(qk)
    o1, o2 = out.chunk(2, dim=-1)
    torch.mul((x1 * cos1).addcmul_(x2, sin2, value=-1), scale, out=o1)  # (x1·cos − x2·sin) / rms
    torch.mul((x2 * cos2).addcmul_(x1, sin1), scale, out=o2)  # (x2·cos + x1·sin) / rms
    return out


class CrossAttention(nn.Module):
    """Video tokens attend to text tokens; padded text tokens are masked out."""

    def __init__(self, width: int, heads: int):
        super().__init__()
        self.heads = heads
        self.q = nn.Linear(width, width)
        self.kv = nn.Linear(width, 2 * width)
        self.norm_q = RMSNorm(width // heads)
        self.norm_k = RMSNorm(width // heads)
        self.out = nn.Linear(width, width)

    def forward(self, x: torch.Tensor, context: torch.Tensor, mask: torch.Tensor | None) -> torch.Tensor:
        """x: (B, N, D) video tokens; context: (B, L, D) projected text; mask: (B, 1, 1, L) bool or None."""
        B, N, D = x.shape
        L = context.shape[1]
        hd = D // self.heads
        q = self.q(x).view(B, N, self.heads, hd)
        k, v = self.kv(context).view(B, L, 2, self.heads, hd).permute(2, 0, 3, 1, 4)  # 2 × (B, nh, L, hd)
        # QK-norm: q·gq and k·gk meet only in their dot product, so both gains go on the few text keys
        # and the many video queries are only divided by their RMS, in one pass written in q's dtype.
        q32 = q.float()  # used twice: cast once
        q = scaled(q32, inverse_rms(q32, self.norm_q.eps), q.dtype)
        k = (self.norm_k(k).float() * self.norm_q.weight.float()).to(v.dtype)
        x = attention(q.transpose(1, 2), k, v, mask)
        return self.out(x.transpose(1, 2).reshape(B, N, D))


class FrameConditioning(nn.Module):
    """What differs from one latent frame to the next besides its pixels: which camera filmed it (view),
    which shot of a storyboard it belongs to, and where that camera stood. The sum is added to every
    token of the frame. All three start at zero, so a model learns them without being disturbed by them.
    """

    def __init__(self, c: DiTConfig):
        super().__init__()
        self.view = nn.Embedding(c.max_views, c.width)
        self.shot = nn.Embedding(c.max_shots, c.width)
        self.camera = nn.Sequential(nn.Linear(c.camera_features, c.width), nn.SiLU(), nn.Linear(c.width, c.width))

    def forward(self, view: torch.Tensor, shot: torch.Tensor, camera: torch.Tensor) -> torch.Tensor:
        """view, shot: (B, T) long; camera: (B, T, camera_features) → (B, T, D)."""
        return self.view(view) + self.shot(shot) + self.camera(camera)


class DiTBlock(nn.Module):
    """adaLN-Zero block (DiT, Fig. 3) with a cross-attention layer between attention and MLP.

        x = x + g1 · SelfAttn(LN(x)·(1 + s1) + b1)
        x = x + CrossAttn(LN'(x), text)
        x = x + g2 · MLP(LN(x)·(1 + s2) + b2)

    (b, s, g) come from the timestep embedding through a linear layer initialised to zero, so every
    block starts as the identity.
    """

    def __init__(self, width: int, heads: int, mlp_ratio: float):
        super().__init__()
        self.attn = SelfAttention(width, heads)
        self.cross_norm = nn.LayerNorm(width, eps=1e-6)  # affine, as Wan's cross_attn_norm
        self.cross = CrossAttention(width, heads)
        hidden = int(width * mlp_ratio)
        self.mlp = nn.Sequential(nn.Linear(width, hidden), nn.GELU(), nn.Linear(hidden, width))
        self.ada = nn.Sequential(nn.SiLU(), nn.Linear(width, 6 * width))

    def forward(self, x, c, context, context_mask, rope):
        """x: (B, N, D) tokens; c: (B, D) timestep embedding; context: (B, L, D)."""
        D = x.shape[-1]
        shift1, scale1, gate1, shift2, scale2, gate2 = self.ada(c).chunk(6, dim=-1)  # 6 × (B, D)
        h = modulate(F.layer_norm(x, (D,), eps=1e-6), shift1, scale1)
        x = torch.addcmul(x, gate1[:, None], self.attn(h, rope))
        x = x + self.cross(self.cross_norm(x), context, context_mask)
        h = modulate(F.layer_norm(x, (D,), eps=1e-6), shift2, scale2)
        return torch.addcmul(x, gate2[:, None], self.mlp(h))


class DiT(nn.Module):
    def __init__(self, config: DiTConfig):
        super().__init__()
        self.config = config
        c = config
        pt, ph, pw = c.patch_size
        self.patch_embed = nn.Linear(c.in_channels * pt * ph * pw, c.width)
        self.time_embed = TimestepEmbedding(c.width, c.frequency_dim)
        # Text tokens are projected once into the model width; every block's cross-attention reads them.
        self.text_proj = nn.Sequential(nn.Linear(c.text_dim, c.width), nn.GELU(), nn.Linear(c.width, c.width))
        self.frame_conditioning = FrameConditioning(c)
        self.blocks = nn.ModuleList([DiTBlock(c.width, c.heads, c.mlp_ratio) for _ in range(c.depth)])
        self.final_ada = nn.Sequential(nn.SiLU(), nn.Linear(c.width, 2 * c.width))
        self.final = nn.Linear(c.width, c.latent_channels * pt * ph * pw)
        self.activation_checkpointing = False
        """Recompute each block in the backward pass instead of keeping its activations (training only)."""
        self.initialize_weights()

    def initialize_weights(self):
        """All initialisation in one place (DiT's `initialize_weights`)."""
        for module in self.modules():
            if isinstance(module, nn.Linear):
                nn.init.xavier_uniform_(module.weight)
                nn.init.zeros_(module.bias)
        for layer in self.time_embed.mlp:
            if isinstance(layer, nn.Linear):
                nn.init.normal_(layer.weight, std=0.02)
        # adaLN-Zero: every block's modulation, and the output layer, start at zero, so the network
        # starts as the identity on its residual stream and predicts zero velocity.
        for block in self.blocks:
            nn.init.zeros_(block.ada[-1].weight)
            nn.init.zeros_(block.ada[-1].bias)
        nn.init.zeros_(self.final_ada[-1].weight)
        nn.init.zeros_(self.final_ada[-1].bias)
        nn.init.zeros_(self.final.weight)
        nn.init.zeros_(self.final.bias)
        frame = self.frame_conditioning
        nn.init.zeros_(frame.view.weight)
        nn.init.zeros_(frame.shot.weight)
        nn.init.zeros_(frame.camera[-1].weight)
        nn.init.zeros_(frame.camera[-1].bias)

    def patchify(self, x: torch.Tensor) -> torch.Tensor:
        """(B, C, T, H, W) → (B, T/pt · H/ph · W/pw, C·pt·ph·pw), tokens t-major then h then w."""
        B, C, T, H, W = x.shape
        pt, ph, pw = self.config.patch_size
        x = x.view(B, C, T // pt, pt, H // ph, ph, W // pw, pw)
        x = x.permute(0, 2, 4, 6, 1, 3, 5, 7)  # (B, T', H', W', C, pt, ph, pw)
        return x.reshape(B, (T // pt) * (H // ph) * (W // pw), C * pt * ph * pw)

    def unpatchify(self, x: torch.Tensor, grid: tuple[int, int, int]) -> torch.Tensor:
        """(B, N, C·pt·ph·pw) → (B, C, T, H, W)."""
        B = x.shape[0]
        T, H, W = grid
        pt, ph, pw = self.config.patch_size
        C = self.config.latent_channels
        x = x.view(B, T, H, W, C, pt, ph, pw).permute(0, 4, 1, 5, 2, 6, 3, 7)  # (B, C, T', pt, H', ph, W', pw)
        return x.reshape(B, C, T * pt, H * ph, W * pw)

    def check_shape(self, x: torch.Tensor) -> tuple[int, int, int]:
        """The token grid for latents x, or a ValueError naming the shape that does not fit."""
        if x.ndim != 5 or x.shape[1] != self.config.latent_channels:
            raise ValueError(f"expected latents (B, {self.config.latent_channels}, T, H, W), got {tuple(x.shape)}")
        _, _, T, H, W = x.shape
        pt, ph, pw = self.config.patch_size
        if T % pt or H % ph or W % pw:
            raise ValueError(f"latent grid {T}×{H}×{W} is not divisible by the patch size {pt}×{ph}×{pw}")
        return T // pt, H // ph, W // pw

    def forward(
        self,
        x: torch.Tensor,
        t: torch.Tensor,
        text: torch.Tensor,
        text_mask: torch.Tensor | None = None,
        known: torch.Tensor | None = None,
        known_mask: torch.Tensor | None = None,
        time_positions: torch.Tensor | None = None,
        view: torch.Tensor | None = None,
        shot: torch.Tensor | None = None,
        camera: torch.Tensor | None = None,
    ) -> torch.Tensor:
        """Predict the rectified-flow velocity.

        x: (B, C, T, H, W) noisy latents; t: (B,) flow time in [0, 1] (1 = pure noise);
        text: (B, L, text_dim) token embeddings; text_mask: (B, L) bool, True for real tokens;
        known: (B, C, T, H, W) clean latents of known frames (zeros elsewhere);
        known_mask: (B, 1, T, 1, 1) or (B, 1, T, H, W), 1 where a frame is known;
        time_positions: (T,) each latent frame's time for the rotary positions (default 0..T-1);
        view, shot: (B, T) long, each latent frame's camera and storyboard shot (default 0);
        camera: (B, T, camera_features) each latent frame's camera pose features (default 0: none given).
        Returns the velocity, (B, C, T, H, W).
        """
        grid = self.check_shape(x)
        B, _, T, H, W = x.shape
        if known is None:
            known = torch.zeros_like(x)
        if known_mask is None:
            known_mask = x.new_zeros(B, 1, T, 1, 1)
        x_in = torch.cat([x, known * known_mask, known_mask.expand(B, 1, T, H, W).to(x.dtype)], dim=1)

        # The residual stream stays float32 under autocast; only the matmuls inside run in bf16.
        tokens = self.patch_embed(self.patchify(x_in)).float()  # (B, N, D)
        if view is not None or shot is not None or camera is not None:
            Tg = grid[0]
            view = view if view is not None else torch.zeros(B, Tg, dtype=torch.long, device=x.device)
            shot = shot if shot is not None else torch.zeros(B, Tg, dtype=torch.long, device=x.device)
            camera = camera if camera is not None else x.new_zeros(B, Tg, self.config.camera_features)
            per_frame = self.frame_conditioning(view, shot, camera.to(x.dtype)).float()  # (B, T', D)
            tokens = (tokens.view(B, Tg, -1, tokens.shape[-1]) + per_frame[:, :, None]).view_as(tokens)
        c = self.time_embed(t)  # (B, D)
        context = self.text_proj(text)  # (B, L, D)
        mask = None if text_mask is None or bool(text_mask.all()) else text_mask[:, None, None, :]  # (B, 1, 1, L)
        head_dim = self.config.width // self.config.heads
        # Positions are computed once per call, in float32, and shared by all blocks.
        rope = rope_3d(grid, head_dim, self.config.rope_theta, device=x.device, time_positions=time_positions)

        for block in self.blocks:
            if self.activation_checkpointing and self.training and torch.is_grad_enabled():
                tokens = torch.utils.checkpoint.checkpoint(block, tokens, c, context, mask, rope, use_reentrant=False)
            else:
                tokens = block(tokens, c, context, mask, rope)

        shift, scale = self.final_ada(c).chunk(2, dim=-1)
        tokens = modulate(F.layer_norm(tokens, (tokens.shape[-1],), eps=1e-6), shift, scale)
        return self.unpatchify(self.final(tokens), grid).float()

    def num_parameters(self) -> int:
        return sum(p.numel() for p in self.parameters())
