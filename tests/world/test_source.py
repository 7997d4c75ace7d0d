"""Packing a Kinema World folder (`kinema world pack`) and reading it back."""

import numpy as np

from kinema.cli import main
from kinema.world.build import BuildSettings, build
from kinema.world.source import WorldSource


def test_pack_keeps_a_range_of_clips_and_their_trajectories(tmp_path, capsys):
    folder = tmp_path / "world"
    build(BuildSettings(clips=5, width=32, height=32, seconds=1.0, fps=4.0, seed=2, video=False, max_objects=2), folder, workers=1, progress=False)
    whole, part = tmp_path / "whole.npz", tmp_path / "part.npz"
    assert main(["world", "pack", str(folder), "-o", str(whole)]) == 0
    assert main(["world", "pack", str(folder), "-o", str(part), "--clips", "1:4"]) == 0
    everything, some = WorldSource(whole), WorldSource(part)
    assert len(everything) == 5 and some.indices == [1, 2, 3]
    for i, index in enumerate(some.indices):
        assert some.record(i) == everything.record(index)
        assert np.array_equal(some.trajectory(i)[0], everything.trajectory(index)[0])


def test_a_bad_clip_range_is_refused_before_anything_is_written(tmp_path, capsys):
    for bad in ("4", "5:2", "a:b"):
        assert main(["world", "pack", str(tmp_path), "-o", str(tmp_path / "out.npz"), "--clips", bad]) == 2
        assert f"--clips {bad!r} must be START:STOP" in capsys.readouterr().err
    assert not (tmp_path / "out.npz").exists()
