"""The video compression network: a causal 3D VAE.

The Sora report compresses videos in space and time before the transformer sees them. This VAE
follows the causal design of MAGVIT-v2, CogVideoX and Wan: every temporal convolution looks only at
the present and the past, so

- the first frame is encoded on its own (an image is a one-frame video), and every later group of
  4 frames becomes one latent frame: 1 + 4k frames ↔ 1 + k latent frames;
- a video can be processed in time chunks, carrying each causal convolution's last input frames in a
  cache, with exactly the same result as processing it whole. Decoding a long video therefore never
  holds all its frames in memory: `decode_chunks` yields them a few at a time.

Everything that mixes information across time is either a causal convolution or a pairing of
neighbouring frames inside a chunk; norms work per spacetime position. That is what makes chunked
processing exact, and `tests/models/test_vae.py` checks it.

Pixels are in [-1, 1], shaped (B, 3, T, H, W); latents are (B, C, 1 + (T-1)/4, H/s, W/s), s = 8 by
default (4 for small presets).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import asdict, dataclass

import torch
import torch.nn.functional as F
from torch import nn

from kinema.models.layers import ChannelRMSNorm

Cache = dict  # module → what it carries to the next chunk


@dataclass(frozen=True)
class VAEConfig:
    image_channels: int = 3
    latent_channels: int = 16
    base_channels: int = 32
    channel_multipliers: tuple[int, ...] = (1, 2, 4, 4)
    """One resolution level per entry; every level but the last halves height and width (×8 for 4 levels)."""
    temporal_levels: tuple[int, ...] = (1, 2)
    """Which level transitions also halve time. Two of them give temporal ×4. The deeper levels are
    chosen because time is cheapest to mix where the maps are smallest."""
    blocks_per_level: int = 1

    def __post_init__(self):
        object.__setattr__(self, "channel_multipliers", tuple(self.channel_multipliers))
        object.__setattr__(self, "temporal_levels", tuple(self.temporal_levels))
        transitions = len(self.channel_multipliers) - 1
        bad = [i for i in self.temporal_levels if not 0 <= i < transitions]
        if bad:
            raise ValueError(f"temporal_levels {bad} out of range: there are {transitions} level transitions")

    @property
    def spatial_factor(self) -> int:
        return 2 ** (len(self.channel_multipliers) - 1)

    @property
    def temporal_factor(self) -> int:
        return 2 ** len(self.temporal_levels)

    def latent_frames(self, frames: int) -> int:
        return 1 + (frames - 1) // self.temporal_factor

    def frames(self, latent_frames: int) -> int:
        return 1 + (latent_frames - 1) * self.temporal_factor

    def to_dict(self) -> dict:
        return asdict(self)


VAE_PRESETS: dict[str, VAEConfig] = {
    "tiny": VAEConfig(latent_channels=4, base_channels=8, channel_multipliers=(1, 2, 2), temporal_levels=(0, 1)),
    "s": VAEConfig(latent_channels=16, base_channels=32, channel_multipliers=(1, 2, 4, 4)),
    "b": VAEConfig(latent_channels=16, base_channels=64, channel_multipliers=(1, 2, 4, 4), blocks_per_level=2),
}


class CausalConv3d(nn.Conv3d):
    """A 3D convolution padded only towards the past in time.

    The first chunk is padded by repeating its first frame (so a still image behaves like a static
    video); later chunks are padded with the previous chunk's last frames, kept in `cache`.
    """

    def __init__(self, in_channels: int, out_channels: int, kernel_size: int = 3):
        super().__init__(in_channels, out_channels, kernel_size, padding=(0, kernel_size // 2, kernel_size // 2))
        self.time_pad = kernel_size - 1

    def forward(self, x: torch.Tensor, cache: Cache | None = None) -> torch.Tensor:
        if self.time_pad:
            past = cache.get(self) if cache is not None else None
            if past is None:
                past = x[:, :, :1].expand(-1, -1, self.time_pad, -1, -1)
            x = torch.cat([past, x], dim=2)
            if cache is not None:
                cache[self] = x[:, :, -self.time_pad :]
        return super().forward(x)


class ResBlock(nn.Module):
    def __init__(self, in_channels: int, out_channels: int):
        super().__init__()
        self.norm1 = ChannelRMSNorm(in_channels)
        self.conv1 = CausalConv3d(in_channels, out_channels)
        self.norm2 = ChannelRMSNorm(out_channels)
        self.conv2 = CausalConv3d(out_channels, out_channels)
        self.skip = nn.Conv3d(in_channels, out_channels, 1) if in_channels != out_channels else nn.Identity()

    def forward(self, x: torch.Tensor, cache: Cache | None = None) -> torch.Tensor:
        h = self.conv1(F.silu(self.norm1(x)), cache)
        h = self.conv2(F.silu(self.norm2(h)), cache)
        return self.skip(x) + h


def _per_frame(layer: nn.Module, x: torch.Tensor) -> torch.Tensor:
    """Apply a 2D layer to every frame: (B, C, T, H, W) → (B, C', T, H', W')."""
    B, C, T, H, W = x.shape
    y = layer(x.transpose(1, 2).reshape(B * T, C, H, W))  # (B·T, C', H', W')
    return y.view(B, T, *y.shape[1:]).transpose(1, 2)


def _starts_video(module: nn.Module, cache: Cache | None) -> bool:
    """Whether this call sees the video's first frame: always when whole, on the first chunk otherwise."""
    if cache is None:
        return True
    first = module not in cache
    cache[module] = True
    return first


class Downsample(nn.Module):
    """Halve H and W with a strided convolution, and optionally T by pairing neighbouring frames.

    Time is halved by stacking each pair of frames on the channel axis and mixing them with a 1×1
    convolution. The first frame of the video has no partner; it is paired with itself, so a still
    image is compressed by the same weights as a static video.
    """

    def __init__(self, channels: int, temporal: bool):
        super().__init__()
        self.spatial = nn.Conv2d(channels, channels, 3, stride=2, padding=1)
        self.temporal = nn.Conv3d(2 * channels, channels, 1) if temporal else None

    def forward(self, x: torch.Tensor, cache: Cache | None = None) -> torch.Tensor:
        x = _per_frame(self.spatial, x)
        if self.temporal is None:
            return x
        parts = []
        if _starts_video(self, cache):
            parts.append(torch.cat([x[:, :, :1], x[:, :, :1]], dim=1))  # (B, 2C, 1, h, w)
            x = x[:, :, 1:]
        B, C, T, H, W = x.shape
        if T % 2:
            raise ValueError(f"a chunk after the first frame needs an even frame count at this level, got {T}")
        pairs = x.reshape(B, C, T // 2, 2, H, W).permute(0, 3, 1, 2, 4, 5).reshape(B, 2 * C, T // 2, H, W)
        parts.append(pairs)
        return self.temporal(torch.cat(parts, dim=2))


class Upsample(nn.Module):
    """Double T (optionally) by unstacking channels into frame pairs, then H and W (nearest + conv).

    The mirror of `Downsample`: the first latent frame stands for one frame, so only the second of its
    pair is kept.
    """

    def __init__(self, channels: int, temporal: bool):
        super().__init__()
        self.temporal = nn.Conv3d(channels, 2 * channels, 1) if temporal else None
        self.spatial = nn.Conv2d(channels, channels, 3, padding=1)

    def forward(self, x: torch.Tensor, cache: Cache | None = None) -> torch.Tensor:
        if self.temporal is not None:
            first = _starts_video(self, cache)
            B, C, T, H, W = x.shape
            x = self.temporal(x).view(B, 2, C, T, H, W).permute(0, 2, 3, 1, 4, 5).reshape(B, C, 2 * T, H, W)
            if first:
                x = x[:, :, 1:]
        x = F.interpolate(x, scale_factor=(1, 2, 2), mode="nearest")
        return _per_frame(self.spatial, x)


class Encoder(nn.Module):
    def __init__(self, c: VAEConfig):
        super().__init__()
        channels = [c.base_channels * m for m in c.channel_multipliers]
        self.conv_in = CausalConv3d(c.image_channels, channels[0])
        layers: list[nn.Module] = []
        current = channels[0]
        for i, ch in enumerate(channels):
            for _ in range(c.blocks_per_level):
                layers.append(ResBlock(current, ch))
                current = ch
            if i < len(channels) - 1:
                layers.append(Downsample(ch, temporal=i in c.temporal_levels))
        layers.append(ResBlock(current, current))
        self.layers = nn.ModuleList(layers)
        self.norm_out = ChannelRMSNorm(current)
        self.conv_out = CausalConv3d(current, 2 * c.latent_channels)

    def forward(self, x: torch.Tensor, cache: Cache | None = None) -> torch.Tensor:
        x = self.conv_in(x, cache)
        for layer in self.layers:
            x = layer(x, cache)
        return self.conv_out(F.silu(self.norm_out(x)), cache)


class Decoder(nn.Module):
    def __init__(self, c: VAEConfig):
        super().__init__()
        channels = [c.base_channels * m for m in c.channel_multipliers]
        current = channels[-1]
        self.conv_in = CausalConv3d(c.latent_channels, current)
        layers: list[nn.Module] = [ResBlock(current, current)]
        for i in reversed(range(len(channels))):
            for _ in range(c.blocks_per_level):
                layers.append(ResBlock(current, channels[i]))
                current = channels[i]
            if i > 0:
                layers.append(Upsample(current, temporal=(i - 1) in c.temporal_levels))
        self.layers = nn.ModuleList(layers)
        self.norm_out = ChannelRMSNorm(current)
        self.conv_out = CausalConv3d(current, c.image_channels)

    def forward(self, z: torch.Tensor, cache: Cache | None = None) -> torch.Tensor:
        x = self.conv_in(z, cache)
        for layer in self.layers:
            x = layer(x, cache)
        return self.conv_out(F.silu(self.norm_out(x)), cache)


class VideoVAE(nn.Module):
    def __init__(self, config: VAEConfig):
        super().__init__()
        self.config = config
        self.encoder = Encoder(config)
        self.decoder = Decoder(config)
        # Per-channel statistics of the latents over the training data, set after VAE training, so the
        # diffusion model sees roughly unit-variance latents (the "scaling factor" of latent diffusion).
        self.register_buffer("latent_mean", torch.zeros(config.latent_channels))
        self.register_buffer("latent_std", torch.ones(config.latent_channels))
        # Start the posterior narrow (std ≈ 0.05): with log-variance 0 the sampled latent would be unit
        # noise over a near-zero mean, and the decoder would learn only the average frame for a long while.
        with torch.no_grad():
            self.encoder.conv_out.bias[config.latent_channels :].fill_(-6.0)

    def check_video(self, video: torch.Tensor) -> None:
        c = self.config
        if video.ndim != 5 or video.shape[1] != c.image_channels:
            raise ValueError(f"expected video (B, {c.image_channels}, T, H, W), got {tuple(video.shape)}")
        _, _, T, H, W = video.shape
        if (T - 1) % c.temporal_factor:
            raise ValueError(f"frame count {T} is not 1 + {c.temporal_factor}k")
        if H % c.spatial_factor or W % c.spatial_factor:
            raise ValueError(f"size {W}×{H} is not a multiple of the VAE's spatial factor {c.spatial_factor}")

    def latent_shape(self, video_shape: tuple[int, ...]) -> tuple[int, int, int, int, int]:
        """(B, 3, T, H, W) → (B, C, 1 + (T-1)/t, H/s, W/s)."""
        B, _, T, H, W = video_shape
        c = self.config
        return B, c.latent_channels, c.latent_frames(T), H // c.spatial_factor, W // c.spatial_factor

    def forward(self, video: torch.Tensor, eps: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        """The training pass: encode, sample the posterior with noise `eps` (of `latent_shape`), decode.

        Returns (reconstruction, mean, logvar). One call, so data-parallel wrappers see all of it.
        """
        mean, logvar = self.encode_distribution(video)
        z = mean + eps.to(mean.dtype) * (0.5 * logvar).exp()
        return self.decoder(z), mean, logvar

    def encode_distribution(self, video: torch.Tensor, chunked: bool = False) -> tuple[torch.Tensor, torch.Tensor]:
        """video (B, 3, T, H, W) in [-1, 1] → (mean, logvar), each (B, C, 1 + (T-1)/4, H/s, W/s).

        chunked: encode the first frame, then each group of 4 frames, carrying the causal caches;
        the result equals the whole-video encoding, with memory bounded by one group.
        """
        self.check_video(video)
        if not chunked:
            moments = self.encoder(video)
        else:
            cache: Cache = {}
            tf = self.config.temporal_factor
            starts = [0, *range(1, video.shape[2], tf)]
            moments = torch.cat([self.encoder(video[:, :, s : (s + tf if s else 1)], cache) for s in starts], dim=2)
        mean, logvar = moments.chunk(2, dim=1)
        return mean, logvar.clamp(-30.0, 20.0)

    def encode(self, video: torch.Tensor, chunked: bool = False) -> torch.Tensor:
        """The latent mean, normalised by the training statistics (what the diffusion model sees)."""
        mean, _ = self.encode_distribution(video, chunked=chunked)
        return self.normalize(mean)

    def decode(self, latents: torch.Tensor) -> torch.Tensor:
        """Normalised latents (B, C, t, h, w) → video (B, 3, 1 + 4(t-1), h·s, w·s), whole."""
        return self.decoder(self.denormalize(latents))

    def decode_chunks(self, latents: torch.Tensor, chunk: int = 2) -> Iterator[torch.Tensor]:
        """Decode `chunk` latent frames at a time, yielding (B, 3, frames, H, W) pieces in order.

        The causal caches make the concatenation of the pieces equal to `decode(latents)`; only one
        chunk of frames and the caches are alive at a time.
        """
        if chunk < 1:
            raise ValueError(f"chunk must be at least 1 latent frame, got {chunk}")
        cache: Cache = {}
        z = self.denormalize(latents)
        for s in range(0, z.shape[2], chunk):
            yield self.decoder(z[:, :, s : s + chunk], cache)

    def normalize(self, z: torch.Tensor) -> torch.Tensor:
        return (z - self.latent_mean.view(1, -1, 1, 1, 1)) / self.latent_std.view(1, -1, 1, 1, 1)

    def denormalize(self, z: torch.Tensor) -> torch.Tensor:
        return z * self.latent_std.view(1, -1, 1, 1, 1) + self.latent_mean.view(1, -1, 1, 1, 1)

    def num_parameters(self) -> int:
        return sum(p.numel() for p in self.parameters())
