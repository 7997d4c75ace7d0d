"""`kinema bench` on tiny networks: what it measures and reports, never how fast anything is."""

import argparse
import json

import pytest
import torch

from kinema import bench
from kinema.checkpoint import ModelConfig, SamplingDefaults, save_checkpoint
from kinema.engines.base import RequestError
from kinema.models.dit import DIT_PRESETS, DiT, DiTConfig
from kinema.models.vae import VAE_PRESETS, VideoVAE

TINY = DIT_PRESETS["tiny"]
SHAPE = (TINY.latent_channels, 3, 8, 8)  # (C, T, H, W): 3 · 4 · 4 = 48 tokens


@pytest.fixture(scope="module")
def tiny_folder(tmp_path_factory):
    """A random checkpoint of the tiny presets (no text encoder is loaded unless e2e runs)."""
    torch.manual_seed(0)
    config = ModelConfig(name="tiny", vae=VAE_PRESETS["tiny"], dit=TINY, sampling=SamplingDefaults(size="32x32", sizes=("32x32",), seconds=1.0))
    return save_checkpoint(tmp_path_factory.mktemp("bench") / "tiny", config, VideoVAE(config.vae), DiT(config.dit))


def parse(*argv: str) -> argparse.Namespace:
    parser = argparse.ArgumentParser()
    bench.add_arguments(parser)
    return parser.parse_args(list(argv))


