"""The detector's rebuild (`python -m kinema.worldbench.calibrate`): its labelled scenes are compact,
stored one a file and read back one at a time, a rerun resumes, and weights with either pixel feature
set load into a working detector. (The rebuild itself takes an hour; its figures are in
benchmarks/results/worldbench_calibration.md.)"""

import numpy as np
import pytest
import torch

from kinema.world.scene import GROUNDS, SKIES
from kinema.worldbench import calibrate
from kinema.worldbench.detector import (
    PIXEL_FEATURES,
    ROW_MEDIAN_FEATURES,
    ColourNet,
    Detector,
    Networks,
    PixelNet,
    ShapeNet,
    load_networks,
    pixel_features,
)


def test_a_scene_is_labelled_in_compact_types_and_deterministically():
    a, b = calibrate.example(0, 3, frames_per_view=1), calibrate.example(0, 3, frames_per_view=1)
    assert a.frames.dtype == np.uint8 and a.labels.dtype == np.uint8
    assert a.weights.dtype == np.float16 and a.ids.dtype == np.int8
    assert a.frames.shape[:3] == a.labels.shape == a.weights.shape == a.ids.shape
    assert len(a.views) == len(a.frames)
    assert np.array_equal(a.labels, b.labels) and np.array_equal(a.frames, b.frames)
    # a labelled object pixel belongs to an object, a background pixel to none
    assert ((a.labels > 0) == (a.ids >= 0)).all()
    assert set(np.unique(a.weights)) <= {0.25, 0.5, 0.75, 1.0}


def test_the_store_reads_back_what_it_rendered_and_a_rerun_renders_nothing(tmp_path, monkeypatch):
    store = calibrate.ExampleStore(tmp_path, seed=5, clips=2)
    store.fill(log_every=0)
    first = [ex for ex in store]
    assert len(first) == 2
    again = calibrate.example(5, 1)
    assert np.array_equal(first[1].labels, again.labels) and first[1].views == again.views
    assert first[1].sky == again.sky and first[1].shapes == again.shapes

    def fail(*args, **kwargs):
        raise AssertionError("a stored scene was rendered again")

    monkeypatch.setattr(calibrate, "example", fail)
    calibrate.ExampleStore(tmp_path, seed=5, clips=2).fill(log_every=0)
    assert not list(tmp_path.glob(".*.part"))


def test_pixel_samples_are_compact_and_match_the_feature_set(tmp_path):
    store = calibrate.ExampleStore(tmp_path, seed=1, clips=1)
    store.fill(log_every=0)
    for row_median, width in ((False, PIXEL_FEATURES), (True, ROW_MEDIAN_FEATURES)):
        x, y, w, sky, ground = calibrate.pixel_samples(store, 0, per_frame=40, row_median=row_median)
        assert x.shape[1] == width and x.dtype == np.float16
        assert len(x) == len(y) == len(w) == len(sky) == len(ground) > 0
        assert y.dtype == np.uint8 and (y > 0).any() and (y == 0).any()


@pytest.mark.parametrize("features", [PIXEL_FEATURES, ROW_MEDIAN_FEATURES])
def test_weights_of_either_feature_set_load_into_a_detector(tmp_path, features):
    torch.manual_seed(0)
    nets = Networks(PixelNet(features=features), ColourNet(), ShapeNet())
    path = tmp_path / "detector.npz"
    calibrate.save(nets, path, {"made_by": "test"})
    loaded = load_networks(path)
    assert loaded.pixel.first.in_features == features
    frames = np.random.default_rng(0).integers(0, 256, (2, 24, 32, 3), dtype=np.uint8)
    assert pixel_features(frames, loaded.pixel.row_median).shape == (2, 24, 32, features)
    probs = Detector(networks=loaded).pixel_probs(frames, SKIES[0], GROUNDS[0])
    assert probs.shape == (2, 13, 24, 32) and np.allclose(probs.sum(1), 1.0, atol=1e-4)


def test_pixel_net_refuses_a_feature_count_it_has_no_features_for():
    with pytest.raises(ValueError, match="16 or 19"):
        PixelNet(features=17)


def test_a_bad_step_count_is_a_clear_error(capsys):
    with pytest.raises(SystemExit):
        calibrate.main(["--clips", "0"])
    assert "--clips must be at least 1, not 0" in capsys.readouterr().err
