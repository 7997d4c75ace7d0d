"""Output checks: the verdict rule, and NudeNet running offline on real frames."""

import numpy as np

from kinema.safety.output import check_frames, check_video, judge, sample_frame_indices
from kinema.video import write_video

from .media import scene


def test_exposed_detections_at_the_threshold_hold_the_video():
    frames = [[], [{"class": "FEMALE_BREAST_EXPOSED", "score": 0.71, "box": [1, 2, 3, 4]}], []]
    verdict = judge(frames, threshold=0.6)
    assert verdict.held and verdict.verdict == "held" and verdict.frames_checked == 3
    assert verdict.findings[0].frame == 1 and verdict.findings[0].box == (1, 2, 3, 4)
    assert not judge(frames, threshold=0.8).held  # below the configured confidence: passes
    assert judge(frames, threshold=0.8).scores == {"FEMALE_BREAST_EXPOSED": 0.71}


def test_covered_parts_and_faces_do_not_hold():
    frames = [[{"class": "FACE_FEMALE", "score": 0.99, "box": [0, 0, 9, 9]},
               {"class": "FEMALE_BREAST_COVERED", "score": 0.95, "box": [0, 0, 9, 9]},
               {"class": "BELLY_EXPOSED", "score": 0.9, "box": [0, 0, 9, 9]}]]
    verdict = judge(frames, threshold=0.5)
    assert verdict.verdict == "pass" and verdict.scores == {}


def test_samples_spread_over_the_video():
    assert sample_frame_indices(32, 8) == [0, 4, 9, 13, 18, 22, 27, 31]
    assert sample_frame_indices(3, 8) == [0, 1, 2]


def test_nudenet_runs_offline_on_a_generated_scene(tmp_path):
    path = write_video(tmp_path / "scene.mp4", scene(1), 8.0)
    verdict = check_video(path, threshold=0.6, frames=4)
    assert verdict.verdict == "pass" and verdict.frames_checked == 4


def test_nudenet_sees_what_it_is_given():
    """The real detector's output goes through the same rule: a black frame has nothing in it."""
    seen = []

    def spy(frame):
        seen.append(frame.shape)
        return []

    verdict = check_frames([np.zeros((64, 96, 3), np.uint8)] * 2, detector=spy)
    assert verdict.verdict == "pass" and seen == [(64, 96, 3)] * 2
    assert check_frames([np.zeros((64, 96, 3), np.uint8)]).verdict == "pass"