def hand_count(c: DiTConfig, shape, text_len: int, batch: int = bench.BATCH) -> int:
    """Our DiT's matmul + attention FLOPs for one call, written out layer by layer."""
    C, T, H, W = shape
    pt, ph, pw = c.patch_size
    N, D, L = (T // pt) * (H // ph) * (W // pw), c.width, text_len
    hidden = int(D * c.mlp_ratio)

    def linear(rows, k, n):
        return 2 * batch * rows * k * n

    flops = linear(N, c.in_channels * pt * ph * pw, D)  # patch embedding
    flops += linear(1, c.frequency_dim, D) + linear(1, D, D)  # timestep MLP
    flops += linear(L, c.text_dim, D) + linear(L, D, D)  # text projection
    per_block = (
        linear(1, D, 6 * D)  # adaLN modulation
        + linear(N, D, 3 * D) + linear(N, D, D)  # self-attention qkv, out
        + linear(N, D, D) + linear(L, D, 2 * D) + linear(N, D, D)  # cross-attention q, kv, out
        + linear(N, D, hidden) + linear(N, hidden, D)  # MLP
        + 4 * batch * N * N * D  # self-attention QKᵀ and AV (heads · head_dim = D)
        + 4 * batch * N * L * D  # cross-attention
    )
    flops += c.depth * per_block
    flops += linear(1, D, 2 * D) + linear(N, D, C * pt * ph * pw)  # final modulation and projection
    return flops


def test_bench_step_times_both_networks():
    result = bench.bench_step(TINY, SHAPE, text_len=8, repeats=2, autocast=False)
    assert result["tokens"] == 48 and result["latent_shape"] == list(SHAPE)
    for name in ("ours", "peer"):
        figures = result[name]
        assert len(figures["times"]) == 2 and all(t > 0 for t in figures["times"])
        assert figures["seconds_per_step"] > 0 and figures["flops_per_step"] > 0 and figures["gflops_per_s"] > 0
    assert result["ratio"] == pytest.approx(result["ours"]["seconds_per_step"] / result["peer"]["seconds_per_step"])


def test_bench_step_under_bf16_autocast():
    result = bench.bench_step(TINY, SHAPE, text_len=8, repeats=1, autocast=True)
    assert result["autocast"] is True and result["ratio"] > 0


def test_our_flop_count_matches_a_hand_count():
    config = DiTConfig(latent_channels=4, width=64, depth=1, heads=2, text_dim=32, frequency_dim=64)
    ours, peer = bench.build_pair(config)
    ours_args, peer_kwargs = bench.step_inputs(config, SHAPE, text_len=8)
    call_ours, call_peer = bench.step_fns(ours, peer, ours_args, peer_kwargs, autocast=False)
    expected = hand_count(config, SHAPE, text_len=8)
    assert bench.count_flops(call_ours) == pytest.approx(expected, rel=0.02)
    # The peer does the same matmul work per token; only its small embedding layers differ.
    assert bench.count_flops(call_peer) == pytest.approx(expected, rel=0.05)


def test_attention_is_counted_quadratically_in_tokens():
    ours, peer = bench.build_pair(TINY)
    counts = []
    for shape in (SHAPE, (TINY.latent_channels, 6, 8, 8)):  # twice the tokens
        args, kwargs = bench.step_inputs(TINY, shape, text_len=8)
        counts.append(bench.count_flops(bench.step_fns(ours, peer, args, kwargs, autocast=False)[0]))
    assert counts[1] > 2 * counts[0]


def test_peer_has_our_width_depth_heads_and_patch():
    peer = bench.peer_for(TINY)
    assert len(peer.blocks) == TINY.depth
    block = peer.blocks[0]
    assert block.attn1.heads == TINY.heads and block.attn1.inner_dim == TINY.width
    assert block.ffn.net[-1].in_features == int(TINY.width * TINY.mlp_ratio)
    assert tuple(peer.config.patch_size) == TINY.patch_size
    assert peer.config.in_channels == TINY.in_channels and peer.config.out_channels == TINY.latent_channels
    assert peer.condition_embedder.text_embedder.linear_1.in_features == TINY.text_dim
    assert not peer.training and not any(p.requires_grad for p in peer.parameters())


def test_peer_output_has_our_output_shape():
    ours, peer = bench.build_pair(TINY)
    args, kwargs = bench.step_inputs(TINY, SHAPE, text_len=8)
    call_ours, call_peer = bench.step_fns(ours, peer, args, kwargs, autocast=False)
    with torch.inference_mode():
        assert call_ours().shape == call_peer().shape == (bench.BATCH, *SHAPE)


def test_latent_shape_follows_the_engine():
    config = ModelConfig(name="s", vae=VAE_PRESETS["s"], dit=DIT_PRESETS["s"])
    # 4 s at 8 fps: 32 frames → 33 (1 + 4k) → 9 latent frames, one window
    assert bench.latent_shape(config, "128x128", 4.0, 8.0) == ((16, 9, 16, 16), 33, 1)
    # 8 s: 17 latent frames, denoised as windows of 9
    shape, frames, windows = bench.latent_shape(config, "256x128", 8.0, 8.0)
    assert shape == (16, 9, 16, 32) and frames == 65 and windows == 3
    assert bench.tokens_of(config.dit, shape) == 9 * 8 * 16


def test_default_sizes_are_the_default_and_two_larger():
    config = ModelConfig(name="s", vae=VAE_PRESETS["s"], dit=DIT_PRESETS["s"])
    assert bench.default_sizes(config) == ["128x128", "256x256", "384x384"]


def test_run_writes_the_documented_json(tiny_folder, tmp_path, capsys):
    out = tmp_path / "bench.json"
    args = parse("--model", str(tiny_folder), "--sizes", "32x32", "--repeats", "1", "--no-e2e", "--threads", "1", "--json", str(out))
    assert bench.run(args) == 0
    report = json.loads(out.read_text())
    assert set(bench.REPORT_KEYS) <= set(report)
    assert {"torch", "threads", "cpu", "date", "autocast_bf16"} <= set(report["environment"])
    assert report["environment"]["threads"] == 1
    assert {"matmul_fp32_gflops", "matmul_bf16_gflops"} <= set(report["machine"])
    assert [row["size"] for row in report["sizes"]] == ["32x32"]
    row = report["sizes"][0]
    assert set(bench.SIZE_KEYS) <= set(row)
    for name in ("ours", "peer"):
        assert set(bench.NETWORK_KEYS) <= set(row[name])
        assert row[name]["peak_rss_mib"] > 0 and row[name]["e2e"] is None
    assert report["target"]["met"] == (row["ratio"] <= bench.TARGET_RATIO)
    printed = capsys.readouterr().out
    assert "32x32" in printed and "machine:" in printed and "target" in printed


def test_run_restores_the_thread_count(tiny_folder):
    before = torch.get_num_threads()
    report = bench.run_bench(tiny_folder, sizes=["32x32"], repeats=1, e2e=False, rss=False, threads=1)
    assert torch.get_num_threads() == before
    assert report["sizes"][0]["ours"]["peak_rss_mib"] is None


def test_run_rejects_a_size_off_the_grid_before_measuring(tiny_folder):
    with pytest.raises(RequestError, match="multiple"):
        bench.run(parse("--model", str(tiny_folder), "--sizes", "30x30", "--no-e2e"))


def test_end_to_end_reports_the_engine_timings(tiny_checkpoint):
    """One real generation in a subprocess (the conftest checkpoint's DiT reads MiniLM's 384-wide tokens)."""
    result = bench.end_to_end(tiny_checkpoint, "32x32", seconds=1.0, steps=1, threads=1)
    assert set(result["timings"]) == {"inputs", "text", "denoise", "decode", "total"}
    assert result["load_seconds"] > 0 and result["peak_rss_mib"] > 0


def test_run_measures_a_diffusers_model_end_to_end(tiny_pipeline, tmp_path, capsys):
    out = tmp_path / "bench.json"
    folder = tiny_pipeline("wan-t2v")
    args = parse("--model", str(folder), "--sizes", "32x32", "--seconds", "0.5", "--steps-e2e", "3", "--threads", "1", "--cache", "first-block", "--json", str(out))
    assert bench.run(args) == 0
    report = json.loads(out.read_text())
    assert set(bench.DIFFUSERS_REPORT_KEYS) <= set(report) and report["engine"] == "diffusers"
    row = report["sizes"][0]
    assert set(bench.DIFFUSERS_SIZE_KEYS) <= set(row)
    assert (row["size"], row["frames"], row["steps"], row["peak_gpu_mib"]) == ("32x32", 9, 3, None)
    assert row["seconds_per_step"] > 0 and row["peak_rss_mib"] > 0 and row["options"]["cache"] == "first-block"
    assert row["timings"]["total"] >= row["timings"]["denoise"] > 0
    assert "s/step" in capsys.readouterr().out


def test_diffusers_bench_checks_before_measuring(tiny_pipeline, tiny_folder):
    with pytest.raises(RequestError, match="not a multiple of 16"):
        bench.run(parse("--model", str(tiny_pipeline("wan-t2v")), "--sizes", "40x40"))
    with pytest.raises(RequestError, match="the native bench runs on the CPU"):
        bench.run(parse("--model", str(tiny_folder), "--device", "cuda"))
