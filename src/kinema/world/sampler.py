"""Drawing random scene descriptions, with a controllable mix and difficulty.

`sample_scene(rng, config)` draws a valid `Scene`. The mix — which motions, camera paths, grounds and
skies, how often a video has cuts or several simultaneous cameras — is set by `SamplerConfig`'s
weights; `difficulty` in [0, 1] shifts the object count towards `max_objects` and makes moving objects
and relations between them (pushes) more common.

What the sampler guarantees beyond validity, so every clip is learnable and scorable:
- every object starts inside the front camera's frame, clear of the others;
- an object's colour stands out from the ground and the sky (no green ball on grass, no black cube at
  night): the detector and the viewer must be able to see it;
- no two objects share both colour and shape unless `allow_twins` (count prompts want "three red
  balls"), so captions can name each object by its colour and shape.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from kinema.world.camera import poses, project
from kinema.world.scene import (
    ARENA_X,
    ARENA_Y,
    CAMERA_PATHS,
    DIRECTION_VECTORS,
    GROUNDS,
    MOTIONS,
    MOTIONS_BY_SHAPE,
    PALETTE,
    SHAPES,
    SIZES,
    SKIES,
    Camera,
    Scene,
    SceneError,
    Shot,
    WorldObject,
)

# Colours that disappear into a ground or a sky.
CLASHES: dict[str, tuple[str, ...]] = {
    "grass": ("green",),
    "sand": ("brown", "orange", "yellow"),
    "snow": ("white", "gray", "cyan"),
    "asphalt": ("gray", "black"),
    "checkerboard": ("white", "black", "gray"),
    "wood": ("brown", "orange"),
    "night": ("black", "blue", "purple"),
}

DEFAULT_MOTIONS = {"still": 2.0, "roll": 1.5, "slide": 1.2, "bounce": 1.0, "fall": 1.0, "push": 0.8, "spin": 0.8}
DEFAULT_PATHS = {
    "static": 5.0,
    "pan-left": 0.6,
    "pan-right": 0.6,
    "orbit-left": 0.6,
    "orbit-right": 0.6,
    "dolly-in": 0.5,
    "dolly-out": 0.5,
    "crane-up": 0.4,
    "crane-down": 0.4,
    "track": 0.5,
}
MAIN_VIEWS = {"front": 6.0, "wide": 1.0, "top": 0.6, "close": 0.6}
OTHER_VIEWS = ("left", "right", "back", "top", "wide")


@dataclass(frozen=True)
class SamplerConfig:
    min_objects: int = 1
    max_objects: int = 4
    difficulty: float = 0.5
    """0: few objects, mostly still; 1: up to max_objects, mostly moving, pushes common."""
    motions: dict[str, float] = field(default_factory=lambda: dict(DEFAULT_MOTIONS))
    paths: dict[str, float] = field(default_factory=lambda: dict(DEFAULT_PATHS))
    views: dict[str, float] = field(default_factory=lambda: dict(MAIN_VIEWS))
    """The main camera's set-up."""
    grounds: tuple[str, ...] = GROUNDS
    skies: tuple[str, ...] = SKIES
    shots_probability: float = 0.1
    """How often a video cuts between camera set-ups (2–3 shots)."""
    multiview_probability: float = 0.0
    """How often a scene is filmed by several cameras at once (2–4 views)."""
    seconds: float = 4.0
    """How long the clips will be: cuts are placed inside it."""
    allow_twins: bool = False

    def __post_init__(self):
        if not 1 <= self.min_objects <= self.max_objects <= 6:
            raise SceneError(f"need 1 ≤ min_objects ≤ max_objects ≤ 6, got {self.min_objects}, {self.max_objects}")
        if not 0.0 <= self.difficulty <= 1.0:
            raise SceneError(f"difficulty {self.difficulty} is outside 0–1")
        for name, weights, allowed in (("motions", self.motions, MOTIONS), ("paths", self.paths, CAMERA_PATHS)):
            unknown = sorted(set(weights) - set(allowed))
            if unknown:
                raise SceneError(f"unknown {name} {unknown}; allowed: {', '.join(allowed)}")


def _choice(rng: np.random.Generator, weights: dict[str, float]) -> str:
    names = [k for k, w in weights.items() if w > 0]
    if not names:
        raise SceneError("every weight is zero; nothing to choose from")
    p = np.array([weights[k] for k in names], dtype=float)
    return names[int(rng.choice(len(names), p=p / p.sum()))]


_FRONT_POSE = poses(Camera(), np.zeros(1), np.zeros((1, 1, 3)))[0]


def in_front_view(x: float, y: float, margin: float = 0.1) -> bool:
    """Whether ground point (x, y) shows well inside the front camera's frame (square or wider)."""
    u, v, depth = project(np.array([x, y, 0.3]), _FRONT_POSE, 100, 100)
    return depth > 0 and margin * 100 <= u <= (1 - margin) * 100 and 0.3 * 100 <= v <= (1 - margin) * 100


