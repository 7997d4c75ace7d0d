"""Tiny random diffusers pipelines of every family Kinema runs, built offline and saved as folders.

Each is the real pipeline class with real component classes (UMT5 / T5 / Llama / CLIP text encoders,
the family's VAE and transformer) at a few thousand parameters, and a tokenizer built here from an
in-memory vocabulary, then written with `save_pretrained` — the same layout as a published
repository, so Kinema loads it exactly as it loads real weights. Used by the tests and by
`benchmarks/diffusers_gpu.py`; nothing is downloaded.

    folder = build("wan-t2v", tmp_path / "wan")  # → a folder with model_index.json
"""

from __future__ import annotations

import string
from pathlib import Path

import torch

WORDS = (
    "a an the of and in on to with at is are red blue green yellow white black ball cube cone cat dog "
    "runs rolls bounces slides falls across over table grass sand snow sky sun night city street camera"
).split()
"""The whole-word pieces of the tiny tokenizers; anything else is spelled out character by character."""


def _unigram(specials: list[str], unk: str):
    """A SentencePiece-style Unigram tokenizer (what T5 / UMT5 / Llama use) over WORDS and characters."""
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers

    pieces = [(s, 0.0) for s in specials]
    pieces += [("▁" + w, -2.0) for w in WORDS] + [("▁", -3.0)]
    pieces += [(c, -5.0) for c in string.ascii_letters + string.digits + string.punctuation]
    tokenizer = Tokenizer(models.Unigram(pieces, unk_id=specials.index(unk), byte_fallback=False))
    tokenizer.pre_tokenizer = pre_tokenizers.Metaspace(replacement="▁", prepend_scheme="always")
    tokenizer.decoder = decoders.Metaspace(replacement="▁", prepend_scheme="always")
    return tokenizer


def t5_tokenizer():
    from tokenizers import processors
    from transformers import T5TokenizerFast

    tokenizer = _unigram(["<pad>", "</s>", "<unk>"], "<unk>")
    tokenizer.post_processor = processors.TemplateProcessing(single="$A </s>", pair="$A </s> $B </s>", special_tokens=[("</s>", 1)])
    return T5TokenizerFast(tokenizer_object=tokenizer, eos_token="</s>", unk_token="<unk>", pad_token="<pad>", extra_ids=0)


def llama_tokenizer():
    from tokenizers import processors
    from transformers import LlamaTokenizerFast

    tokenizer = _unigram(["<s>", "</s>", "<unk>", "<pad>"], "<unk>")
    tokenizer.post_processor = processors.TemplateProcessing(single="<s> $A", special_tokens=[("<s>", 0)])
    return LlamaTokenizerFast(tokenizer_object=tokenizer, bos_token="<s>", eos_token="</s>", unk_token="<unk>", pad_token="<pad>")


def clip_tokenizer():
    """CLIP's byte-pair tokenizer shape (end-of-word suffix `</w>`), with characters only and no merges."""
    from tokenizers import Tokenizer, decoders, models, normalizers, pre_tokenizers, processors
    from transformers import CLIPTokenizerFast

    vocab = {"<|startoftext|>": 0, "<|endoftext|>": 1}
    for c in string.ascii_lowercase + string.digits + string.punctuation:
        vocab.setdefault(c, len(vocab))
        vocab.setdefault(c + "</w>", len(vocab))
    tokenizer = Tokenizer(models.BPE(vocab=vocab, merges=[], unk_token="<|endoftext|>", end_of_word_suffix="</w>"))
    tokenizer.normalizer = normalizers.Lowercase()
    tokenizer.pre_tokenizer = pre_tokenizers.Whitespace()
    tokenizer.decoder = decoders.BPEDecoder(suffix="</w>")
    tokenizer.post_processor = processors.TemplateProcessing(
        single="<|startoftext|> $A <|endoftext|>", special_tokens=[("<|startoftext|>", 0), ("<|endoftext|>", 1)]
    )
    return CLIPTokenizerFast(
        tokenizer_object=tokenizer, bos_token="<|startoftext|>", eos_token="<|endoftext|>", unk_token="<|endoftext|>", pad_token="<|endoftext|>"
    )


def _t5_config(vocab: int, width: int = 32):
    return dict(vocab_size=vocab, d_model=width, d_ff=37, d_kv=8, num_layers=2, num_heads=4, feed_forward_proj="gated-gelu",
                relative_attention_num_buckets=8, relative_attention_max_distance=16, decoder_start_token_id=0)


