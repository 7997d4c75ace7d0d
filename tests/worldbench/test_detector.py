"""The detector and the tracker on ground-truth renders (the truth is read here only to check them)."""

import dataclasses

import numpy as np

from kinema.world.scene import Camera, Scene, WorldObject
from kinema.worldbench.detector import Detector
from kinema.worldbench.track import events, track
from kinema.worldbench.variants import render_scene

STILL = Scene(
    "grass",
    "noon",
    (
        WorldObject("sphere", "red", "large", (-1.6, 0.0)),
        WorldObject("cube", "blue", "large", (0.0, 0.6)),
        WorldObject("cone", "yellow", "large", (1.6, 0.0)),
    ),
    Camera("front"),
)


def test_objects_are_read_in_their_colours_where_they_are(detector=None):
    detector = detector or Detector()
    rendered = render_scene(STILL, 64, 64, 2, 8)
    readings = detector.read(rendered.videos[0], "noon", "grass")
    truth = rendered.truth
    for t, reading in enumerate(readings):
        assert sorted(d.colour for d in reading.detections) == ["blue", "red", "yellow"], t
        for d in reading.detections:
            i = [o.color for o in STILL.objects].index(d.colour)
            u0, v0, u1, v1 = truth.box[0, t, i]
            assert u0 - 1 <= d.u <= u1 + 1 and v0 - 1 <= d.v <= v1 + 1
            assert abs((d.box[2] - d.box[0]) - (u1 - u0)) <= 2
    tracks = track(readings)
    assert len(tracks) == 3 and all(len(t) == len(readings) for t in tracks)
    shapes = {t.colour: t.shape()[0] for t in tracks}
    assert shapes == {"red": "sphere", "blue": "cube", "yellow": "cone"}
    assert events(tracks, readings) == []


def test_a_rolling_ball_is_one_track_moving_its_way():
    scene = Scene("snow", "morning", (WorldObject("sphere", "orange", "medium", (-1.5, 0.3), "roll", "right"),))
    rendered = render_scene(scene, 64, 64, 3, 8)
    readings = Detector().read(rendered.videos[0], "morning", "snow")
    tracks = track(readings)
    visible = int((rendered.truth.pixels[0, :, 0] >= 4).sum())
    assert len(tracks) == 1 and len(tracks[0]) >= visible - 1
    u = tracks[0].centres()[:, 0]
    assert (np.diff(u) > 0).mean() > 0.9


def test_an_object_removed_in_the_open_is_a_vanishing_event():
    half = 8
    # Further apart than STILL: an object vanishing within a quarter of its size of another may have
    # gone behind it, which is not an event.
    apart = STILL.replace(objects=tuple(dataclasses.replace(o, position=(1.4 * o.position[0], o.position[1])) for o in STILL.objects))

    def remove(batches, times):
        batches[0].shape[half:, 1] = -1  # the blue cube, standing clear of the others

    rendered = render_scene(apart, 64, 64, 2, 8, edit=remove)
    readings = Detector().read(rendered.videos[0], "noon", "grass")
    found = events(track(readings), readings)
    assert [(e.kind, e.colour, e.frame) for e in found] == [("vanished", "blue", half)]


def test_of_two_touching_objects_the_one_reaching_lower_is_in_front():
    from kinema.world.scene import PALETTE
    from kinema.worldbench.detector import Networks, SegNet

    detector = Detector(networks=Networks(SegNet(), None, None))
    probs = np.zeros((13, 40, 40), np.float32)
    probs[0] = 1.0
    red, blue = 1 + list(PALETTE).index("red"), 1 + list(PALETTE).index("blue")
    probs[:, 5:20, 10:25] = 0.0
    probs[red, 5:20, 10:25] = 1.0  # further back: its bottom is higher in the picture
    probs[:, 15:35, 20:32] = 0.0
    probs[blue, 15:35, 20:32] = 1.0  # nearer, overlapping it
    reading = detector._components(np.zeros((40, 40, 3), np.uint8), probs, "noon", "grass", np.ones(12, bool))
    by_colour = {d.colour: d for d in reading.detections}
    assert by_colour["red"].touching and by_colour["blue"].touching
    assert by_colour["red"].behind and not by_colour["blue"].behind


def test_an_object_a_pixel_clear_of_a_nearer_one_may_still_be_hidden_by_it():
    # multi-view-024: a cone's tip above a cube's top face, the dark edge between them read as background.
    from kinema.world.scene import PALETTE
    from kinema.worldbench.detector import BEHIND_GAP, Networks, SegNet

    detector = Detector(networks=Networks(SegNet(), None, None))
    red, blue = 1 + list(PALETTE).index("red"), 1 + list(PALETTE).index("blue")

    def reading(gap):
        probs = np.zeros((13, 40, 40), np.float32)
        probs[0] = 1.0
        probs[:, 5:12, 14:20] = 0.0
        probs[red, 5:12, 14:20] = 1.0  # the tip further back
        probs[:, 12 + gap : 35, 8:30] = 0.0
        probs[blue, 12 + gap : 35, 8:30] = 1.0  # the nearer object, `gap` rows below it
        reading = detector._components(np.zeros((40, 40, 3), np.uint8), probs, "noon", "grass", np.ones(12, bool))
        return {d.colour: d for d in reading.detections}

    near = reading(BEHIND_GAP)
    assert not near["red"].touching and near["red"].behind and not near["blue"].behind
    assert not reading(BEHIND_GAP + 1)["red"].behind  # clear of it: whole


def test_two_blobs_of_one_colour_joined_by_a_narrow_neck_are_two_objects():
    from kinema.world.scene import PALETTE
    from kinema.worldbench.detector import Networks, SegNet

    detector = Detector(networks=Networks(SegNet(), None, None))
    yy, xx = np.mgrid[:48, :64]
    red = 1 + list(PALETTE).index("red")

    def reading(neck_rows):
        probs = np.zeros((13, 48, 64), np.float32)
        probs[0] = 1.0
        blob = ((yy - 24) ** 2 + (xx - 16) ** 2 <= 81) | ((yy - 24) ** 2 + (xx - 46) ** 2 <= 81)
        blob[neck_rows, 16:46] = True  # a bridge between the two discs
        probs[:, blob] = 0.0
        probs[red, blob] = 1.0
        return detector._components(np.zeros((48, 64, 3), np.uint8), probs, "noon", "grass", np.ones(12, bool), expected=frozenset({"red"}))

    assert len(reading(slice(23, 25)).detections) == 2  # two pixels wide: two balls touching
    assert len(reading(slice(16, 33)).detections) == 1  # as wide as the balls: one object
