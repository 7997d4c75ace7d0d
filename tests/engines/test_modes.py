"""Every mode of the native engine on a tiny random model: shapes, what is kept exactly, and seams."""

import json
from dataclasses import replace

import numpy as np
import pytest
import torch

from kinema.checkpoint import save_checkpoint
from kinema.engines import modes
from kinema.engines.base import MODES, RequestError, StoryboardCard, VideoRequest, resolve
from kinema.engines.native import NativeEngine
from kinema.models.dit import DiT
from kinema.models.vae import VideoVAE
from kinema.video import probe, read_video, write_video

from ..conftest import tiny_model_config


@pytest.fixture(scope="module")
def engine(tmp_path_factory, text_encoder):
    torch.manual_seed(1)
    config = tiny_model_config("tiny-modes")
    config = replace(config, sampling=replace(config.sampling, modes=MODES, window_latent_frames=5, window_overlap=1))
    vae, dit = VideoVAE(config.vae), DiT(config.dit)
    with torch.no_grad():
        for p in dit.parameters():
            p.add_(torch.randn_like(p) * 0.02)
    folder = save_checkpoint(tmp_path_factory.mktemp("modes") / "tiny", config, vae, dit)
    return NativeEngine(folder, text_encoder=text_encoder)


def moving(frames: int, size: int = 64, colour=(200, 40, 40)) -> np.ndarray:
    """A square sliding right over a grey ground: (T, H, W, 3) uint8."""
    video = np.full((frames, size, size, 3), 90, np.uint8)
    for t in range(frames):
        x = 4 + 2 * t
        video[t, 24:40, x : x + 16] = colour
    return video


def close(a: np.ndarray, b: np.ndarray, tolerance: float = 6.0) -> bool:
    """Equal up to H.264 (and the invisible watermark)."""
    return float(np.abs(a.astype(float) - b.astype(float)).mean()) < tolerance


def request(**kw):
    return VideoRequest(prompt="a red cube slides right", seed=3, steps=2, **kw)


def test_image_to_video_starts_on_the_image(engine, tmp_path):
    from PIL import Image

    image = moving(1)[0]
    Image.fromarray(image).save(tmp_path / "still.png")
    out = tmp_path / "i2v.mp4"
    engine.generate(request(mode="image-to-video", input_reference=tmp_path / "still.png", seconds=1), out)
    frames, _ = read_video(out)
    assert len(frames) == 8 and close(frames[0], image)
    # the image is latent frame 0, fixed through denoising
    r = resolve(request(mode="image-to-video", input_reference=tmp_path / "still.png", seconds=1), engine.capabilities())
    plan = modes.plan(engine, request(mode="image-to-video", input_reference=tmp_path / "still.png", seconds=1), r)
    latents, _ = engine._denoise(r, plan, engine._text(plan.prompt, ""), None)
    assert plan.known_mask.tolist()[0] and torch.equal(latents[:, :, 0], plan.known[:, :, 0])


def test_extend_forward_keeps_the_source_and_continues_it(engine, tmp_path):
    source = moving(9)
    write_video(tmp_path / "src.mp4", source, 8)
    out = tmp_path / "ext.mp4"
    result = engine.generate(request(mode="extend", source_video=tmp_path / "src.mp4", seconds=1), out)
    frames, _ = read_video(out)
    assert len(frames) == 9 + 8
    assert all(close(frames[i], source[i]) for i in range(9))
    assert result.details["windows"] >= 1


def test_extend_backward_puts_the_new_frames_first(engine, tmp_path):
    source = moving(9)
    write_video(tmp_path / "src.mp4", source, 8)
    out = tmp_path / "back.mp4"
    engine.generate(request(mode="extend", source_video=tmp_path / "src.mp4", direction="backward", seconds=1), out)
    frames, _ = read_video(out)
    assert len(frames) == 8 + 9 and all(close(frames[8 + i], source[i]) for i in range(9))


def test_backward_windows_end_on_the_source(engine):
    plan = modes.Plan(views=1, length=10, known=torch.zeros(1, 4, 10, 2, 2), known_mask=torch.tensor([False] * 7 + [True] * 3),
                      shots=torch.zeros(10, dtype=torch.long), camera=torch.zeros(1, 10, 8), prompt="x", backward=True)
    # window 5, overlap 1: from the source backwards, each window ending on one decided frame
    assert engine._windows(plan) == [(3, 8), (0, 4)]


def test_connect_joins_two_videos(engine, tmp_path):
    a, b = moving(5), moving(5, colour=(40, 40, 200))
    write_video(tmp_path / "a.mp4", a, 8)
    write_video(tmp_path / "b.mp4", b, 8)
    out = tmp_path / "join.mp4"
    engine.generate(request(mode="connect", source_video=tmp_path / "a.mp4", target_video=tmp_path / "b.mp4", seconds=1), out)
    frames, _ = read_video(out)
    assert len(frames) == 5 + 8 + 5
    assert all(close(frames[i], a[i]) for i in range(5)) and all(close(frames[13 + i], b[i]) for i in range(5))
    with pytest.raises(RequestError, match="a connection is at most"):
        engine.generate(request(mode="connect", source_video=tmp_path / "a.mp4", target_video=tmp_path / "b.mp4", seconds=5), out)