def _wan(kind: str) -> dict:
    """Wan 2.1 T2V / I2V / FLF2V, Wan 2.2 T2V (two experts) and TI2V-5B (48-channel VAE, per-token timesteps)."""
    from diffusers import AutoencoderKLWan, UniPCMultistepScheduler, WanPipeline, WanTransformer3DModel
    from transformers import UMT5Config, UMT5EncoderModel

    tokenizer = t5_tokenizer()
    text_encoder = UMT5EncoderModel(UMT5Config(**_t5_config(len(tokenizer))))
    ti2v = kind == "wan22-ti2v"
    z = 48 if ti2v else 16
    vae_shape = dict(z_dim=48, in_channels=12, out_channels=12, is_residual=True, patch_size=2, latents_mean=[0.0] * 48,
                     latents_std=[1.0] * 48, scale_factor_spatial=16) if ti2v else dict(z_dim=16)
    vae = AutoencoderKLWan(base_dim=3, dim_mult=[1, 1, 1, 1], num_res_blocks=1, temperal_downsample=[False, True, True], **vae_shape)
    i2v, flf2v = kind in ("wan-i2v", "wan-flf2v"), kind == "wan-flf2v"
    image_tokens = (8 // 4) ** 2 + 1  # the tiny CLIP below: 8×8 pixels in 4×4 patches, plus its class token

    def transformer():
        return WanTransformer3DModel(
            patch_size=(1, 2, 2), num_attention_heads=2, attention_head_dim=12, in_channels=36 if i2v else z, out_channels=z,
            text_dim=32, freq_dim=256, ffn_dim=32, num_layers=2, cross_attn_norm=True, qk_norm="rms_norm_across_heads",
            rope_max_seq_len=32, image_dim=4 if i2v else None, pos_embed_seq_len=2 * image_tokens if flf2v else None,
        )

    scheduler = UniPCMultistepScheduler(prediction_type="flow_prediction", use_flow_sigmas=True, flow_shift=3.0)  # as published
    parts = dict(tokenizer=tokenizer, text_encoder=text_encoder, vae=vae, transformer=transformer(), scheduler=scheduler)
    if kind == "wan22-t2v":
        return {"pipeline": WanPipeline, **parts, "transformer_2": transformer(), "boundary_ratio": 0.875}
    if ti2v:
        return {"pipeline": WanPipeline, **parts, "expand_timesteps": True}
    if not i2v:
        return {"pipeline": WanPipeline, **parts}
    from diffusers import WanImageToVideoPipeline
    from transformers import CLIPImageProcessor, CLIPVisionConfig, CLIPVisionModel

    image_encoder = CLIPVisionModel(CLIPVisionConfig(hidden_size=4, projection_dim=4, num_hidden_layers=2, num_attention_heads=2, image_size=8, intermediate_size=16, patch_size=4))
    return {"pipeline": WanImageToVideoPipeline, **parts, "image_encoder": image_encoder, "image_processor": CLIPImageProcessor(crop_size=8, size=8)}


def _ltx() -> dict:
    from diffusers import AutoencoderKLLTXVideo, FlowMatchEulerDiscreteScheduler, LTXPipeline, LTXVideoTransformer3DModel
    from transformers import T5Config, T5EncoderModel

    tokenizer = t5_tokenizer()
    transformer = LTXVideoTransformer3DModel(
        in_channels=8, out_channels=8, patch_size=1, patch_size_t=1, num_attention_heads=4, attention_head_dim=8,
        cross_attention_dim=32, num_layers=1, caption_channels=32,
    )
    vae = AutoencoderKLLTXVideo(
        in_channels=3, out_channels=3, latent_channels=8, block_out_channels=(8, 8, 8, 8), decoder_block_out_channels=(8, 8, 8, 8),
        layers_per_block=(1, 1, 1, 1, 1), decoder_layers_per_block=(1, 1, 1, 1, 1), spatio_temporal_scaling=(True, True, False, False),
        decoder_spatio_temporal_scaling=(True, True, False, False), decoder_inject_noise=(False, False, False, False, False),
        upsample_residual=(False, False, False, False), upsample_factor=(1, 1, 1, 1), timestep_conditioning=False,
        patch_size=1, patch_size_t=1, encoder_causal=True, decoder_causal=False,
    )
    return dict(pipeline=LTXPipeline, tokenizer=tokenizer, text_encoder=T5EncoderModel(T5Config(**_t5_config(len(tokenizer)))),
                vae=vae, transformer=transformer, scheduler=FlowMatchEulerDiscreteScheduler())


def _cogvideox(kind: str) -> dict:
    from diffusers import AutoencoderKLCogVideoX, CogVideoXDDIMScheduler, CogVideoXTransformer3DModel
    from transformers import T5Config, T5EncoderModel

    tokenizer = t5_tokenizer()
    i2v = kind == "cogvideox-i2v"
    transformer = CogVideoXTransformer3DModel(
        num_attention_heads=2 if i2v else 4, attention_head_dim=16 if i2v else 8, in_channels=8 if i2v else 4, out_channels=4,
        time_embed_dim=2, text_embed_dim=32, num_layers=1, sample_width=2, sample_height=2, sample_frames=9, patch_size=2,
        temporal_compression_ratio=4, max_text_seq_length=16, use_rotary_positional_embeddings=i2v, use_learned_positional_embeddings=i2v,
    )
    vae = AutoencoderKLCogVideoX(
        in_channels=3, out_channels=3, down_block_types=("CogVideoXDownBlock3D",) * 4, up_block_types=("CogVideoXUpBlock3D",) * 4,
        block_out_channels=(8, 8, 8, 8), latent_channels=4, layers_per_block=1, norm_num_groups=2, temporal_compression_ratio=4,
    )
    if i2v:
        from diffusers import CogVideoXImageToVideoPipeline as pipeline
    else:
        from diffusers import CogVideoXPipeline as pipeline
    return dict(pipeline=pipeline, tokenizer=tokenizer, text_encoder=T5EncoderModel(T5Config(**_t5_config(len(tokenizer)))),
                vae=vae, transformer=transformer, scheduler=CogVideoXDDIMScheduler())


def _hunyuanvideo() -> dict:
    from diffusers import AutoencoderKLHunyuanVideo, FlowMatchEulerDiscreteScheduler, HunyuanVideoPipeline, HunyuanVideoTransformer3DModel
    from transformers import CLIPTextConfig, CLIPTextModel, LlamaConfig, LlamaModel

    tokenizer, tokenizer_2 = llama_tokenizer(), clip_tokenizer()
    transformer = HunyuanVideoTransformer3DModel(
        in_channels=4, out_channels=4, num_attention_heads=2, attention_head_dim=10, num_layers=1, num_single_layers=1,
        num_refiner_layers=1, patch_size=1, patch_size_t=1, guidance_embeds=True, text_embed_dim=16, pooled_projection_dim=8,
        rope_axes_dim=(2, 4, 4),
    )
    vae = AutoencoderKLHunyuanVideo(
        in_channels=3, out_channels=3, latent_channels=4, down_block_types=("HunyuanVideoDownBlock3D",) * 4,
        up_block_types=("HunyuanVideoUpBlock3D",) * 4, block_out_channels=(8, 8, 8, 8), layers_per_block=1, act_fn="silu",
        norm_num_groups=4, scaling_factor=0.476986, spatial_compression_ratio=8, temporal_compression_ratio=4, mid_block_add_attention=True,
    )
    llama = LlamaModel(LlamaConfig(vocab_size=len(tokenizer), hidden_size=16, intermediate_size=37, num_attention_heads=4, num_hidden_layers=2,
                                   bos_token_id=0, eos_token_id=1, pad_token_id=3, max_position_embeddings=512))
    clip = CLIPTextModel(CLIPTextConfig(vocab_size=len(tokenizer_2), hidden_size=8, intermediate_size=37, num_attention_heads=4, num_hidden_layers=2,
                                        bos_token_id=0, eos_token_id=1, pad_token_id=1, projection_dim=8, max_position_embeddings=77))
    return dict(pipeline=HunyuanVideoPipeline, tokenizer=tokenizer, text_encoder=llama, tokenizer_2=tokenizer_2, text_encoder_2=clip,
                vae=vae, transformer=transformer, scheduler=FlowMatchEulerDiscreteScheduler(shift=7.0))


KINDS = ("wan-t2v", "wan-i2v", "wan-flf2v", "wan22-t2v", "wan22-ti2v", "ltx", "cogvideox-t2v", "cogvideox-i2v", "hunyuanvideo")


def build(kind: str, folder: Path, seed: int = 0) -> Path:
    """Build the tiny pipeline `kind` (one of KINDS) with random weights and save it to `folder`."""
    if kind not in KINDS:
        raise ValueError(f"kind {kind!r} is not one of {', '.join(KINDS)}")
    from transformers.utils import logging as hf_logging

    hf_logging.disable_progress_bar()  # "Writing model shards" bars are noise in tests and benchmarks
    torch.manual_seed(seed)
    family = kind.split("-")[0].replace("wan22", "wan")
    parts = {"wan": lambda: _wan(kind), "ltx": _ltx, "cogvideox": lambda: _cogvideox(kind), "hunyuanvideo": _hunyuanvideo}[family]()
    pipeline = parts.pop("pipeline")(**parts)
    pipeline.save_pretrained(folder)
    return Path(folder)


__all__ = ["KINDS", "build", "clip_tokenizer", "llama_tokenizer", "t5_tokenizer"]
