"""Ground-truth videos of a prompt, and videos that break exactly one thing on purpose.

The scorer is calibrated against both: the truth must pass every dimension it tests, and each broken
variant must fail the one dimension it breaks and pass the others (`tests/worldbench`,
`benchmarks/worldbench_calibration.py`). The variants:

    wrong-colour     one object is drawn in a colour the prompt does not name        → objects
    removed-halfway  one object disappears from the middle of the video on           → count
    mirrored         the layout is mirrored left–right (motions keep their direction) → spatial
    motion-reversed  every roll and slide goes the opposite way                       → motion
    camera-reversed  the camera moves the opposite way (pans right for "pans left";
                     a still camera pans, a tracking one stays still)                 → camera
    teleport         one object jumps 2.4 m sideways between two frames                → physics
    views-disagree   the extra cameras film the objects in each other's places        → multi-view
    identity-swap    after the first cut, one object has a new colour                 → storyboard

Each variant is made at the scene level and rendered by Kinema World itself, so it is as clean a
video as the truth except for the one thing broken. A variant applies only where it changes what
the prompt states (mirroring a single centred ball changes nothing a prompt says).
"""

from __future__ import annotations

import numpy as np
import torch

from kinema.world import shapes
from kinema.world.camera import project, scene_poses
from kinema.world.clip import frame_count
from kinema.world.render import FrameBatch
from kinema.world.sampler import CLASHES
from kinema.world.scene import PALETTE, Camera, Scene, SceneError, WorldObject
from kinema.world.simulate import simulate
from kinema.world.truth import GroundTruth
from kinema.worldbench.detector import SHADES
from kinema.worldbench.rendering import Rendered, render_scene
from kinema.worldbench.suite import Prompt

VARIANTS: dict[str, str] = {
    "wrong-colour": "objects",
    "removed-halfway": "count",
    "mirrored": "spatial",
    "motion-reversed": "motion",
    "camera-reversed": "camera",
    "teleport": "physics",
    "views-disagree": "multi-view",
    "identity-swap": "storyboard",
}
"""Variant → the dimension it breaks."""

TELEPORT_METRES = 2.4
OPPOSITE = {"left": "right", "right": "left", "forward": "backward", "backward": "forward"}
REVERSED_PATH = {
    "pan-left": "pan-right",
    "pan-right": "pan-left",
    "orbit-left": "orbit-right",
    "orbit-right": "orbit-left",
    "dolly-in": "dolly-out",
    "dolly-out": "dolly-in",
    "crane-up": "crane-down",
    "crane-down": "crane-up",
    "static": "pan-left",
    "track": "static",
}


def truth(prompt: Prompt, width: int, height: int, seconds: float, fps: float, supersample: int = 1) -> Rendered:
    return render_scene(prompt.scene, width, height, seconds, fps, supersample)


def _spare_colour(scene: Scene) -> str | None:
    """A palette colour the scene does not use and that shows on its ground under its sky; None when
    its colours, their shades and the ground's and sky's clashes leave none (objects-055: six colours)."""
    used = {o.color for o in scene.objects}
    # Not a shade of a colour the scene has either: the scorer reads a shade of an expected colour as it.
    near = {shade for c in used for shade in SHADES[c]}
    clash = set(CLASHES.get(scene.ground, ())) | set(CLASHES.get(scene.sky, ()))
    return next((c for c in PALETTE if c not in used | near | clash), None)


def _with_colour(batch: FrameBatch, index: int, colour: str, from_frame: int = 0) -> None:
    batch.color[from_frame:, index] = torch.tensor(PALETTE[colour], dtype=torch.float32) / 255


def applies(prompt: Prompt, variant: str) -> bool:
    """Whether the variant changes something the prompt states (and so can be scored against it)."""
    scene = prompt.scene
    dim = VARIANTS[variant]
    if dim not in prompt.dims:
        return False
    if variant == "mirrored":
        return any(r[0] in ("left_of", "side") for r in prompt.relations)
    if variant == "motion-reversed":
        return any(o.motion in ("roll", "slide") for o in scene.objects)
    return True