def test_edit_strength_sets_how_far_from_the_source(engine, tmp_path):
    source = moving(8)
    write_video(tmp_path / "src.mp4", source, 8)
    distances = []  # how far the edited latents end from the source's (a random VAE's pixels would say nothing)
    for strength in (0.05, 0.5, 1.0):
        req = request(mode="edit", source_video=tmp_path / "src.mp4", strength=strength, seconds=1)
        r = resolve(req, engine.capabilities())
        plan = modes.plan(engine, req, r)
        latents, _ = engine._denoise(r, plan, engine._text(plan.prompt, ""), None)
        distances.append(float((latents - plan.init).abs().mean()))
    assert distances[0] < distances[1] < distances[2]
    engine.generate(request(mode="edit", source_video=tmp_path / "src.mp4", seconds=1), tmp_path / "edit.mp4")
    assert probe(tmp_path / "edit.mp4").frames == 8
    with pytest.raises(RequestError, match="strength 1.5 is outside"):
        engine.generate(request(mode="edit", source_video=tmp_path / "src.mp4", strength=1.5), tmp_path / "x.mp4")


def test_loop_ends_where_it_starts(engine, tmp_path):
    r = resolve(request(mode="loop", seconds=2), engine.capabilities())
    plan = modes.plan(engine, request(mode="loop", seconds=2), r)
    latents, _ = engine._denoise(r, plan, engine._text(plan.prompt, ""), None)
    assert torch.equal(latents[:, :, 0], latents[:, :, -1])
    engine.generate(request(mode="loop", seconds=2), tmp_path / "loop.mp4")
    assert probe(tmp_path / "loop.mp4").frames == 1 + (plan.length - 2) * 4  # the repeat of frame 0 is left out


def test_storyboard_cuts_where_the_cards_say(engine, tmp_path):
    cards = (StoryboardCard(0, "a red ball on grass"), StoryboardCard(1.5, "a close-up of the red ball"))
    req = request(mode="storyboard", storyboard=cards, seconds=3)
    r = resolve(req, engine.capabilities())
    plan = modes.plan(engine, req, r)
    assert "At 1.5 seconds the shot cuts to a close-up of the red ball." in plan.prompt
    assert plan.shots.tolist()[0] == 0 and plan.shots.tolist()[-1] == 1
    engine.generate(req, tmp_path / "story.mp4")
    assert probe(tmp_path / "story.mp4").frames == 24
    with pytest.raises(RequestError, match="storyboard card 0 must start at 0 s"):
        resolve(request(mode="storyboard", storyboard=(StoryboardCard(1, "x"),)), engine.capabilities())


def test_multi_view_writes_each_camera_and_a_grid(engine, tmp_path, monkeypatch):
    seen = []
    real = engine.dit.forward

    def spy(*args, **kw):
        seen.append(kw["view"].clone())
        return real(*args, **kw)

    monkeypatch.setattr(engine.dit, "forward", spy)
    result = engine.generate(request(mode="multi-view", views=3, seconds=1), tmp_path / "mv.mp4")
    paths = result.details["views"]
    assert [p.split("/")[-1] for p in paths] == ["mv.mp4", "mv-v1.mp4", "mv-v2.mp4", "mv-grid.mp4"]
    assert all(probe(p).frames == 8 for p in paths)
    grid = probe(paths[-1])
    assert (grid.width, grid.height) == (128, 128)  # three 64×64 views, two to a row
    assert set(seen[0].unique().tolist()) == {0, 1, 2}  # the views were generated together, as one sequence
    with pytest.raises(RequestError, match="views 9 is outside 2–6"):
        resolve(request(mode="multi-view", views=9), engine.capabilities())


def test_camera_paths_and_keyframes_become_per_frame_features(engine):
    req = request(mode="camera", camera="pan-left", seconds=2)
    plan = modes.plan(engine, req, resolve(req, engine.capabilities()))
    assert plan.prompt.endswith("The camera pans left.")
    forward = plan.camera[0, :, 3:6]
    assert plan.camera[0, :, 7].eq(1).all() and not torch.allclose(forward[0], forward[-1])  # the camera turns
    keys = json.dumps([{"at_second": 0, "position": [0, -7, 2], "target": [0, 0, 0]}, {"at_second": 2, "position": [0, -4, 2], "target": [0, 0, 0]}])
    req = request(mode="camera", camera=keys, seconds=2)
    plan = modes.plan(engine, req, resolve(req, engine.capabilities()))
    y = plan.camera[0, :, 1]
    assert y[0] < y[-1]  # moving in along +y, between the keyframes
    with pytest.raises(RequestError, match="neither a named path"):
        resolve(request(mode="camera", camera="zoom-in"), engine.capabilities())


def test_prompt_expansion_writes_the_detailed_caption(engine):
    expanding = replace(engine.config, sampling=replace(engine.config.sampling, expand_prompts=True))
    engine.config, original = expanding, engine.config
    try:
        text = engine.expand_prompt("a red ball bounces on the grass", seed=1)
        assert text != "a red ball bounces on the grass" and "red" in text and "bounc" in text
        assert engine.expand_prompt("Tokyo street at night", seed=1) == "Tokyo street at night"
    finally:
        engine.config = original
