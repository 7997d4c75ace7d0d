"""The diffusers engine on tiny random pipelines of every family, saved to folders and loaded exactly as
published weights are: every mode end to end to an MP4, the options, and clear errors for bad folders."""

import json
import shutil
from pathlib import Path

import numpy as np
import pytest

pytest.importorskip("diffusers")

from kinema.engines import load_engine, locate_model  # noqa: E402
from kinema.engines.base import RequestError, VideoRequest  # noqa: E402
from kinema.engines.open_weights import DiffusersOptions  # noqa: E402
from kinema.video import probe, read_video, write_video  # noqa: E402

PROMPT = "a red ball rolls across the table"
T2V = {"wan-t2v": "32x32", "wan22-t2v": "32x32", "wan22-ti2v": "32x32", "ltx": "32x32", "cogvideox-t2v": "32x32", "hunyuanvideo": "32x32"}
I2V = {"wan-i2v": "32x32", "wan22-ti2v": "32x32", "cogvideox-i2v": "16x16"}  # CogVideoX-I2V's learned positions fix its size
ENGINES: dict = {}


def engine_for(tiny_pipeline, kind: str, **options):
    """One engine per (kind, options) for the whole module: loading is the slow part."""
    key = (kind, tuple(sorted(options.items())))
    if key not in ENGINES:
        ENGINES[key] = load_engine(str(tiny_pipeline(kind)), options=DiffusersOptions(**options) if options else None)
    return ENGINES[key]


@pytest.fixture(scope="module")
def still(tmp_path_factory) -> Path:
    """A 4:3 png with a gradient, so a crop to the output's aspect is visible in the notes."""
    from PIL import Image

    y, x = np.mgrid[0:48, 0:64]
    path = tmp_path_factory.mktemp("inputs") / "still.png"
    Image.fromarray(np.stack([x * 4, y * 5, (x + y) * 2], -1).astype(np.uint8)).save(path)
    return path


@pytest.fixture(scope="module")
def clip(tmp_path_factory) -> Path:
    """A 2-second 16 fps video whose frames brighten over time."""
    frames = np.stack([np.full((32, 32, 3), 8 * i, np.uint8) for i in range(32)])
    return write_video(tmp_path_factory.mktemp("inputs") / "clip.mp4", frames, 16)


@pytest.mark.parametrize("kind", sorted(T2V))
def test_text_to_video_from_a_folder(tiny_pipeline, kind, tmp_path):
    engine = engine_for(tiny_pipeline, kind)
    steps = []
    result = engine.generate(VideoRequest(prompt=PROMPT, size=T2V[kind], seconds=1, steps=2, seed=4), tmp_path / "a.mp4", progress=lambda i, n: steps.append((i, n)))
    info, r = probe(tmp_path / "a.mp4"), result.request
    assert (info.width, info.height, info.frames, info.fps) == (32, 32, r.frames, r.fps)
    assert (r.frames - 1) % engine.info.frame_step == 0 and r.frames >= 1 + engine.info.frame_step
    assert steps == [(1, 2), (2, 2)]
    meta = result.metadata()
    assert meta["engine"] == "diffusers" and meta["family"] == engine.info.family and meta["options"]["dtype"] == "fp32"
    assert json.loads(probe_comment(tmp_path / "a.mp4")) == {"generator": "kinema", "model": kind, "seed": 4}
    frames, _ = read_video(tmp_path / "a.mp4")
    assert frames.std() > 1  # random weights still paint something, not a blank video


def probe_comment(path: Path) -> str:
    import av

    with av.open(str(path)) as container:
        return container.metadata["comment"]


@pytest.mark.parametrize("kind", sorted(I2V))
def test_image_to_video(tiny_pipeline, kind, still, tmp_path):
    engine = engine_for(tiny_pipeline, kind)
    result = engine.generate(VideoRequest(prompt=PROMPT, mode="image-to-video", input_reference=still, size=I2V[kind], seconds=1, steps=2, seed=1), tmp_path / "b.mp4")
    info = probe(tmp_path / "b.mp4")
    assert (info.width, info.frames) == (int(I2V[kind].split("x")[0]), result.request.frames)
    assert any("centre-cropped" in note for note in result.metadata()["notes"])  # 4:3 into a square


def test_seed_decides_the_frames(tiny_pipeline):
    engine = engine_for(tiny_pipeline, "wan-t2v")
    request = VideoRequest(prompt=PROMPT, size="32x32", seconds=0.5, steps=2, seed=9)
    a, _, _ = engine.render(request)
    b, _, _ = engine.render(request)
    c, _, _ = engine.render(VideoRequest(prompt=PROMPT, size="32x32", seconds=0.5, steps=2, seed=10))
    assert np.array_equal(a, b) and not np.array_equal(a, c)


