import json
import re

import numpy as np
import pytest

from kinema.world.sampler import SamplerConfig, sample_scene
from kinema.world.scene import Camera, Scene, SceneError, Shot, WorldObject


def ball(**kw):
    return WorldObject("sphere", "red", **kw)


def test_json_round_trip_of_sampled_scenes():
    rng = np.random.default_rng(0)
    config = SamplerConfig(max_objects=6, shots_probability=0.3, multiview_probability=0.3, allow_twins=True)
    for _ in range(200):
        scene = sample_scene(rng, config)
        assert Scene.from_json(scene.to_json()) == scene
        assert Scene.from_dict(json.loads(json.dumps(scene.to_dict()))) == scene


@pytest.mark.parametrize(
    "change, message",
    [
        ({"ground": "lava"}, "ground 'lava' is not allowed; allowed: grass, sand"),
        ({"sky": "noonish"}, "sky 'noonish' is not allowed"),
        ({"objects": ()}, "a scene has 1 to 6 objects, not 0"),
        ({"objects": (ball(),) * 7}, "1 to 6 objects, not 7"),
        ({"objects": (WorldObject("cube", "red", motion="roll", direction="left"),)}, "a cube cannot roll; a cube can: still, slide"),
        ({"objects": (WorldObject("pyramid", "red"),)}, "objects[0].shape 'pyramid' is not allowed"),
        ({"objects": (WorldObject("cube", "teal"),)}, "objects[0].color 'teal' is not allowed"),
        ({"objects": (ball(motion="roll"),)}, "objects[0].direction None is not allowed; allowed: left, right, forward, backward"),
        ({"objects": (ball(motion="push", target=0),)}, "target 0 is the object itself"),
        ({"objects": (ball(position=(9.0, 0.0)),)}, "position (9, 0) is outside the arena"),
        ({"objects": (ball(), WorldObject("cube", "blue", position=(0.1, 0.1)))}, "overlap at their start positions"),
        ({"camera": Camera(path="zoom")}, "camera.path 'zoom' is not allowed"),
        ({"shots": (Shot(1.0),)}, "shots[0].at_second must be 0"),
        ({"shots": (Shot(0.0), Shot(2.0), Shot(1.0))}, "shots[2].at_second 1 must come after shots[1] (2)"),
    ],
)
def test_validation_names_the_bad_value(change, message):
    base = {"ground": "grass", "sky": "noon", "objects": (ball(),)}
    with pytest.raises(SceneError, match=re.escape(message)):
        Scene(**{**base, **change})


def test_unknown_json_keys_and_types_are_errors():
    good = Scene("grass", "noon", (ball(),)).to_dict()
    with pytest.raises(SceneError, match="unknown key\\(s\\) colour in objects\\[0\\]"):
        Scene.from_dict({**good, "objects": [{"shape": "sphere", "colour": "red"}]})
    with pytest.raises(SceneError, match="scene is missing 'ground'"):
        Scene.from_dict({k: v for k, v in good.items() if k != "ground"})
    with pytest.raises(SceneError, match="not valid JSON"):
        Scene.from_json("{")


def test_sampler_is_deterministic_and_respects_limits():
    config = SamplerConfig(min_objects=2, max_objects=3, difficulty=1.0)
    a = [sample_scene(np.random.default_rng([5, i]), config) for i in range(30)]
    b = [sample_scene(np.random.default_rng([5, i]), config) for i in range(30)]
    assert a == b
    assert all(2 <= len(s.objects) <= 3 for s in a)
    assert len({s.to_json() for s in a}) == 30
