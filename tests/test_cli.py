"""The `kinema` command: user mistakes are one line and exit code 2; a real run writes the video."""

import json
import subprocess
import sys

import pytest

from kinema.cli import main
from kinema.video import probe


def run(args, capsys):
    code = main(args)
    out, err = capsys.readouterr()
    return code, out, err


@pytest.mark.parametrize(
    "args, words",
    [
        (["--size", "big"], "size 'big' is not WxH"),
        (["--size", "100x64"], "width 100 is not a multiple of 8"),
        (["--seconds", "0"], "seconds 0.0 is outside (0, 60]"),
        (["--seconds", "61"], "seconds 61.0 is outside (0, 60]"),
        (["--steps", "0"], "steps 0 is outside 1–200"),
        (["--steps", "two"], "argument --steps: invalid int value: 'two'"),
        (["--fps", "0"], "fps 0.0 is outside"),
        (["-o", "/nonexistent-folder/x.mp4"], "folder '/nonexistent-folder' does not exist"),
        (["-o", "video.avi"], "must end in .mp4"),
        (["--model", "no-such-model"], "unknown model 'no-such-model'; available:"),
    ],
)
def test_mistakes_are_one_line_and_exit_2(args, words, capsys, tiny_checkpoint, tmp_path):
    if "--model" not in args:
        args = [*args, "--model", str(tiny_checkpoint)]
    if "-o" not in args:
        args = [*args, "-o", str(tmp_path / "out.mp4")]
    code, out, err = run(["generate", "a ball", *args], capsys)
    assert code == 2
    assert err.count("\n") == 1 and err.startswith("kinema: error:")
    assert words in err
    assert "Traceback" not in err
    assert not (tmp_path / "out.mp4").exists()


def test_unwritable_output_is_refused(tmp_path, capsys, tiny_checkpoint):
    folder = tmp_path / "a-file"
    folder.write_text("not a folder")
    code, _, err = run(["generate", "a ball", "--model", str(tiny_checkpoint), "-o", str(folder / "x.mp4")], capsys)
    assert code == 2 and "does not exist" in err


def test_console_script_exit_code_and_no_traceback(tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "kinema.cli", "generate", "a ball", "--size", "128x12x", "-o", str(tmp_path / "x.mp4")],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 2
    assert result.stderr.strip() == "kinema: error: size '128x12x' is not WxH (for example 128x128)"


def test_generate_writes_the_video(tmp_path, capsys, tiny_checkpoint):
    out = tmp_path / "ball.mp4"
    code, stdout, err = run(
        ["generate", "a red ball bounces", "--model", str(tiny_checkpoint), "--seconds", "2", "--fps", "6", "--size", "96x64", "--seed", "5", "-o", str(out)],
        capsys,
    )
    assert code == 0
    assert stdout.strip() == str(out)
    info = probe(out)
    assert (info.width, info.height, info.frames, info.fps) == (96, 64, 12, 6.0)
    assert "seed 5" in err


def test_generate_json_metadata(tmp_path, capsys, tiny_checkpoint):
    code, stdout, _ = run(["generate", "a cube", "--model", str(tiny_checkpoint), "--seed", "1", "--quiet", "--json", "-o", str(tmp_path / "c.mp4")], capsys)
    meta = json.loads(stdout)
    assert code == 0 and meta["seed"] == 1 and meta["model"] == "tiny-test" and meta["path"].endswith("c.mp4")


def test_models_lists_the_embedded_model(capsys):
    code, out, _ = run(["models", "--json"], capsys)
    rows = json.loads(out)
    assert code == 0
    default = [r for r in rows if r["default"]]
    assert len(default) == 1 and "text-to-video" in default[0]["modes"]
    code, out, _ = run(["models"], capsys)
    assert default[0]["name"] in out and "(default)" in out


def test_broken_checkpoint_folder_is_one_line(tmp_path, capsys):
    (tmp_path / "config.json").write_text("{not json")
    code, _, err = run(["generate", "a ball", "--model", str(tmp_path), "-o", str(tmp_path / "x.mp4")], capsys)
    assert code == 2 and err.startswith("kinema: error:") and "is not valid JSON" in err and err.count("\n") == 1