def test_fps_and_frames_snap_and_the_result_says_so(tiny_pipeline, tmp_path):
    result = engine_for(tiny_pipeline, "wan-t2v").generate(VideoRequest(prompt=PROMPT, size="32x32", seconds=1, fps=24, steps=2, seed=0), tmp_path / "c.mp4")
    meta = result.metadata()
    assert meta["adjusted"]["fps"] == {"requested": 24, "used": 16.0, "why": "Wan 2.1 / 2.2 makes motion at 16 fps"}
    assert meta["adjusted"]["frames"]["used"] == 17 and probe(tmp_path / "c.mp4").frames == 17


def test_image_mode_is_one_frame(tiny_pipeline, tmp_path):
    result = engine_for(tiny_pipeline, "wan-t2v").generate(VideoRequest(prompt=PROMPT, mode="image", size="32x32", steps=2, seed=0), tmp_path / "i.mp4")
    assert probe(tmp_path / "i.mp4").frames == 1 and result.request.frames == 1


@pytest.mark.parametrize("kind", ["wan-t2v", "cogvideox-t2v", "ltx"])
def test_edit_keeps_the_source_length(tiny_pipeline, kind, clip, tmp_path):
    engine = engine_for(tiny_pipeline, kind)
    result = engine.generate(VideoRequest(prompt="a blue ball", mode="edit", source_video=clip, size="32x32", steps=4, strength=0.5, seed=2), tmp_path / "e.mp4")
    meta = result.metadata()
    # 2 s of source: as many frames as the model makes nearest 2 s at its rate
    assert meta["pipeline"] in ("WanVideoToVideoPipeline", "CogVideoXVideoToVideoPipeline", "LTXConditionPipeline")
    assert probe(tmp_path / "e.mp4").frames == meta["frames"] and abs(meta["seconds"] - 2) <= 8 / meta["fps"]


def test_extend_forward_is_the_continuation(tiny_pipeline, clip, tmp_path):
    engine = engine_for(tiny_pipeline, "wan-i2v")
    result = engine.generate(VideoRequest(prompt=PROMPT, mode="extend", source_video=clip, size="32x32", seconds=1, steps=2, seed=3), tmp_path / "x.mp4")
    # 16 frames wanted, 17 made (1 + 4k), the first (the source's last frame) not written
    assert result.request.frames == 16 and probe(tmp_path / "x.mp4").frames == 16 and "adjusted" not in result.details


def test_connect_joins_two_videos(tiny_pipeline, clip, tmp_path):
    result = engine_for(tiny_pipeline, "wan-flf2v").generate(
        VideoRequest(prompt=PROMPT, mode="connect", source_video=clip, target_video=clip, size="32x32", seconds=1, steps=2, seed=3), tmp_path / "j.mp4"
    )
    assert result.details["pipeline"] == "WanImageToVideoPipeline"
    assert probe(tmp_path / "j.mp4").frames == result.request.frames == 15  # 17 made, both ends dropped


@pytest.mark.parametrize("mode, direction", [("image-to-video", "forward"), ("extend", "backward"), ("connect", "forward")])
def test_ltx_conditions_on_frames_anywhere(tiny_pipeline, mode, direction, still, clip, tmp_path):
    request = VideoRequest(
        prompt=PROMPT, mode=mode, direction=direction, input_reference=still, source_video=clip, target_video=clip, size="32x32", seconds=1, fps=24, steps=2, seed=5
    )
    result = engine_for(tiny_pipeline, "ltx").generate(request, tmp_path / "l.mp4")
    assert probe(tmp_path / "l.mp4").frames == result.request.frames
    assert result.details["pipeline"] == ("LTXImageToVideoPipeline" if mode == "image-to-video" else "LTXConditionPipeline")


def test_cogvideox_extend_forward(tiny_pipeline, clip, tmp_path):
    result = engine_for(tiny_pipeline, "cogvideox-i2v").generate(
        VideoRequest(prompt=PROMPT, mode="extend", source_video=clip, size="16x16", seconds=1, steps=2, seed=0), tmp_path / "x.mp4"
    )
    assert probe(tmp_path / "x.mp4").frames == result.request.frames == 8  # 9 made (1 + 8k), first dropped


def test_hunyuanvideo_says_it_ignores_the_negative_prompt(tiny_pipeline):
    _, plan, _ = engine_for(tiny_pipeline, "hunyuanvideo").render(VideoRequest(prompt=PROMPT, negative_prompt="blur", size="32x32", seconds=0.2, steps=2, seed=0))
    assert any("negative_prompt is not used" in note for note in plan.notes)


