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
    COLOURS,
    PIXEL_FEATURES,
    ROW_MEDIAN_FEATURES,
    ColourNet,
    Detector,
    Networks,
    PixelNet,
    SegNet,
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


def test_segnet_weights_load_and_label_frames_of_any_size(tmp_path):
    torch.manual_seed(0)
    nets = Networks(SegNet(), ColourNet(), ShapeNet())
    path = tmp_path / "detector.npz"
    calibrate.save(nets, path, {"made_by": "test"})
    loaded = load_networks(path)
    assert isinstance(loaded.pixel, SegNet)
    frames = np.random.default_rng(0).integers(0, 256, (3, 30, 42, 3), dtype=np.uint8)  # sides not multiples of 4
    probs, contour = Detector(networks=loaded).pixel_maps(frames, SKIES[0], GROUNDS[0])
    assert probs.shape == (3, 13, 30, 42) and np.allclose(probs.sum(1), 1.0, atol=1e-4)
    assert contour.shape == (3, 30, 42) and ((contour >= 0) & (contour <= 1)).all()


def test_segnet_padding_is_saved_with_its_weights_and_old_weights_load_with_zeros(tmp_path):
    path = tmp_path / "detector.npz"
    for padding in ("replicate", "zeros"):
        calibrate.save(Networks(SegNet(padding=padding), ColourNet(), ShapeNet()), path, {})
        load_networks.cache_clear()
        assert load_networks(path).pixel.stem.padding_mode == padding
    with np.load(path) as data:  # weights saved before the padding was recorded
        arrays = {k: data[k] for k in data.files if k != "seg_padding"}
    np.savez(path, **arrays)
    load_networks.cache_clear()
    assert load_networks(path).pixel.padding == "zeros"


def test_the_contour_threshold_is_saved_with_the_weights_and_old_weights_load_with_one_half(tmp_path):
    path = tmp_path / "detector.npz"
    calibrate.save(Networks(SegNet(), ColourNet(), ShapeNet(), contour_threshold=0.8), path, {})
    load_networks.cache_clear()
    assert load_networks(path).contour_threshold == 0.8
    with np.load(path) as data:  # weights saved before the threshold was recorded
        arrays = {k: data[k] for k in data.files if k != "contour_threshold"}
    np.savez(path, **arrays)
    load_networks.cache_clear()
    assert load_networks(path).contour_threshold == 0.5


def test_the_contour_threshold_is_the_lowest_within_one_standard_error_of_the_best(tmp_path, monkeypatch):
    store = calibrate.ExampleStore(tmp_path, seed=1, clips=1)
    store.fill(log_every=0)
    nets = Networks(SegNet(), ColourNet(), ShapeNet())
    shares, objects = calibrate.objects_read_once(nets, store)
    assert set(shares) == set(calibrate.CONTOUR_THRESHOLDS) and objects > 0
    assert all(0.0 <= share <= 1.0 for share in shares.values())
    # Over 1,600 objects one standard error of a share near 0.94 is 0.006: 0.8 is as good as 0.9.
    made_up = {0.5: 0.90, 0.6: 0.92, 0.7: 0.93, 0.8: 0.941, 0.9: 0.943}
    monkeypatch.setattr(calibrate, "objects_read_once", lambda networks, data: (made_up, 1600))
    assert calibrate.choose_contour_threshold(nets, store) == (0.8, made_up)
    made_up = {0.5: 0.80, 0.6: 0.85, 0.7: 0.90, 0.8: 0.92, 0.9: 0.94}
    assert calibrate.choose_contour_threshold(nets, store)[0] == 0.9


def test_contours_mark_both_sides_of_where_two_objects_meet_and_nothing_else():
    ids = np.full((1, 5, 6), -1, np.int8)
    ids[0, 1:4, 0:2] = 0
    ids[0, 1:4, 2:4] = 1  # touches object 0 along a column
    ids[0, 1:4, 5] = 2  # one background column away from object 1
    contour = calibrate.contour_of(ids)[0]
    assert contour[1:4, 1].all() and contour[1:4, 2].all()
    assert contour.sum() == 6


def test_twin_contours_are_where_two_objects_of_one_colour_meet():
    ids = np.full((1, 5, 7), -1, np.int8)
    ids[0, 1:4, 0:2] = 0
    ids[0, 1:4, 2:4] = 1  # meets object 0 along a column: same colour
    ids[0, 1:4, 4:6] = 2  # meets object 1 along a column: another colour
    classes = np.zeros((1, 5, 7), np.uint8)
    classes[0][ids[0] >= 0] = 3
    classes[0][ids[0] == 2] = 5
    twins = calibrate.contour_of(ids, classes)[0]
    assert twins[1:4, 1].all() and twins[1:4, 2].all()
    assert twins.sum() == 6
    assert calibrate.contour_of(ids)[0].sum() == 12


