"""The committed prompt suite: size, coverage, and that every prompt says what its description holds."""

import numpy as np
import pytest

from kinema.world.parse import parse
from kinema.world.scene import Scene
from kinema.worldbench.suite import DIMENSIONS, SuiteError, load_suite, representative


@pytest.fixture(scope="module")
def suite():
    return load_suite()


def test_the_suite_is_large_and_covers_every_dimension_and_object_count(suite):
    prompts = suite.prompts
    assert len(prompts) >= 300
    assert len({p.id for p in prompts}) == len(prompts)
    for dim in DIMENSIONS:
        assert sum(dim in p.dims for p in prompts) >= 30, dim
    assert {p.objects for p in prompts} == {1, 2, 3, 4, 5, 6}
    assert {p.mode for p in prompts} == {"text-to-video", "multi-view", "storyboard"}
    assert sum(p.source == "hand" for p in prompts) >= 20
    # graded: combined relations (several stated relations in one prompt) are there too
    assert sum(len(p.relations) >= 3 for p in prompts) >= 10


def _name(scene: Scene, i):
    return None if i is None else (scene.objects[i].shape, scene.objects[i].color)


def _stated(scene: Scene):
    objects = sorted((o.shape, o.color, o.size, o.motion, o.direction or "", str(_name(scene, o.target))) for o in scene.objects)
    camera = (scene.camera.view, scene.camera.path, _name(scene, scene.camera.target))
    shots = [(s.at_second, s.camera.view, _name(scene, s.camera.target)) for s in scene.shots]
    return scene.ground, scene.sky, objects, camera, shots


def test_parse_reads_every_prompt_back_into_its_description(suite):
    for p in suite.prompts:
        back = parse(p.prompt)
        assert _stated(back) == _stated(p.scene), p.id
        # Left/right relations the prompt states hold in what parse lays out, and in the description.
        for relation in p.relations:
            if relation[0] == "left_of":
                i, j = relation[1], relation[2]
                assert p.scene.objects[i].position[0] < p.scene.objects[j].position[0], p.id
                if p.source == "hand":
                    assert back.objects[i].position[0] < back.objects[j].position[0], p.id
            elif relation[0] == "behind":
                i, j = relation[1], relation[2]
                assert p.scene.objects[i].position[1] > p.scene.objects[j].position[1], p.id


def test_multiview_and_storyboard_prompts_carry_their_cameras_and_cards(suite):
    for p in suite.prompts:
        if p.mode == "multi-view":
            assert len(p.scene.cameras) >= 2 and len({o.color for o in p.scene.objects}) == p.objects
        if p.mode == "storyboard":
            assert len(p.cards) == len(p.scene.shots) >= 2
            assert [c.at_second for c in p.cards] == [s.at_second for s in p.scene.shots]


def test_selection_is_deterministic_spread_and_checked(suite):
    picked = suite.select(limit=40)
    assert [p.id for p in picked] == [p.id for p in suite.select(limit=40)]
    assert len(picked) == 40 and {p.section for p in picked} == {p.section for p in suite.prompts}
    counts = [p.objects for p in picked if p.section == "objects"]
    assert max(counts) - min(counts) >= 3  # spread over the section, not its first prompts
    assert all("camera" in p.dims for p in suite.select(dims=("camera",)))
    with pytest.raises(SuiteError, match="unknown dimension"):
        suite.select(dims=("colour",))
    with pytest.raises(SuiteError, match="no prompt with id"):
        suite.select(ids=("nope-001",))
    assert representative(list(suite.prompts), 5) == representative(list(suite.prompts), 5)


def test_stored_scenes_round_trip(suite):
    rng = np.random.default_rng(0)
    for p in rng.choice(len(suite.prompts), 20, replace=False):
        scene = suite.prompts[int(p)].scene
        assert Scene.from_json(scene.to_json()) == scene


def test_a_push_counts_only_when_its_target_stands_still_and_is_reached():
    from kinema.world.scene import Camera, Scene, WorldObject
    from kinema.worldbench.suite import _probe, _push_lands

    def scene(target_motion, direction=None):
        return Scene(
            "grass",
            "noon",
            (
                WorldObject("sphere", "red", "medium", (-1.5, 0.0), "push", target=1),
                WorldObject("cube", "blue", "medium", (0.0, 0.0), target_motion, direction),
            ),
            Camera("front"),
        )

    lands = scene("still")
    assert _push_lands(lands, _probe(lands))
    # The target slides away on its own: the suite refuses it (such pushes missed or grazed, measured).
    away = scene("slide", "backward")
    assert not _push_lands(away, _probe(away))


def test_a_push_must_shove_its_target_across_the_picture():
    from kinema.world.scene import Camera, Scene, WorldObject
    from kinema.worldbench.suite import MIN_SHOVE, _probe, _push_lands

    def scene(pusher, at, target="cube"):
        return Scene(
            "grass",
            "noon",
            (WorldObject(pusher, "red", "medium", at, "push", target=1), WorldObject(target, "blue", "medium", (0.0, 0.0), "still")),
            Camera("front"),
        )

    across = scene("sphere", (-1.5, 0.0))
    clip = _probe(across)
    assert _push_lands(across, clip) and np.linalg.norm(clip.positions[-1, 1, :2] - clip.positions[0, 1, :2]) >= MIN_SHOVE
    # The front camera looks along +y: a push from in front of the cube drives it straight away, the
    # pusher hiding it (measured: it still moves 2.4 m, so only the angle refuses it).
    along = scene("sphere", (0.0, -1.5))
    assert not _push_lands(along, _probe(along))
    # A cone reaches the cube across the picture but only nudges it (0.37 m, measured).
    nudge = scene("cone", (-1.5, 0.0))
    clip = _probe(nudge)
    assert np.linalg.norm(clip.positions[-1, 1, :2] - clip.positions[0, 1, :2]) < MIN_SHOVE
    assert not _push_lands(nudge, clip)
    assert all(_push_lands(p.scene, _probe(p.scene)) for p in load_suite().prompts if any(o.motion == "push" for o in p.scene.objects))


def test_a_target_with_two_pushers_is_refused():
    from kinema.world.scene import Camera, Scene, WorldObject
    from kinema.worldbench.suite import _probe, _push_lands

    two = Scene(
        "grass",
        "noon",
        (
            WorldObject("sphere", "red", "medium", (-1.5, 0.0), "push", target=1),
            WorldObject("cube", "blue", "medium", (0.0, 0.0), "still"),
            WorldObject("sphere", "green", "medium", (1.5, 0.0), "push", target=1),
        ),
        Camera("front"),
    )
    # Both pushers reach the still cube (measured), so only the one-pusher rule refuses it.
    assert not _push_lands(two, _probe(two))
    assert not any(
        len({o.target for o in p.scene.objects if o.motion == "push"}) < sum(o.motion == "push" for o in p.scene.objects)
        for p in load_suite().prompts
    )
