"""What Kinema knows about published models, decided without torch or diffusers: defaults from memory,
frame counts, fps, modes and the plan of a request."""

import dataclasses
from pathlib import Path

import pytest

from kinema.engines.base import RequestError, VideoRequest
from kinema.engines.open_weights import (
    HUB_MODELS,
    DiffusersOptions,
    choose_options,
    hub_model,
    hub_model_info,
    nearest_frames,
    nearest_size,
    options_from,
    plan_request,
)

WAN_1_3B = hub_model("wan2.1-t2v-1.3b").params  # transformer 1.42, UMT5-XXL 5.68, VAE 0.13 (billions)
WAN_14B = hub_model("wan2.1-t2v-14b").params
WAN_22 = hub_model("wan2.2-t2v-a14b").params


@pytest.mark.parametrize(
    "gpu_gib, params, expected",
    [
        (None, WAN_1_3B, ("fp32", "none", False)),  # CPU: nothing to offload to
        (8, WAN_1_3B, ("bf16", "group", True)),  # the UMT5 encoder alone (10.6 GiB) does not fit
        (16, WAN_1_3B, ("bf16", "model", True)),  # 10.6 + 5 fits, 13.5 + 5 does not
        (24, WAN_1_3B, ("bf16", "none", True)),
        (80, WAN_1_3B, ("bf16", "none", False)),
        (24, WAN_14B, ("bf16", "group", True)),  # a 26.6 GiB transformer
        (40, WAN_14B, ("bf16", "model", True)),
        (80, WAN_14B, ("bf16", "none", False)),
        (80, WAN_22, ("bf16", "none", False)),
        (48, WAN_22, ("bf16", "model", False)),  # two 14B experts take turns
    ],
)
def test_options_follow_gpu_memory(gpu_gib, params, expected):
    chosen = choose_options(gpu_gib, params)
    assert (chosen.dtype, chosen.offload, chosen.vae_tiling) == expected
    assert (chosen.quantize, chosen.compile, chosen.cache, chosen.attention) == ("none", False, "none", "sdpa")


def test_fp16_without_bf16_and_explicit_options_win():
    assert choose_options(12, WAN_1_3B, bf16=False).dtype == "fp16"
    mine = DiffusersOptions(offload="model", vae_tiling=False, compile=True)
    merged = mine.merged_over(choose_options(8, WAN_1_3B))
    assert (merged.dtype, merged.offload, merged.vae_tiling, merged.compile) == ("bf16", "model", False, True)


@pytest.mark.parametrize(
    "values, words",
    [
        (dict(offload="disk"), "offload 'disk' is not one of auto, none, model, group"),
        (dict(quantize="int4"), "quantize 'int4' is not one of none, fp8, int8, nf4"),
        (dict(attention="xformers"), "attention 'xformers' is not one of sdpa, cudnn, flash, flash3, sage, flex"),
        (dict(cache_threshold=2.0), "cache-threshold 2.0 must be between 0 and 1"),
        (dict(speed="max"), "unknown diffusers option 'speed'"),
    ],
)
def test_bad_options_are_named(values, words):
    with pytest.raises(RequestError, match=words):
        options_from(values)


def test_frame_counts_snap_to_the_nearest_the_model_makes():
    assert nearest_frames(32, 4, 81) == 33  # 2 s at 16 fps on Wan
    assert nearest_frames(80, 4, 81) == 81
    assert nearest_frames(7, 4, 81) == 9  # 5 and 9 are as near; ties go up
    assert nearest_frames(200, 8, 257) == 201
    assert nearest_frames(2, 4, 81, at_least=5) == 5


def test_size_follows_the_input_aspect():
    assert nearest_size(4 / 3, ("832x480", "480x832")) == "832x480"
    assert nearest_size(0.6, ("832x480", "480x832")) == "480x832"


def test_hub_table_names_and_repos():
    assert hub_model("Wan-AI/Wan2.1-T2V-1.3B-Diffusers").name == "wan2.1-t2v-1.3b"
    assert hub_model("WAN2.1-T2V-1.3B").repo == "Wan-AI/Wan2.1-T2V-1.3B-Diffusers"
    assert hub_model("no-such-model") is None
    assert len({m.name for m in HUB_MODELS}) == len(HUB_MODELS)
    assert {m.family for m in HUB_MODELS} == {"wan", "ltx", "cogvideox", "hunyuanvideo"}