# --- published open weights (the diffusers engine) ---------------------------------------------------


def test_generate_from_a_diffusers_folder(tiny_pipeline, tmp_path, capsys):
    out = tmp_path / "wan.mp4"
    folder = tiny_pipeline("wan-t2v")
    code, stdout, err = run(["generate", "a red ball", "--model", str(folder), "--size", "32x32", "--seconds", "1", "--fps", "24", "--steps", "2", "--seed", "5", "-o", str(out)], capsys)
    assert code == 0 and stdout.strip() == str(out)
    assert "note: fps 24 → 16 (Wan 2.1 / 2.2 makes motion at 16 fps)" in err and "note: frames 16 → 17" in err
    info = probe(out)
    assert (info.width, info.height, info.frames, info.fps) == (32, 32, 17, 16.0)


@pytest.mark.parametrize("kind", ["ltx", "cogvideox-t2v", "hunyuanvideo"])
def test_every_family_generates_from_its_folder(tiny_pipeline, kind, tmp_path, capsys):
    out = tmp_path / f"{kind}.mp4"
    code, stdout, _ = run(["generate", "a red ball", "--model", str(tiny_pipeline(kind)), "--size", "32x32", "--seconds", "1", "--steps", "2", "--json", "--quiet", "-o", str(out)], capsys)
    meta = json.loads(stdout)
    info = probe(out)
    assert code == 0 and meta["engine"] == "diffusers" and meta["model"] == kind
    assert (info.width, info.height, info.frames, info.fps) == (32, 32, meta["frames"], meta["fps"])


def test_generate_image_to_video_with_options_as_json(tiny_pipeline, tmp_path, capsys):
    from PIL import Image

    Image.new("RGB", (40, 40), (200, 30, 30)).save(tmp_path / "red.png")
    code, stdout, _ = run(
        ["generate", "it rolls away", "--model", str(tiny_pipeline("wan-i2v")), "--mode", "image-to-video", "--input-reference", str(tmp_path / "red.png"),
         "--size", "32x32", "--seconds", "0.5", "--steps", "2", "--quantize", "fp8", "--cache", "first-block", "--json", "--quiet", "-o", str(tmp_path / "r.mp4")],
        capsys,
    )
    meta = json.loads(stdout)
    assert code == 0 and meta["mode"] == "image-to-video" and meta["pipeline"] == "WanImageToVideoPipeline"
    assert (meta["options"]["quantize"], meta["options"]["cache"], meta["options"]["offload"]) == ("fp8", "first-block", "none")


@pytest.mark.parametrize(
    "damage, args, words",
    [
        (lambda f: (f / "transformer" / "diffusion_pytorch_model.safetensors").unlink(), [], "transformer/ has no weights"),
        (lambda f: None, ["--mode", "edit"], "mode 'edit' needs source_video"),
        (lambda f: None, ["--mode", "connect"], "it supports: text-to-video, edit, image"),
        (lambda f: None, ["--offload", "group"], "offload 'group' moves weights onto a GPU; device cpu is not one"),
        (lambda f: None, ["--attention", "fast"], "argument --attention: invalid choice: 'fast'"),
    ],
)
def test_diffusers_mistakes_are_one_line(tiny_pipeline, tmp_path, capsys, damage, args, words):
    import shutil

    folder = shutil.copytree(tiny_pipeline("wan-t2v"), tmp_path / "wan")
    damage(folder)
    code, _, err = run(["generate", "a ball", "--model", str(folder), "--size", "32x32", "--steps", "2", *args, "-o", str(tmp_path / "x.mp4")], capsys)
    assert code == 2 and err.startswith("kinema: error:") and err.count("\n") == 1 and "Traceback" not in err
    assert words in err
    assert not (tmp_path / "x.mp4").exists()