@pytest.mark.parametrize(
    "options",
    [
        dict(quantize="fp8"),
        dict(cache="first-block", cache_threshold=0.2),
        dict(cache="pab"),
        dict(vae_tiling=True, vae_slicing=True),
        dict(attention="flex"),
    ],
)
def test_options_run_and_are_reported(tiny_pipeline, options, tmp_path):
    import torch

    engine = engine_for(tiny_pipeline, "wan-t2v", **options)
    result = engine.generate(VideoRequest(prompt=PROMPT, size="32x32", seconds=1, steps=3, seed=0), tmp_path / "o.mp4")
    assert probe(tmp_path / "o.mp4").frames == 17
    assert {k: result.metadata()["options"][k] for k in options} == options
    if options.get("quantize") == "fp8":
        assert engine.components["transformer"].blocks[0].ffn.net[2].weight.dtype == torch.float8_e4m3fn


@pytest.mark.parametrize(
    "kind, options, param, words",
    [
        ("wan-t2v", dict(offload="group"), "offload", "device cpu is not one"),
        ("cogvideox-t2v", dict(attention="flash"), "attention", "not available for CogVideoX"),
        ("wan-t2v", dict(quantize="nf4"), "quantize", "needs a CUDA device"),
    ],
)
def test_options_the_machine_cannot_honour(tiny_pipeline, kind, options, param, words):
    with pytest.raises(RequestError, match=words) as error:
        load_engine(str(tiny_pipeline(kind)), options=DiffusersOptions(**options))
    assert error.value.param == param


def test_unsupported_mode_lists_what_the_model_does(tiny_pipeline, still):
    with pytest.raises(RequestError, match="it supports: text-to-video, edit, image"):
        engine_for(tiny_pipeline, "wan-t2v").render(VideoRequest(prompt=PROMPT, mode="image-to-video", input_reference=still))


def test_videos_carry_provenance_naming_the_video_id(tiny_pipeline, tmp_path):
    """As the native engine: watermark, signed manifest and fingerprints, under the caller's video id."""
    from kinema.safety.config import load_config
    from kinema.safety.provenance import Provenance
    from kinema.safety.verify import verify

    provenance = Provenance(load_config(home=tmp_path / "home"))
    engine = load_engine(str(tiny_pipeline("ltx")), provenance=provenance)
    request = VideoRequest(prompt=PROMPT, size="32x32", seconds=1, steps=2, seed=3)
    result = engine.generate(request, tmp_path / "a.mp4", video_id="video_ltx1", request_id="req_ltx1")
    assert result.metadata()["provenance"]["video_id"] == "video_ltx1"
    report = verify(tmp_path / "a.mp4", provenance).to_dict()
    assert report["verdict"] == "made here" and report["fingerprint"]["video_id"] == "video_ltx1"
    assert (report["manifest"]["state"], report["manifest"]["video_id"], report["manifest"]["request_id"]) == ("trusted", "video_ltx1", "req_ltx1")
    plain = load_engine(str(tiny_pipeline("ltx")), provenance=False).generate(request, tmp_path / "b.mp4")
    assert "provenance" not in plain.metadata() and verify(tmp_path / "b.mp4", provenance).manifest.state == "absent"


def test_render_takes_inputs_in_memory(tiny_pipeline):
    """Frames instead of files (a GPU machine without PyAV): the still is used, no file field needed."""
    from kinema.engines.inputs import ModeInputs

    engine = engine_for(tiny_pipeline, "wan-i2v")
    request = VideoRequest(prompt=PROMPT, mode="image-to-video", size="32x32", seconds=0.5, steps=2, seed=0)
    frames, plan, _ = engine.render(request, inputs=ModeInputs(image=np.full((24, 32, 3), 200, np.uint8)))
    assert frames.shape == (plan.request.frames, 32, 32, 3) and any("centre-cropped" in n for n in plan.notes)
    with pytest.raises(RequestError, match="needs the frames image"):
        engine.render(request, inputs=ModeInputs())


def test_capabilities_agree_with_the_pipeline(tiny_pipeline):
    """The grid and frame rule read from configs (no torch) are what the loaded pipeline computes."""
    for kind in ("wan-t2v", "ltx", "hunyuanvideo"):
        engine = engine_for(tiny_pipeline, kind)
        pipe, caps = engine._active, engine.capabilities()
        spatial = getattr(pipe, "vae_scale_factor_spatial", None) or pipe.vae_spatial_compression_ratio
        temporal = getattr(pipe, "vae_scale_factor_temporal", None) or pipe.vae_temporal_compression_ratio
        patch = engine.components["transformer"].config.patch_size
        assert caps.size_multiple == spatial * (patch[1] if isinstance(patch, (list, tuple)) else patch)
        assert engine.info.frame_step == temporal


# --- folders: missing and mismatched files ----------------------------------------------------------