def test_segnet_trains_on_stored_frames(tmp_path):
    store = calibrate.ExampleStore(tmp_path, seed=1, clips=1)
    store.fill(log_every=0)
    data = calibrate.seg_frames(store)
    assert len(data.frames) == len(data.labels) == len(data.contours) > 0
    net = calibrate.train_seg_net(data, steps=2, seed=0, batch=2, log_every=0)
    assert isinstance(net, SegNet) and not net.training
    assert len(data.twins) == len(data.frames)
    assert data.with_twins == [i for i, t in enumerate(data.twins) if t.any()]
    # Crops round where two objects of one colour meet, weighed more (one such meeting marked here).
    data.twins[0][10:12, 10:20] = True
    data.with_twins = [0]
    net = calibrate.train_seg_net(data, steps=2, seed=0, batch=2, log_every=0, twin_weight=5.0, twin_crops=0.5, contour_weight=10.0)
    assert isinstance(net, SegNet)
    # Colours weighed more in the class loss: the same draws, other weights.
    plain = calibrate.train_seg_net(data, steps=2, seed=0, batch=2, log_every=0)
    weighted = calibrate.train_seg_net(data, steps=2, seed=0, batch=2, log_every=0, class_weight={c: 3.0 for c in COLOURS})
    assert any(not torch.equal(a, b) for a, b in zip(plain.state_dict().values(), weighted.state_dict().values()))


def _red_region(contour_columns: slice | None, expected: frozenset[str] | None = None, notch: bool = False):
    """One red region (rows 10–29, columns 5–34) read by an untrained SegNet's detector, with a contour
    of 0.9 down `contour_columns` (none: no contour map); `notch` cuts a 7-pixel square of background
    into its top edge at columns 23–29 (where two objects' outlines would meet)."""
    from kinema.world.scene import PALETTE

    detector = Detector(networks=Networks(SegNet(), None, None))
    frame = np.zeros((40, 40, 3), np.uint8)
    probs = np.zeros((13, 40, 40), np.float32)
    probs[0] = 1.0
    probs[:, 10:30, 5:35] = 0.0
    probs[1 + list(PALETTE).index("red"), 10:30, 5:35] = 1.0
    if notch:
        probs[:, 10:17, 23:30] = 0.0
        probs[0, 10:17, 23:30] = 1.0
    contour = None
    if contour_columns is not None:
        contour = np.zeros((40, 40), np.float32)
        contour[10:30, contour_columns] = 0.9
    return detector._components(frame, probs, SKIES[0], GROUNDS[0], np.ones(12, bool), expected, contour)


def test_two_touching_objects_of_one_colour_are_two_components_where_the_contour_parts_them():
    apart = _red_region(slice(19, 21))  # the contour splits the region down the middle
    together = _red_region(None)
    assert len(together.detections) == 1
    assert len(apart.detections) == 2 and sum(d.area for d in apart.detections) == 20 * 30


def test_a_tip_cut_off_by_a_contour_stays_part_of_its_object():
    # Cutting off the last four columns (a tenth of the region) leaves one object; down the middle, two.
    assert len(_red_region(slice(29, 31), frozenset({"red"})).detections) == 1
    assert len(_red_region(slice(19, 21), frozenset({"red"})).detections) == 2


def test_a_piece_a_contour_cuts_off_a_convex_object_stays_part_of_it():
    # The last eight columns cut off (0.4 of the rest: above TIP_SHARE, under CONVEX_SHARE): the two
    # together are a box, one object (count-033's capsule). With a notch where they meet, two objects.
    from kinema.worldbench.detector import CONVEX_SHARE, TIP_SHARE

    assert TIP_SHARE < 8 / 20 < CONVEX_SHARE
    assert len(_red_region(slice(25, 27), frozenset({"red"})).detections) == 1
    assert len(_red_region(slice(25, 27), frozenset({"red"}), notch=True).detections) == 2


@pytest.mark.parametrize(
    ("given", "message"),
    [("grey=2", "'grey' is not a colour; the colours are red, orange"), ("gray=x", "give COLOUR=W"), ("gray=0", "must be above 0")],
)
def test_a_bad_class_weight_is_a_clear_error(capsys, given, message):
    with pytest.raises(SystemExit):
        calibrate.main(["--class-weight", given])
    assert message in capsys.readouterr().err


def test_row_median_is_refused_for_segnet(capsys):
    with pytest.raises(SystemExit):
        calibrate.main(["--row-median"])
    assert "--row-median is a PixelNet feature" in capsys.readouterr().err