def test_diffusers_options_on_a_native_model_are_refused(tiny_checkpoint, tmp_path, capsys):
    code, _, err = run(["generate", "a ball", "--model", str(tiny_checkpoint), "--offload", "model", "-o", str(tmp_path / "x.mp4")], capsys)
    assert code == 2 and err.strip() == "kinema: error: --offload applies to diffusers models; tiny is a native checkpoint"


def test_folder_that_is_neither_model_is_one_line(tmp_path, capsys):
    (tmp_path / "m").mkdir()
    code, _, err = run(["generate", "a ball", "--model", str(tmp_path / "m"), "-o", str(tmp_path / "x.mp4")], capsys)
    assert code == 2 and "has neither config.json (a Kinema checkpoint) nor model_index.json (a diffusers model)" in err


def test_models_lists_published_weights(capsys):
    code, out, _ = run(["models", "--json"], capsys)
    rows = {r["name"]: r for r in json.loads(out)}
    wan = rows["wan2.1-t2v-1.3b"]
    assert code == 0 and wan["engine"] == "diffusers" and wan["repo"] == "Wan-AI/Wan2.1-T2V-1.3B-Diffusers"
    assert wan["modes"] == ["text-to-video", "edit", "image"] and wan["default_size"] == "832x480" and wan["size_gib"] > 10
    assert {r["name"] for r in rows.values() if r["engine"] == "diffusers"} >= {"ltx-video", "cogvideox-2b", "hunyuanvideo", "wan2.2-ti2v-5b"}
    code, out, _ = run(["models"], capsys)
    assert "wan2.1-t2v-1.3b — diffusers engine." in out and "weights: Wan-AI/Wan2.1-T2V-1.3B-Diffusers, 13.5 GiB in bf16" in out


@pytest.mark.parametrize("args, words", [
    (["a man is decapitated, blood spraying everywhere"], "prompt was blocked by the content policy: violence"),
    (["Mickey Mouse dancing on a table"], "prompt was blocked by the content policy: ip"),
    (["a sunny beach", "--negative-prompt", "t4yl0r sw1ft"], "negative_prompt was blocked by the content policy: likeness"),
])
def test_generate_refuses_what_the_policy_blocks(args, words, capsys, tiny_checkpoint, tmp_path):
    out = tmp_path / "x.mp4"
    code, _, err = run(["generate", *args, "--model", str(tiny_checkpoint), "-o", str(out)], capsys)
    assert code == 2 and err.count("\n") == 1 and words in err and "Traceback" not in err
    assert not out.exists()


def test_generated_video_carries_provenance_and_verifies(tmp_path, capsys, tiny_checkpoint):
    out = tmp_path / "v.mp4"
    code, stdout, _ = run(["generate", "a red ball", "--model", str(tiny_checkpoint), "--seed", "2", "--seconds", "4",
                           "--size", "128x128", "--quiet", "--json", "-o", str(out)], capsys)
    assert code == 0
    meta = json.loads(stdout)["provenance"]
    assert meta["c2pa"] and meta["watermark"] and meta["video_id"].startswith("video_")
    code, stdout, _ = run(["verify", str(out), "--json"], capsys)
    report = json.loads(stdout)
    assert code == 0 and report["verdict"] == "made here"
    assert report["manifest"]["state"] == "trusted" and report["manifest"]["video_id"] == meta["video_id"]
    assert report["watermark"]["found"] and report["watermark"]["video_id"] == meta["video_id"]
    assert report["fingerprint"]["video_id"] == meta["video_id"]


def test_verify_mistakes_are_one_line(tmp_path, capsys):
    code, _, err = run(["verify", str(tmp_path / "none.mp4")], capsys)
    assert code == 2 and "is not a file" in err and err.count("\n") == 1


def test_safety_check_prints_scores(capsys):
    code, stdout, _ = run(["safety", "check", "a zen garden in a glass sphere"], capsys)
    result = json.loads(stdout)
    assert code == 0 and result["allowed"] and set(result["scores"]) == {"violence", "sexual", "hate", "likeness", "ip", "minors", "self_harm"}
