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