def test_published_capabilities():
    wan = hub_model_info(hub_model("wan2.1-t2v-1.3b"))
    caps = wan.capabilities
    assert (caps.default_size, caps.size_multiple, caps.default_fps, caps.min_fps, caps.max_fps) == ("832x480", 16, 16.0, 16.0, 16.0)
    assert caps.max_seconds * 16 == pytest.approx(81, abs=0.01) and caps.default_steps == 50
    assert wan.modes == ("text-to-video", "edit", "image")
    assert hub_model_info(hub_model("wan2.1-i2v-14b-480p")).modes == ("image-to-video", "extend")
    assert hub_model_info(hub_model("wan2.1-flf2v-14b-720p")).modes == ("connect",)
    assert hub_model_info(hub_model("wan2.2-i2v-a14b")).modes == ("image-to-video", "extend", "connect")
    assert hub_model_info(hub_model("wan2.2-ti2v-5b")).capabilities.size_multiple == 32
    ltx = hub_model_info(hub_model("ltx-video")).capabilities
    assert (ltx.min_fps, ltx.max_fps, ltx.size_multiple) == (8.0, 30.0, 32) and "connect" in ltx.modes
    assert hub_model_info(hub_model("cogvideox-5b-i2v")).capabilities.sizes == ("720x480",)


WAN = hub_model_info(hub_model("wan2.1-t2v-1.3b"))
WAN_I2V = hub_model_info(hub_model("wan2.2-i2v-a14b"))
LTX = hub_model_info(hub_model("ltx-video"))


def test_plan_snaps_fps_and_frames_and_says_so():
    plan = plan_request(WAN, VideoRequest(prompt="a cat", seconds=2, fps=24, size="832x480", steps=4), seed=1)
    assert (plan.request.fps, plan.request.frames, plan.generate_frames, plan.role) == (16.0, 33, 33, "t2v")
    assert plan.adjusted["fps"]["used"] == 16.0 and plan.adjusted["frames"] == {"requested": 32, "used": 33, "why": "Wan 2.1 / 2.2 makes 1 + 4k frames"}
    assert plan.request.seconds == pytest.approx(33 / 16)
    exact = plan_request(WAN, VideoRequest(prompt="a cat", seconds=81 / 16, steps=4), seed=1)
    assert exact.adjusted == {} and exact.request.frames == 81
    assert plan_request(LTX, VideoRequest(prompt="a cat", fps=12, seconds=2), seed=0).request.fps == 12.0  # LTX takes the rate


def test_plan_conditioning_frames_are_generated_then_dropped(tmp_path):
    video = tmp_path / "a.mp4"
    extend = plan_request(WAN_I2V, VideoRequest(prompt="on", mode="extend", source_video=video, seconds=2), seed=0)
    assert (extend.generate_frames, extend.request.frames, extend.trim) == (33, 32, (1, 0))
    connect = plan_request(WAN_I2V, VideoRequest(prompt="on", mode="connect", source_video=video, target_video=video, seconds=2), seed=0)
    assert (connect.generate_frames, connect.request.frames, connect.trim, connect.role) == (33, 31, (1, 1), "i2v")
    back = plan_request(LTX, VideoRequest(prompt="on", mode="extend", direction="backward", source_video=video, seconds=1), seed=0)
    assert (back.trim, back.role) == ((0, 1), "keyframes")


@pytest.mark.parametrize(
    "info, change, param, words",
    [
        (WAN, dict(mode="image-to-video"), "mode", "mode 'image-to-video' is not supported by wan2.1-t2v-1.3b; it supports: text-to-video, edit, image"),
        (WAN_I2V, dict(mode="image-to-video"), "input_reference", "mode 'image-to-video' needs input_reference"),
        (WAN_I2V, dict(mode="connect", source_video=Path("a.mp4")), "target_video", "needs target_video"),
        (WAN_I2V, dict(mode="extend", source_video=Path("a.mp4"), direction="backward"), "direction", "it supports: forward"),
        (WAN, dict(mode="edit", source_video=Path("a.mp4"), strength=1.5), "strength", r"strength 1.5 is outside \(0, 1\]"),
        (WAN, dict(mode="edit", source_video=Path("a.mp4"), strength=0.1, steps=4), "strength", "leaves no denoising step"),
        (WAN, dict(seconds=6), "seconds", "seconds 6 is outside"),
        (WAN, dict(size="100x64"), "size", "width 100 is not a multiple of 16"),
        (hub_model_info(hub_model("cogvideox-5b-i2v")), dict(mode="image-to-video", input_reference=Path("a.png"), size="480x720"), "size", "makes only 720x480"),
    ],
)
def test_plan_refuses_what_the_model_cannot_do(info, change, param, words):
    with pytest.raises(RequestError, match=words) as error:
        plan_request(info, dataclasses.replace(VideoRequest(prompt="a cat"), **change), seed=0)
    assert error.value.param == param
