"""The README's first command, on the embedded model as shipped."""

from kinema.cli import main
from kinema.engines import DEFAULT_MODEL, available_models
from kinema.video import probe, read_video


def test_embedded_model_is_installed():
    assert DEFAULT_MODEL in [m.name for m in available_models()]


def test_readme_command_writes_the_default_video(tmp_path, capsys):
    out = tmp_path / "ball.mp4"
    assert main(["generate", "a red ball bounces on the grass", "-o", str(out), "--seed", "1", "--quiet"]) == 0
    info = probe(out)
    assert (info.width, info.height, info.fps, info.frames, info.codec, info.pix_fmt) == (128, 128, 8.0, 32, "h264", "yuv420p")
    assert info.seconds == 4.0
    frames, _ = read_video(out)
    assert frames.std() > 5  # a picture, not a flat colour
    # a different seed gives a different, equally valid video
    other = tmp_path / "ball2.mp4"
    assert main(["generate", "a red ball bounces on the grass", "-o", str(other), "--seed", "2", "--quiet", "--seconds", "1"]) == 0
    assert not (read_video(other)[0] == frames[:8]).all()