def broken(prompt: Prompt, variant: str, width: int, height: int, seconds: float, fps: float, supersample: int = 1) -> Rendered | None:
    """The prompt's video with `variant` broken, or None where the variant cannot be made cleanly."""
    if variant not in VARIANTS:
        raise ValueError(f"unknown variant {variant!r}; known: {', '.join(VARIANTS)}")
    if not applies(prompt, variant):
        return None
    scene = prompt.scene
    frames = frame_count(seconds, fps)
    size = (width, height, seconds, fps, supersample)

    if variant == "wrong-colour":
        colour = _spare_colour(scene)
        if colour is None:
            return None
        objects = list(scene.objects)
        objects[0] = WorldObject(**{**objects[0].__dict__, "color": colour})
        return render_scene(scene.replace(objects=tuple(objects)), *size)

    if variant == "removed-halfway":
        reference = truth(prompt, *size).truth
        half = frames // 2
        index = _clearest(reference, half)

        def remove(batches, times):
            for batch in batches:
                batch.shape[half:, index] = -1

        return render_scene(scene, *size, edit=remove)

    if variant == "mirrored":
        objects = tuple(WorldObject(**{**o.__dict__, "position": (-o.position[0], o.position[1])}) for o in scene.objects)
        try:
            return render_scene(scene.replace(objects=objects), *size)
        except SceneError:
            return None

    if variant == "motion-reversed":
        objects = tuple(
            WorldObject(**{**o.__dict__, "direction": OPPOSITE[o.direction]}) if o.motion in ("roll", "slide") else o for o in scene.objects
        )
        return render_scene(scene.replace(objects=objects), *size)

    if variant == "camera-reversed":
        camera = scene.camera
        path = REVERSED_PATH[camera.path]
        reversed_camera = Camera(camera.view, path, camera.target if path == "track" or camera.view == "close" else None)
        shots = tuple(s if i else type(s)(s.at_second, reversed_camera) for i, s in enumerate(scene.shots))
        return render_scene(scene.replace(camera=reversed_camera, shots=shots), *size)

    if variant == "teleport":
        half = frames // 2
        plan = _teleport_plan(scene, frames, fps, half, width, height)
        if plan is None:
            return None
        index, offset = plan

        def move(positions, times):
            positions[half:, index, :2] += offset

        return render_scene(scene, *size, move=move)

    if variant == "views-disagree":
        if len(scene.cameras) < 2 or len(scene.objects) < 2:
            return None
        colours = [o.color for o in scene.objects]
        permuted = tuple(WorldObject(**{**o.__dict__, "color": colours[(i + 1) % len(colours)]}) for i, o in enumerate(scene.objects))
        other = scene.replace(objects=permuted)
        return render_scene(scene, *size, view_scenes={v: other for v in range(1, len(scene.cameras))})

    if variant == "identity-swap":
        if not scene.shots or len(scene.shots) < 2:
            return None
        reference = truth(prompt, *size).truth
        cut = int(np.ceil(scene.shots[1].at_second * fps - 1e-9))
        if cut >= frames:
            return None
        index = int(np.argmax(reference.pixels[0, cut]))
        colour = _spare_colour(scene)
        if colour is None:
            return None

        def swap(batches, times):
            _with_colour(batches[0], index, colour, cut)

        return render_scene(scene, *size, edit=swap)
    raise AssertionError(variant)


def _clearest(reference: GroundTruth, frame: int) -> int:
    """The object most visible at `frame` in the main camera whose box stands clear of the others'."""
    boxes, pixels = reference.box[0, frame], reference.pixels[0, frame]
    order = np.argsort(-pixels)
    for i in order:
        if pixels[i] < 1:
            break
        clear = all(
            j == i
            or np.isnan(boxes[j]).any()
            or boxes[i, 2] + 2 < boxes[j, 0]
            or boxes[j, 2] + 2 < boxes[i, 0]
            or boxes[i, 3] + 2 < boxes[j, 1]
            or boxes[j, 3] + 2 < boxes[i, 1]
            for j in range(len(pixels))
        )
        if clear:
            return int(i)
    return int(order[0])


def _teleport_plan(scene: Scene, frames: int, fps: float, half: int, width: int, height: int) -> tuple[int, np.ndarray] | None:
    """(object, ground offset): an object of its own colour that can jump TELEPORT_METRES sideways
    (or in depth) and stay in the picture, clear of the others, for the rest of the video."""
    sim = simulate(scene, frames, fps)
    poses = scene_poses(scene, sim.times, sim.positions)[0]
    colours = [o.color for o in scene.objects]
    radius = [shapes.bounding_radius(o.shape, shapes.dims(o)) for o in scene.objects]
    candidates = [i for i, o in enumerate(scene.objects) if colours.count(o.color) == 1]
    for index in candidates:
        for offset in ((TELEPORT_METRES, 0.0), (-TELEPORT_METRES, 0.0), (0.0, TELEPORT_METRES), (0.0, -TELEPORT_METRES)):
            moved = sim.positions[half:, index] + np.array([*offset, 0.0])
            u, v, depth = np.array([project(p, pose, width, height) for p, pose in zip(moved, poses[half:])]).T
            inside = (depth > 0) & (u > 0.1 * width) & (u < 0.9 * width) & (v > 0.1 * height) & (v < 0.9 * height)
            if not inside.all():
                continue
            clear = all(
                np.linalg.norm(moved[:, :2] - sim.positions[half:, j, :2], axis=-1).min() > radius[index] + radius[j] + 0.4
                for j in range(len(scene.objects))
                if j != index
            )
            if clear:
                return index, np.array(offset)
    return None


__all__ = ["VARIANTS", "Rendered", "applies", "broken", "render_scene", "truth"]