@pytest.fixture
def wan_copy(tiny_pipeline, tmp_path) -> Path:
    return Path(shutil.copytree(tiny_pipeline("wan-t2v"), tmp_path / "wan"))


def edit_json(path: Path, **changes) -> None:
    data = json.loads(path.read_text())
    data.update(changes)
    path.write_text(json.dumps(data))


@pytest.mark.parametrize(
    "damage, words",
    [
        (lambda f: (f / "transformer" / "diffusion_pytorch_model.safetensors").unlink(), "transformer/ has no weights"),
        (lambda f: shutil.rmtree(f / "vae"), "model folder is missing .*/vae/ \\(model_index.json lists vae: AutoencoderKLWan\\)"),
        (lambda f: (f / "scheduler" / "scheduler_config.json").unlink(), "model folder is missing .*scheduler_config.json"),
        (lambda f: (f / "model_index.json").write_text("{not json"), "model_index.json is not readable JSON"),
        (lambda f: edit_json(f / "model_index.json", _class_name="MochiPipeline"), "pipeline 'MochiPipeline' is not one Kinema runs"),
        (lambda f: edit_json(f / "transformer" / "config.json", text_dim=64), "transformer/config.json has text_dim 64 but .*text_encoder/config.json has width 32"),
        (lambda f: edit_json(f / "transformer" / "config.json", _class_name="LTXVideoTransformer3DModel"), "describes a LTXVideoTransformer3DModel but model_index.json says transformer is a WanTransformer3DModel"),
        (lambda f: (f / "vae" / "diffusion_pytorch_model.safetensors").write_bytes(b"\x10\x00"), "diffusion_pytorch_model.safetensors is not a safetensors file"),
    ],
)
def test_bad_folders_are_named_before_loading(wan_copy, damage, words):
    damage(wan_copy)
    with pytest.raises(RequestError, match=words):
        load_engine(str(wan_copy))


def test_weights_that_do_not_fit_the_config_name_the_component(wan_copy):
    edit_json(wan_copy / "transformer" / "config.json", ffn_dim=48)  # the saved weights are 32 wide
    with pytest.raises(RequestError, match=r"cannot load .*/transformer/ \("):
        load_engine(str(wan_copy))


def test_folder_without_either_config(tmp_path):
    (tmp_path / "empty").mkdir()
    with pytest.raises(RequestError, match="has neither config.json .* nor model_index.json"):
        locate_model(str(tmp_path / "empty"))


# --- hub names ----------------------------------------------------------------------------------------


@pytest.fixture
def hub_cache(tmp_path, monkeypatch):
    """An empty Hugging Face cache, offline."""
    import huggingface_hub.constants as constants

    monkeypatch.setattr(constants, "HF_HUB_CACHE", str(tmp_path / "hub"))
    monkeypatch.setattr(constants, "HF_HUB_OFFLINE", True)
    return tmp_path / "hub"


def test_hub_name_not_downloaded_says_how_to_get_it(hub_cache):
    entry = locate_model("wan2.1-t2v-1.3b")
    assert entry.folder is None and entry.capabilities().default_size == "832x480"
    with pytest.raises(RequestError, match=r"not downloaded .*hf download Wan-AI/Wan2.1-T2V-1.3B-Diffusers --local-dir DIR"):
        load_engine("wan2.1-t2v-1.3b")


def test_hub_name_found_in_the_cache(hub_cache, tiny_pipeline, tmp_path):
    """A model downloaded with `hf download` (here: the tiny folder laid out as the cache lays it out)."""
    repo = hub_cache / "models--Wan-AI--Wan2.1-T2V-1.3B-Diffusers"
    shutil.copytree(tiny_pipeline("wan-t2v"), repo / "snapshots" / "abc123")
    (repo / "refs").mkdir()
    (repo / "refs" / "main").write_text("abc123")
    engine = load_engine("wan2.1-t2v-1.3b")
    result = engine.generate(VideoRequest(prompt=PROMPT, size="32x32", seconds=0.5, steps=2, seed=0), tmp_path / "h.mp4")
    assert result.model == "wan2.1-t2v-1.3b" and result.details["source"] == "Wan-AI/Wan2.1-T2V-1.3B-Diffusers"


def test_attention_backend_stays_with_its_model(tiny_pipeline):
    """diffusers' set_attention_backend also switches the process-wide default; the engine puts it back."""
    from diffusers.models.attention_dispatch import _AttentionBackendRegistry

    before = _AttentionBackendRegistry._active_backend
    engine = engine_for(tiny_pipeline, "wan-t2v", attention="flex")
    processor = engine.components["transformer"].blocks[0].attn1.processor
    assert processor._attention_backend.value == "flex" and _AttentionBackendRegistry._active_backend == before
