"""The scorer is calibrated: ground-truth renders pass every dimension they test, and a video broken in
one way fails that dimension and stays high on the others.

Run on a small stratified subset of the suite (two prompts of every section, chosen
deterministically) at 96×96 without supersampling, so that it takes a minute or two on one CPU
thread; the whole suite at 128×128 is `benchmarks/worldbench_calibration.py`. (At 64×64 two cyan
capsules of count-033 a pixel apart at 128×128 merge into one, so the count is wrong there.)
"""

import pytest

from kinema.worldbench.detector import Detector
from kinema.worldbench.suite import DIMENSIONS, load_suite
from kinema.worldbench.validation import validate
from kinema.worldbench.variants import VARIANTS, applies

SIZE = 96
TRUTH_PROMPTS = 16
PER_VARIANT = 3
HIGH = 0.66
"""A broken video's other dimensions: at least two of three prompts pass (an object mirrored behind
another can be hidden from the count as well as from the layout)."""


@pytest.fixture(scope="module")
def detector():
    return Detector()


@pytest.fixture(scope="module")
def suite():
    return load_suite()


def test_ground_truth_scores_at_least_098_on_every_dimension(suite, detector):
    prompts = suite.select(limit=TRUTH_PROMPTS)
    table = validate(prompts, SIZE, SIZE, suite.seconds, suite.fps, variants=(), detector=detector)
    row = table["truth"]
    assert set(row) == set(DIMENSIONS)
    for dim in DIMENSIONS:
        assert row[dim]["score"] >= 0.98, (dim, row[dim])


@pytest.mark.parametrize("variant", list(VARIANTS))
def test_a_broken_video_fails_the_dimension_it_breaks_and_no_other(variant, suite, detector):
    # The variant's own prompts, spread over the suite: those it applies to, in representative order.
    prompts = [p for p in suite.select(limit=len(suite.prompts)) if applies(p, variant)]
    table = validate(prompts, SIZE, SIZE, suite.seconds, suite.fps, variants=(variant,), per_variant=PER_VARIANT, detector=detector, with_truth=False)
    row = table[variant]
    broken = VARIANTS[variant]
    assert row[broken]["scored"] == PER_VARIANT
    assert row[broken]["passed"] == 0, row
    for dim, cell in row.items():
        if dim != broken:
            assert cell["score"] >= HIGH, (dim, row)


def test_a_video_without_the_prompts_objects_fails_physics(suite, detector):
    # Grass and sky but no objects: nothing jumps because nothing is there, which is no evidence of
    # continuous motion (an early model's blobs scored "no object jumps" before this).
    import numpy as np

    from kinema.worldbench.score import score_prompt

    warm = {"red", "orange", "yellow", "purple", "pink"}  # nothing of the kind in grass and sky
    prompt = next(p for p in suite.prompts if "physics" in p.dims and p.mode != "multi-view" and {o.color for o in p.scene.objects} <= warm)
    frames = np.zeros((33, SIZE, SIZE, 3), np.uint8)
    frames[:, : SIZE // 2] = (135, 180, 230)  # sky
    frames[:, SIZE // 2 :] = (60, 140, 50)  # grass
    verdict = score_prompt(prompt, [frames], suite.fps, detector, dims=("physics",))["physics"]
    assert not verdict.passed and "none of the prompt's objects is found" in verdict.detail


def test_an_object_first_read_as_a_sliver_does_not_jump_in_depth(suite, detector):
    # physics-017: a white capsule falling against a bright sky at noon is read as a 32-pixel sliver
    # in its first sighting and whole (181 pixels) in the next; that is the object coming into the
    # detector's reach, not a jump towards the camera.
    from kinema.worldbench.calibrate import _h264
    from kinema.worldbench.score import score_prompt
    from kinema.worldbench.variants import truth

    prompt = suite.by_id()["physics-017"]
    video = _h264(truth(prompt, 128, 128, suite.seconds, suite.fps, supersample=2).videos[0], suite.fps)
    verdict = score_prompt(prompt, [video], suite.fps, detector, dims=("physics",))["physics"]
    assert verdict.passed, verdict.detail


def test_a_colour_variant_is_skipped_where_the_scene_leaves_no_spare_colour(suite):
    from kinema.worldbench.variants import broken

    crowded = suite.by_id()["objects-055"]  # six colours: with their shades and the ground's clashes, none is left
    assert broken(crowded, "wrong-colour", 32, 32, 1.0, 4.0) is None
