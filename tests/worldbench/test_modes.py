"""The mode dimensions, calibrated like the others: ground truth passes, a video that breaks the mode's
promise fails (tiny renders: 64×64)."""

import numpy as np
import pytest

from kinema.worldbench.detector import Detector
from kinema.worldbench.modes import (
    first_frame_fidelity,
    loop_seam,
    seam_continuity,
    stability,
)
from kinema.worldbench.rendering import render_scene
from kinema.worldbench.suite import load_suite

SIZE = 64


@pytest.fixture(scope="module")
def detector():
    return Detector()


@pytest.fixture(scope="module")
def moving():
    """Prompts whose objects roll or slide (a seam in them shows), with their 4-second truth."""
    suite = load_suite()
    prompts = [p for p in suite.select(dims=("motion",), limit=40) if any(o.motion in ("roll", "slide") for o in p.scene.objects)][:3]
    return [(p, render_scene(p.scene, SIZE, SIZE, 4.0, 8.0).videos[0]) for p in prompts]


def test_first_frame_fidelity(moving, detector):
    for prompt, video in moving:
        assert first_frame_fidelity(video[0], video, prompt, detector).passed, prompt.id
        # Another moment of the clip, or the picture mirrored, is not the image the video was asked to open on.
        assert not first_frame_fidelity(video[-1], video, prompt, detector).passed, prompt.id
        assert not first_frame_fidelity(np.ascontiguousarray(video[0][:, ::-1]), video, prompt, detector).passed, prompt.id


def test_extension_and_connect_seams(moving, detector):
    for prompt, video in moving:
        assert seam_continuity(video, 8, prompt, detector).passed, prompt.id
        skipped = np.concatenate([video[:8], video[18:]])  # the extension starts 1.25 s too late
        verdict = seam_continuity(skipped, 8, prompt, detector)
        assert not verdict.passed and 0 <= verdict.score < 1, (prompt.id, verdict)
    # A connection that cuts to another scene instead of joining the two.
    (first, a), (_, b) = moving[0], moving[1]
    assert not seam_continuity(np.concatenate([a[:8], b[8:]]), 8, first, detector).passed
    with pytest.raises(ValueError, match="inside the video"):
        seam_continuity(video, 0, prompt, detector)


def test_loop_seam(moving, detector):
    for prompt, video in moving:
        there_and_back = np.concatenate([video, video[-2:0:-1]])  # a true loop: it ends where it began
        assert loop_seam(there_and_back, prompt, detector).passed, prompt.id
        assert not loop_seam(video, prompt, detector).passed, prompt.id


def test_sixty_second_stability(detector):
    suite = load_suite()
    prompt = next(p for p in suite.prompts if p.section == "objects" and p.objects == 3)
    fps = 2.0
    truth = render_scene(prompt.scene, SIZE, SIZE, 60.0, fps).videos[0]
    assert stability(truth, fps, prompt, detector).passed

    def vanish(batches, times):
        batches[0].shape[times >= 45.0, 1] = -1  # the second object is gone for the last 15 s

    broken = render_scene(prompt.scene, SIZE, SIZE, 60.0, fps, edit=vanish).videos[0]
    verdict = stability(broken, fps, prompt, detector)
    assert not verdict.passed and "count" in verdict.detail
    with pytest.raises(ValueError, match="no two 10-second windows"):
        stability(truth[:30], fps, prompt, detector)
    # a video that never shows the prompt is not "stable": there is nothing at the start to keep
    empty = np.full_like(truth, 128)
    verdict = stability(empty, fps, prompt, detector)
    assert not verdict.passed and "cannot be seen" in verdict.detail