def sample_scene(rng: np.random.Generator, config: SamplerConfig = SamplerConfig()) -> Scene:
    """A random valid scene; the same generator state always gives the same scene."""
    for _ in range(100):
        scene = _attempt(rng, config)
        if scene is not None:
            return scene
    raise SceneError("could not place the objects after 100 tries; allow fewer or smaller objects")


def _attempt(rng: np.random.Generator, c: SamplerConfig) -> Scene | None:
    ground = str(rng.choice(c.grounds))
    sky = str(rng.choice(c.skies))
    # Object count: uniform over [min, max], tilted towards max by difficulty.
    counts = np.arange(c.min_objects, c.max_objects + 1)
    tilt = np.exp((2 * c.difficulty - 1) * 1.5 * (counts - counts.mean()) / max(1.0, counts.std() + 1e-9))
    n = int(rng.choice(counts, p=tilt / tilt.sum()))

    colours = [k for k in PALETTE if k not in CLASHES.get(ground, ()) + CLASHES.get(sky, ())]
    motion_weights = dict(c.motions)
    motion_weights["still"] = motion_weights.get("still", 0) * (1.5 - c.difficulty)
    if "push" in motion_weights:
        motion_weights["push"] *= 0.5 + c.difficulty

    objects: list[WorldObject] = []
    used: set[tuple[str, str]] = set()
    for i in range(n):
        for _ in range(50):
            shape = str(rng.choice(SHAPES))
            colour = str(rng.choice(colours))
            if c.allow_twins or (shape, colour) not in used:
                break
        else:
            return None
        used.add((shape, colour))
        size = str(rng.choice(list(SIZES), p=[0.3, 0.45, 0.25]))
        position = _place(rng, objects, SIZES[size])
        if position is None:
            return None
        allowed = {m: w for m, w in motion_weights.items() if m in MOTIONS_BY_SHAPE[shape]}
        if i == 0 or n == 1:
            allowed.pop("push", None)  # a push needs an earlier object to aim at
        motion = _choice(rng, allowed)
        direction = target = None
        if motion in ("roll", "slide"):
            direction = _direction(rng, position)
        elif motion == "push":
            target = int(rng.integers(0, i))
            if objects[target].motion in ("fall", "bounce", "push"):
                motion, direction = ("roll" if shape == "sphere" else "slide"), _direction(rng, position)
                target = None
        objects.append(WorldObject(shape, colour, size, position, motion, direction, target))

    camera = Camera(view=_choice(rng, c.views), path=_choice(rng, c.paths))
    moving = [i for i, o in enumerate(objects) if o.motion in ("roll", "slide", "push")]
    if camera.path == "track":
        if not moving:
            camera = Camera(view=camera.view, path="static")
        else:
            camera = Camera(view=camera.view, path="track", target=int(rng.choice(moving)))
    if camera.view == "close" and camera.target is None:
        camera = Camera(view="close", path=camera.path, target=int(rng.integers(0, n)))

    shots: tuple[Shot, ...] = ()
    views: tuple[Camera, ...] = ()
    if rng.random() < c.shots_probability and c.seconds >= 2:
        count = int(rng.integers(2, 4))
        cuts = np.sort(rng.choice(np.arange(1, int(c.seconds)), size=min(count - 1, int(c.seconds) - 1), replace=False))
        shots = [Shot(0.0, camera)]
        for cut in cuts:
            view = str(rng.choice([v for v in ("front", "left", "right", "wide", "close", "top") if v != shots[-1].camera.view]))
            target = int(rng.integers(0, n)) if view == "close" else None
            shots.append(Shot(float(cut), Camera(view=view, path="static", target=target)))
        shots = tuple(shots)
    elif rng.random() < c.multiview_probability:
        count = int(rng.integers(1, 4))
        views = tuple(Camera(view=str(v)) for v in rng.choice(OTHER_VIEWS, size=count, replace=False))
        camera = Camera(view="front", path="static")
    try:
        return Scene(ground, sky, tuple(objects), camera, shots, views)
    except SceneError:
        return None


def _place(rng: np.random.Generator, placed: list[WorldObject], half_extent: float) -> tuple[float, float] | None:
    for _ in range(60):
        x = float(np.round(rng.uniform(*ARENA_X), 2))
        y = float(np.round(rng.uniform(ARENA_Y[0], ARENA_Y[1] - 0.6), 2))
        if not in_front_view(x, y):
            continue
        if all(math.dist((x, y), o.position) > 1.15 * (half_extent + o.half_extent) + 0.15 for o in placed):
            return x, y
    return None


def _direction(rng: np.random.Generator, position: tuple[float, float]) -> str:
    """A direction that keeps the object on stage for a while: prefer the way with room ahead."""
    options = []
    for name, (dx, dy) in DIRECTION_VECTORS.items():
        end = (position[0] + 1.5 * dx, position[1] + 1.5 * dy)
        if ARENA_X[0] <= end[0] <= ARENA_X[1] and ARENA_Y[0] <= end[1] <= ARENA_Y[1]:
            options.append(name)
    return str(rng.choice(options or list(DIRECTION_VECTORS)))
