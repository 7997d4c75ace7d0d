"""The scorer's measures on hand-made sightings: what a correct video's small blemishes must not be
taken for (a centroid wandering across half a pixel, a fragment split off an object)."""

from types import SimpleNamespace

import numpy as np

from kinema.worldbench.detector import COLOURS, Detection, FrameReading
from kinema.worldbench.score import SPIN_CHANGE, appearance_change
from kinema.worldbench.track import Track, track


def _detection(u, v, half, colour="white", pixels=None, frame_size=64):
    probs = np.zeros(len(COLOURS))
    probs[COLOURS.index(colour)] = 1.0
    box = (u - half, v - half, u + half, v + half)
    border = box[0] <= 0 or box[1] <= 0 or box[2] >= frame_size or box[3] >= frame_size
    return Detection(colour, int(4 * half * half), u, v, box, border, False, 200.0, probs, None, pixels)


def _lit_block(top: int, left: int, rows: int = 8, cols: int = 10, turned: bool = False) -> tuple[np.ndarray, np.ndarray]:
    """A 64×64 frame holding a block lit from above (bright top rows, dark bottom ones), and its pixels.
    Turned: its left and right halves' shading differ, as a cube's faces do after a turn."""
    frame = np.full((64, 64, 3), 90, np.uint8)
    rr, cc = np.mgrid[top : top + rows, left : left + cols]
    shade = 250 - 24 * (rr - top)
    if turned:
        shade = np.where(cc < left + cols // 2, shade, 60)
    frame[rr, cc] = shade[..., None]
    return frame, np.stack([rr.ravel(), cc.ravel()], 1)


def test_a_still_object_whose_centroid_wanders_half_a_pixel_does_not_turn():
    frame, pixels = _lit_block(30, 20)
    frames = np.stack([frame] * 9)
    # The same pixels every frame; the centroid reads 34.4 or 34.6 (compression moves it a little):
    # rounding each on its own would lay the block a whole row off itself.
    detections = [_detection(25.0, 34.4 if f < 4 else 34.6, 5, pixels=pixels) for f in range(9)]
    obs = SimpleNamespace(videos=[frames], fps=8.0)
    change = appearance_change(obs, Track(list(range(9)), detections))
    assert change is not None and change < 1.0


def test_a_turning_object_changes_its_shading():
    still, pixels = _lit_block(30, 20)
    turned, _ = _lit_block(30, 20, turned=True)
    frames = np.stack([still] * 4 + [turned] * 5)
    detections = [_detection(25.0, 34.5, 5, pixels=pixels) for _ in range(9)]
    obs = SimpleNamespace(videos=[frames], fps=8.0)
    assert appearance_change(obs, Track(list(range(9)), detections)) >= SPIN_CHANGE


def test_a_fragment_split_off_an_object_does_not_take_its_place():
    # A ball falls (12 px a frame), lands and rebounds at frame 4. In frame 3 a small piece of it (a
    # highlight read on its own) shows beside it; in frame 4 the rebound is far from where the fall
    # predicts, nearer the fragment than the ball's own prediction.
    heights = [10.0, 22.0, 34.0, 46.0, 38.0, 32.0]
    readings = []
    for f, v in enumerate(heights):
        found = [_detection(30.0, v, 9)]
        if f == 3:
            found.append(_detection(40.0, v - 4.0, 3))
        readings.append(FrameReading(found, np.zeros((64, 64), np.int8)))
    tracks = track(readings)
    ball = max(tracks, key=len)
    assert ball.frames == list(range(len(heights)))
    assert all(d.size == 18.0 for d in ball.detections)


def test_a_pusher_passes_through_its_target_only_while_the_target_still_stands_there():
    from kinema.worldbench.score import passes_through

    frames = list(range(8))
    pusher = Track(frames, [_detection(10.0 + 5 * f, 30.0, 4) for f in frames])  # left to right, 5 px a frame
    # A target 8 px wide that stays put at 30 px: the pusher is a quarter of that past its middle at
    # frame 5 (35 px).
    still = Track(frames, [_detection(30.0, 30.0, 4) for _ in frames])
    assert passes_through(pusher, still) == 5
    # A target shoved along ahead of it from frame 3: the pusher never gets past it.
    shoved = Track(frames, [_detection(30.0 + max(0, 5 * f - 15), 30.0, 4) for f in frames])
    assert passes_through(pusher, shoved) is None
    # Knocked aside (down the picture) at frame 3 and left behind: the pusher goes by, not through.
    aside = Track(frames, [_detection(30.0 + (2.0 if f >= 3 else 0.0), 30.0 + (6.0 * (f - 2) if f >= 3 else 0.0), 4) for f in frames])
    assert passes_through(pusher, aside) is None


def test_an_object_coming_into_the_picture_is_not_read_as_jumping():
    from kinema.worldbench.score import _coming_into_reach

    def sighting(v, half_w, half_h, at_edge=False):
        d = _detection(30.0, v, half_w)
        d.box = (30.0 - half_w, 0.0 if at_edge else v - half_h, 30.0 + half_w, v + half_h)
        d.border, d.area = at_edge, int(4 * half_w * half_h)
        return d

    # A cube dropping in from above: a strip at the top edge, a strip twice that, its lower third, whole.
    entering = [sighting(2, 3, 2, True), sighting(3, 6, 3, True), sighting(29, 12, 5), sighting(33, 16, 12), sighting(45, 16, 12)]
    assert _coming_into_reach(Track(list(range(5)), entering)).tolist() == [True, True, True, False]
    # A whole object from its first sighting: every step is read.
    whole = [sighting(10 + 12 * f, 8, 8) for f in range(4)]
    assert not _coming_into_reach(Track(list(range(4)), whole)).any()
    # Leaving the same way at the end.
    leaving = [sighting(20, 8, 8), sighting(30, 8, 8), sighting(40, 8, 3)]
    assert _coming_into_reach(Track(list(range(3)), leaving)).tolist() == [False, True]


def test_an_object_back_in_the_open_after_leaving_the_picture_was_never_seen_coming_back():
    from kinema.worldbench.score import back_in_the_open

    # Out by the left edge after frame 3 (its box at u = 0), lost for four frames.
    leaving = [_detection(30.0 - 8 * f, 30.0, 4) for f in range(4)] + [_detection(2.0, 30.0, 4)]
    assert leaving[-1].border
    # Back in the open, 45 px to the right: it got there unseen (motion-057's teleport).
    assert back_in_the_open(Track([0, 1, 2, 3, 4, 9], [*leaving, _detection(45.0, 30.0, 4)])) == (4, 9)
    # Back through the edge it left by, or lost in the open and found again: nothing to say.
    assert back_in_the_open(Track([0, 1, 2, 3, 4, 9], [*leaving, _detection(3.0, 30.0, 4)])) is None
    assert back_in_the_open(Track([0, 1, 2, 3, 7], [*leaving[:4], _detection(45.0, 30.0, 4)])) is None
    # From behind another object it touches: it may have been hidden there.
    behind = _detection(45.0, 30.0, 4)
    behind.touching = True
    assert back_in_the_open(Track([0, 1, 2, 3, 4, 9], [*leaving, behind])) is None
