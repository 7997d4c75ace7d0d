"""`kinema worldbench`: a folder of videos, a model, and the truth, end to end (tiny and short)."""

import json
from dataclasses import replace

import pytest
import torch

from kinema.checkpoint import save_checkpoint
from kinema.cli import main
from kinema.engines.base import MODES
from kinema.models.dit import DiT
from kinema.models.vae import VideoVAE
from kinema.worldbench.run import RunSettings, render_truth
from kinema.worldbench.suite import load_suite

from ..conftest import tiny_model_config


@pytest.fixture(scope="module")
def suite():
    return load_suite()


def _first(suite, mode, dim=None):
    return next(p for p in suite.prompts if p.mode == mode and (dim is None or dim in p.dims))


def test_a_folder_of_videos_is_scored_and_missing_ones_are_reported(suite, tmp_path, capsys):
    present, absent = _first(suite, "text-to-video", "count"), _first(suite, "text-to-video", "motion")
    folder = tmp_path / "videos"
    render_truth([present], RunSettings(64, 64, 4.0, 8.0, supersample=1), folder)
    code = main(["worldbench", "--videos", str(folder), "--ids", present.id, absent.id, "--out", str(tmp_path / "out"), "--quiet"])
    out, err = capsys.readouterr()
    assert code == 0, err
    report = json.loads((tmp_path / "out" / "report.json").read_text())
    status = {p["id"]: p["status"] for p in report["prompts"]}
    assert status == {present.id: "scored", absent.id: "missing"}
    assert report["dimensions"]["count"]["score"] == 1.0
    assert report["dimensions"]["motion"] == {**report["dimensions"]["motion"], "score": None, "scored": 0, "missing": 1}
    page = (tmp_path / "out" / "report.html").read_text()
    assert present.prompt.split(".")[0] in page and "<video" in page and "strips/" in page
    assert "count" in out and "missing" in out


def test_a_model_is_asked_only_what_it_can_do(suite, tmp_path, capsys, tiny_checkpoint):
    t2v, multi, story = _first(suite, "text-to-video"), _first(suite, "multi-view"), _first(suite, "storyboard")
    out = tmp_path / "out"
    code = main(
        ["worldbench", "--model", str(tiny_checkpoint), "--ids", t2v.id, multi.id, story.id,
         "--size", "64x64", "--seconds", "1", "--out", str(out), "--quiet"]
    )
    text, err = capsys.readouterr()
    assert code == 0, err
    report = json.loads((out / "report.json").read_text())
    rows = {p["id"]: p for p in report["prompts"]}
    assert rows[t2v.id]["status"] == "scored" and (out / rows[t2v.id]["videos"][0]).is_file()
    for prompt, mode in ((multi, "multi-view"), (story, "storyboard")):
        assert rows[prompt.id]["status"] == "not-applicable"
        assert f"does not support {mode}" in rows[prompt.id]["reason"]
    dims = report["dimensions"]
    assert dims["multi-view"]["score"] is None and dims["multi-view"]["not_applicable"] == 1
    assert dims["storyboard"]["score"] is None and dims["storyboard"]["not_applicable"] == 1
    assert "not applicable" in text
    # A rerun with other settings does not mix its videos with these.
    code = main(["worldbench", "--model", str(tiny_checkpoint), "--ids", t2v.id, "--size", "64x64", "--seconds", "2", "--out", str(out)])
    assert code == 2 and "other settings" in capsys.readouterr().err


@pytest.fixture(scope="module")
def all_modes_checkpoint(tmp_path_factory):
    """The tiny random model, told it was trained for every mode."""
    torch.manual_seed(1)
    config = tiny_model_config("tiny-modes")
    config = replace(config, sampling=replace(config.sampling, modes=MODES))
    vae, dit = VideoVAE(config.vae), DiT(config.dit)
    with torch.no_grad():
        for p in dit.parameters():
            p.add_(torch.randn_like(p) * 0.02)
    return save_checkpoint(tmp_path_factory.mktemp("modes") / "tiny", config, vae, dit)


def test_mode_dimensions_are_asked_of_a_model(suite, tmp_path, capsys, all_modes_checkpoint, tiny_checkpoint):
    moving = next(p for p in suite.prompts if p.section == "motion" and any(o.motion in ("roll", "slide") for o in p.scene.objects))
    out = tmp_path / "out"
    code = main(
        ["worldbench", "--model", str(all_modes_checkpoint), "--ids", moving.id, "--size", "64x64", "--seconds", "2",
         "--modes", "first-frame", "extension-seam", "loop-seam", "--out", str(out), "--quiet"]
    )
    text, err = capsys.readouterr()
    assert code == 0, err
    rows = json.loads((out / "modes.json").read_text())
    assert set(rows) == {"first-frame", "extension-seam", "loop-seam"}
    for row in rows.values():  # a random tiny model: the scores are whatever they are, but they are scores
        assert row["scored"] == 1 and 0.0 <= row["score"] <= 1.0
        verdict = row["verdicts"][moving.id]
        assert 0.0 <= verdict["score"] <= 1.0 and verdict["detail"]
    assert "extension-seam" in text and (out / "modes" / f"{moving.id}-loop-seam.mp4").is_file()
    # A model without those modes is not scored on them: they are not applicable, and it says why.
    code = main(["worldbench", "--model", str(tiny_checkpoint), "--ids", moving.id, "--size", "64x64", "--seconds", "2",
                 "--modes", "--out", str(tmp_path / "plain"), "--quiet"])
    assert code == 0
    rows = json.loads((tmp_path / "plain" / "modes.json").read_text())
    assert all(r["score"] is None and r["not_applicable"] == 1 and "does not support" in r["reason"] for r in rows.values())


@pytest.mark.parametrize(
    "args, words",
    [
        (["--truth", "--dims", "colour"], "unknown dimension(s) colour"),
        (["--truth", "--limit", "0"], "limit 0 must be at least 1"),
        (["--truth", "--ids", "nope-001"], "no prompt with id nope-001"),
        (["--videos", "/no/such/folder"], "is not a folder"),
        (["--truth", "--model", "kinema-s"], "not allowed with argument"),
        (["--truth", "--size", "big"], "size 'big' is not WxH"),
        (["--truth", "--modes"], "--modes needs --model"),
        (["--model", "kinema-s", "--modes", "wobble"], "unknown mode dimension(s) wobble"),
        (["--truth", "--limit", "many"], "invalid int value: 'many'"),
    ],
)
def test_mistakes_are_one_line(args, words, tmp_path, capsys):
    code = main(["worldbench", *args, "--out", str(tmp_path / "out")])
    err = capsys.readouterr().err
    assert code == 2 and words in err and err.count("\n") == 1
