import pytest
import torch

from kinema.engines.base import RequestError, VideoRequest, resolve
from kinema.engines import modes
from kinema.engines.native import NativeEngine, plan_windows
from kinema.video import probe, read_video


@pytest.fixture(scope="module")
def engine(tiny_checkpoint, text_encoder):
    return NativeEngine(tiny_checkpoint, text_encoder=text_encoder)


def test_generates_the_requested_video(engine, tmp_path):
    steps = []
    result = engine.generate(VideoRequest(prompt="a red ball bounces", seconds=2, fps=8, seed=3), tmp_path / "a.mp4", progress=lambda i, n: steps.append((i, n)))
    info = probe(tmp_path / "a.mp4")
    assert (info.width, info.height, info.frames, info.fps, info.codec) == (64, 64, 16, 8.0, "h264")
    assert info.seconds == pytest.approx(2.0)
    assert steps[-1] == (steps[-1][1], steps[-1][1])
    meta = result.metadata()
    assert meta["model"] == "tiny-test" and meta["seed"] == 3 and meta["frames"] == 16
    assert set(meta["timings"]) == {"inputs", "text", "denoise", "decode", "total"}


def test_same_seed_same_frames_different_seed_different(engine, tmp_path):
    # The watermark carries the video id, so the same frames need the same id too.
    request = VideoRequest(prompt="a blue cube slides left", seconds=1, seed=11)
    engine.generate(request, tmp_path / "a.mp4", video_id="video_same")
    engine.generate(request, tmp_path / "b.mp4", video_id="video_same")
    engine.generate(VideoRequest(prompt="a blue cube slides left", seconds=1, seed=12), tmp_path / "c.mp4", video_id="video_same")
    a, b, c = (read_video(tmp_path / f"{n}.mp4")[0] for n in "abc")
    assert (a == b).all()
    assert not (a == c).all()


def test_every_video_gets_its_own_provenance(engine, tmp_path):
    request = VideoRequest(prompt="a blue cube slides left", seconds=1, seed=11)
    first = engine.generate(request, tmp_path / "a.mp4").details["provenance"]
    second = engine.generate(request, tmp_path / "b.mp4").details["provenance"]
    assert first["video_id"] != second["video_id"] and first["watermark"] != second["watermark"]
    a, b = (read_video(tmp_path / f"{n}.mp4")[0].astype(int) for n in "ab")
    assert 0 < abs(a - b).mean() < 3  # the same picture, a different invisible payload
    plain = NativeEngine(engine.folder, text_encoder=engine.text_encoder, provenance=False)
    assert "provenance" not in plain.generate(request, tmp_path / "c.mp4").details


def test_no_seed_draws_one_and_reports_it(engine, tmp_path):
    result = engine.generate(VideoRequest(prompt="a ball", seconds=1), tmp_path / "a.mp4")
    assert 0 <= result.request.seed < 2**63


def test_sixty_seconds_in_overlapping_windows(engine, tmp_path):
    result = engine.generate(VideoRequest(prompt="a ball rolls right", seconds=60, fps=4, seed=0, steps=1), tmp_path / "long.mp4")
    info = probe(tmp_path / "long.mp4")
    assert info.frames == 240 and info.seconds == pytest.approx(60.0)
    # 240 frames → 61 latent frames; windows of 3 overlapping by 1 → 30 windows
    assert result.details["windows"] == len(plan_windows(61, 3, 1)) == 30


def test_windows_carry_the_previous_frames(engine, monkeypatch):
    """Each window after the first is given the previous window's last latent frames as known frames."""
    seen = []
    real = engine.dit.forward

    def spy(x, t, text, text_mask=None, known=None, known_mask=None, **per_frame):
        seen.append((known.clone(), known_mask.clone()))
        return real(x, t, text, text_mask, known, known_mask, **per_frame)

    monkeypatch.setattr(engine.dit, "forward", spy)
    request = VideoRequest(prompt="a ball", seconds=3, fps=8, seed=0, steps=1, guidance_scale=1.0)
    resolved = resolve(request, engine.capabilities())
    latents, windows = engine._denoise(resolved, modes.plan(engine, request, resolved), engine._text("a ball", ""), None)
    assert len(windows) == len(seen) > 1
    for (begin, end), (known, mask) in zip(windows[1:], seen[1:]):
        assert mask[0, 0, :, 0, 0].tolist() == [1.0] + [0.0] * (end - begin - 1)
        assert torch.equal(known[:, :, 0], latents[:, :, begin])


def test_plan_windows_covers_everything_once():
    for total in (1, 3, 9, 10, 61):
        windows = plan_windows(total, 9, 2)
        assert windows[0][0] == 0 and windows[-1][1] == total
        for (_, end), (begin, _) in zip(windows, windows[1:]):
            assert end - begin == 2


def test_image_mode_is_one_frame(engine, tmp_path):
    engine.generate(VideoRequest(prompt="a green cone", mode="image", seed=0), tmp_path / "still.mp4")
    assert probe(tmp_path / "still.mp4").frames == 1


def test_unsupported_mode_lists_supported(engine, tmp_path):
    with pytest.raises(RequestError, match="supports: text-to-video, image"):
        engine.generate(VideoRequest(prompt="x", mode="multi-view"), tmp_path / "x.mp4")
    assert not (tmp_path / "x.mp4").exists()
