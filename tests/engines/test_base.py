import pytest

from kinema.engines.base import Capabilities, RequestError, VideoRequest, parse_size, resolve

CAPS = Capabilities(
    modes=("text-to-video", "image"),
    default_size="128x128",
    sizes=("128x128",),
    size_multiple=16,
    min_side=32,
    max_side=1024,
    default_fps=8.0,
    min_fps=1.0,
    max_fps=30.0,
    default_seconds=4.0,
    max_seconds=60.0,
    default_steps=24,
    max_steps=200,
    default_guidance_scale=5.0,
)


def test_defaults_are_filled():
    r = resolve(VideoRequest(prompt="a ball"), CAPS, seed=7)
    assert (r.width, r.height, r.fps, r.frames, r.seconds, r.steps, r.seed) == (128, 128, 8.0, 32, 4.0, 24, 7)
    assert r.size == "128x128"


def test_frames_follow_seconds_and_fps():
    r = resolve(VideoRequest(prompt="a ball", seconds=60, fps=8, size="160x96"), CAPS, seed=0)
    assert (r.frames, r.width, r.height) == (480, 160, 96)
    assert resolve(VideoRequest(prompt="x", mode="image"), CAPS, seed=0).frames == 1


@pytest.mark.parametrize(
    "change, param, words",
    [
        (dict(size="big"), "size", "'big' is not WxH"),
        (dict(size="130x128"), "size", "width 130 is not a multiple of 16"),
        (dict(size="128x2048"), "size", "height 2048 is outside"),
        (dict(seconds=0), "seconds", "seconds 0 is outside"),
        (dict(seconds=61), "seconds", "seconds 61 is outside"),
        (dict(seconds=float("nan")), "seconds", "seconds nan"),
        (dict(steps=0), "steps", "steps 0 is outside"),
        (dict(fps=0), "fps", "fps 0 is outside"),
        (dict(guidance_scale=-1), "guidance_scale", "guidance_scale -1"),
        (dict(prompt="  "), "prompt", "prompt is empty"),
        (dict(prompt="x" * 4001), "prompt", "4001 characters"),
        (dict(mode="storyboard"), "mode", "supports: text-to-video, image"),
        (dict(seed=-1), "seed", "seed -1"),
    ],
)
def test_bad_values_are_named(change, param, words):
    fields = {"prompt": "a ball", **change}
    with pytest.raises(RequestError) as info:
        resolve(VideoRequest(**fields), CAPS, seed=0)
    assert info.value.param == param
    assert words in str(info.value)


def test_parse_size_accepts_common_spellings():
    assert parse_size("160x96") == parse_size(" 160 X 96 ") == parse_size("160×96") == (160, 96)
