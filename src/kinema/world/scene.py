"""The scene description: what a Kinema World clip shows, typed, validated, and JSON round-trippable.

A `Scene` is everything that decides a clip except its duration, size and frame rate (those are
render settings): the ground and the sky, one to six objects each with a shape, a colour from the
named palette, a size, a start position and a motion, the camera and how it moves, optional shots
(cuts between camera set-ups over the one simulated scene) and optional extra simultaneous cameras
(views). Captions are written from it (`captions.py`), prompts are parsed back into it (`parse.py`),
pybullet simulates it (`simulate.py`) and the renderer draws it (`render.py`).

World coordinates are metres, z up, the ground is the plane z = 0. The main ("front") camera looks
along +y, so in every description *left* is −x, *right* is +x, *towards the camera* (forward, in
front) is −y and *away from the camera* (backward, behind) is +y. Directions always mean the front
camera's view, so a caption's "rolls to the left" stays true whichever camera films it.

Validation raises `SceneError` (a ValueError) naming the bad value and what is allowed.
"""

from __future__ import annotations

import json
import math
from dataclasses import asdict, dataclass, fields, replace
from typing import Any

# --- the vocabulary ---------------------------------------------------------------------------------

PALETTE: dict[str, tuple[int, int, int]] = {
    # sRGB albedos, chosen to be far apart in hue or brightness so a detector can tell them apart.
    "red": (215, 35, 35),
    "orange": (245, 130, 20),
    "yellow": (240, 215, 30),
    "green": (40, 165, 55),
    "cyan": (30, 200, 215),
    "blue": (35, 70, 215),
    "purple": (130, 50, 195),
    "pink": (245, 115, 185),
    "white": (240, 240, 240),
    "gray": (128, 128, 128),
    "black": (28, 28, 28),
    "brown": (125, 75, 35),
}

GROUNDS = ("grass", "sand", "snow", "asphalt", "checkerboard", "wood")
SKIES = ("morning", "noon", "sunset", "night")
SHAPES = ("sphere", "cube", "cylinder", "cone", "capsule")
SIZES: dict[str, float] = {"small": 0.32, "medium": 0.45, "large": 0.62}
"""Named sizes → the object's half-extent in metres (a sphere's radius, half a cube's side)."""

MOTIONS = ("still", "roll", "slide", "bounce", "fall", "push", "spin")
DIRECTIONS = ("left", "right", "forward", "backward")
"""forward = towards the front camera (−y), backward = away from it (+y)."""
DIRECTION_VECTORS: dict[str, tuple[float, float]] = {
    "left": (-1.0, 0.0),
    "right": (1.0, 0.0),
    "forward": (0.0, -1.0),
    "backward": (0.0, 1.0),
}

MOTIONS_BY_SHAPE: dict[str, tuple[str, ...]] = {
    # Rolling is what round things do; the rest slide. Only a ball bounces convincingly.
    "sphere": ("still", "roll", "bounce", "fall", "push"),
    "cube": ("still", "slide", "fall", "push", "spin"),
    "cylinder": ("still", "slide", "fall", "push", "spin"),
    "cone": ("still", "slide", "fall", "push", "spin"),
    "capsule": ("still", "slide", "fall", "push", "spin"),
}

VIEWS = ("front", "left", "right", "back", "top", "wide", "close")
"""Camera set-ups: where the camera stands at the start of a shot."""
CAMERA_PATHS = (
    "static",
    "pan-left",
    "pan-right",
    "orbit-left",
    "orbit-right",
    "dolly-in",
    "dolly-out",
    "crane-up",
    "crane-down",
    "track",
)

ARENA_X = (-2.6, 2.6)
ARENA_Y = (-1.6, 2.4)
"""Where objects may start: the part of the ground the front camera sees well."""
MAX_OBJECTS = 6
MAX_SHOTS = 8
MAX_VIEWS = 6


class WorldError(ValueError):
    """Any Kinema World mistake a user can make (a bad description, prompt or build setting)."""


class SceneError(WorldError):
    """A scene description that is not valid; the message names the field, the value and what is allowed."""


def _allowed(name: str, value: Any, allowed) -> None:
    if value not in allowed:
        raise SceneError(f"{name} {value!r} is not allowed; allowed: {', '.join(map(str, allowed))}")


# --- the description --------------------------------------------------------------------------------


@dataclass(frozen=True)
class WorldObject:
    shape: str
    color: str
    size: str = "medium"
    position: tuple[float, float] = (0.0, 0.0)
    """(x, y) in metres where the object starts; it rests on the ground unless it falls or bounces."""
    motion: str = "still"
    direction: str | None = None
    """roll / slide: which way (left, right, forward, backward)."""
    target: int | None = None
    """push: the index of the object this one is driven into."""

    @property
    def half_extent(self) -> float:
        return SIZES[self.size]

    def check(self, where: str, count: int, index: int) -> None:
        _allowed(f"{where}.shape", self.shape, SHAPES)
        _allowed(f"{where}.color", self.color, tuple(PALETTE))
        _allowed(f"{where}.size", self.size, tuple(SIZES))
        _allowed(f"{where}.motion", self.motion, MOTIONS)
        if self.motion not in MOTIONS_BY_SHAPE[self.shape]:
            raise SceneError(
                f"{where}: a {self.shape} cannot {self.motion}; a {self.shape} can: {', '.join(MOTIONS_BY_SHAPE[self.shape])}"
            )
        if len(self.position) != 2 or not all(isinstance(v, (int, float)) and math.isfinite(v) for v in self.position):
            raise SceneError(f"{where}.position {self.position!r} must be two finite numbers (x, y) in metres")
        x, y = self.position
        if not (ARENA_X[0] <= x <= ARENA_X[1] and ARENA_Y[0] <= y <= ARENA_Y[1]):
            raise SceneError(
                f"{where}.position ({x:g}, {y:g}) is outside the arena x {ARENA_X[0]:g}..{ARENA_X[1]:g}, "
                f"y {ARENA_Y[0]:g}..{ARENA_Y[1]:g}"
            )
        if self.motion in ("roll", "slide"):
            _allowed(f"{where}.direction", self.direction, DIRECTIONS)
        elif self.direction is not None:
            raise SceneError(f"{where}.direction is only for roll and slide, not {self.motion}")
        if self.motion == "push":
            if not isinstance(self.target, int) or isinstance(self.target, bool) or not 0 <= self.target < count:
                raise SceneError(f"{where}.target {self.target!r} must be the index of another object (0..{count - 1})")
            if self.target == index:
                raise SceneError(f"{where}.target {self.target} is the object itself; a push needs another object")
        elif self.target is not None:
            raise SceneError(f"{where}.target is only for push, not {self.motion}")


@dataclass(frozen=True)
class Camera:
    view: str = "front"
    path: str = "static"
    target: int | None = None
    """track: the object the camera follows; close: the object it frames (default: the first)."""

    def check(self, where: str, count: int) -> None:
        _allowed(f"{where}.view", self.view, VIEWS)
        _allowed(f"{where}.path", self.path, CAMERA_PATHS)
        if self.target is not None and (
            not isinstance(self.target, int) or isinstance(self.target, bool) or not 0 <= self.target < count
        ):
            raise SceneError(f"{where}.target {self.target!r} must be an object index 0..{count - 1}")


@dataclass(frozen=True)
class Shot:
    """From `at_second` on, the video is filmed by `camera` (a cut). The first shot starts at 0."""

    at_second: float
    camera: Camera = Camera()


@dataclass(frozen=True)
class Scene:
    ground: str
    sky: str
    objects: tuple[WorldObject, ...]
    camera: Camera = Camera()
    """The camera of the video (of the first shot, when there are shots; of view 0 in multi-view)."""
    shots: tuple[Shot, ...] = ()
    """Cuts: each shot's camera films from its at_second on. Empty: one continuous shot by `camera`."""
    views: tuple[Camera, ...] = ()
    """Extra cameras filming the same scene at the same time (multi-view), besides `camera`."""

    def __post_init__(self):
        self.check()

    def check(self) -> None:
        _allowed("ground", self.ground, GROUNDS)
        _allowed("sky", self.sky, SKIES)
        n = len(self.objects)
        if not 1 <= n <= MAX_OBJECTS:
            raise SceneError(f"a scene has 1 to {MAX_OBJECTS} objects, not {n}")
        for i, obj in enumerate(self.objects):
            obj.check(f"objects[{i}]", n, i)
        for i in range(n):
            for j in range(i + 1, n):
                a, b = self.objects[i], self.objects[j]
                gap = math.dist(a.position, b.position) - 1.05 * (a.half_extent + b.half_extent)
                if gap < 0 and not (a.motion in ("fall", "bounce") or b.motion in ("fall", "bounce")):
                    raise SceneError(
                        f"objects[{i}] and objects[{j}] overlap at their start positions {a.position} and {b.position}; "
                        f"move them at least {1.05 * (a.half_extent + b.half_extent):.2f} m apart"
                    )
        self.camera.check("camera", n)
        if len(self.shots) > MAX_SHOTS:
            raise SceneError(f"at most {MAX_SHOTS} shots, not {len(self.shots)}")
        last = -1.0
        for i, shot in enumerate(self.shots):
            if not isinstance(shot.at_second, (int, float)) or not math.isfinite(shot.at_second) or shot.at_second < 0:
                raise SceneError(f"shots[{i}].at_second {shot.at_second!r} must be a number ≥ 0")
            if i == 0 and shot.at_second != 0:
                raise SceneError(f"shots[0].at_second must be 0 (the first shot starts the video), not {shot.at_second:g}")
            if shot.at_second <= last:
                raise SceneError(f"shots[{i}].at_second {shot.at_second:g} must come after shots[{i - 1}] ({last:g})")
            last = shot.at_second
            shot.camera.check(f"shots[{i}].camera", n)
        if self.shots and self.shots[0].camera != self.camera:
            raise SceneError("shots[0].camera must be the scene's camera (the first shot is filmed by it)")
        if len(self.views) + 1 > MAX_VIEWS:
            raise SceneError(f"at most {MAX_VIEWS} cameras in all, not {len(self.views) + 1}")
        if self.views and self.shots:
            raise SceneError("a scene has either shots (cuts) or views (simultaneous cameras), not both")
        for i, view in enumerate(self.views):
            view.check(f"views[{i}]", n)

    @property
    def cameras(self) -> tuple[Camera, ...]:
        """Every simultaneous camera: the main one, then the extra views."""
        return (self.camera, *self.views)

    def shot_at(self, second: float) -> int:
        """Index of the shot filming at `second` (0 without shots)."""
        index = 0
        for i, shot in enumerate(self.shots):
            if shot.at_second <= second + 1e-9:
                index = i
        return index

    def camera_at(self, second: float) -> Camera:
        return self.shots[self.shot_at(second)].camera if self.shots else self.camera

    # --- JSON ---

    def to_dict(self) -> dict:
        return _drop_defaults(asdict(self))

    def to_json(self, indent: int | None = 2) -> str:
        return json.dumps(self.to_dict(), indent=indent)

    @classmethod
    def from_dict(cls, data: Any) -> Scene:
        if not isinstance(data, dict):
            raise SceneError(f"a scene is a JSON object, not {type(data).__name__}")
        values = _strict(cls, data, "scene")
        for key in ("ground", "sky", "objects"):
            if key not in values:
                raise SceneError(f"scene is missing {key!r}")
        if not isinstance(values["objects"], list):
            raise SceneError("scene.objects must be a list of objects")
        values["objects"] = tuple(_object(o, f"objects[{i}]") for i, o in enumerate(values["objects"]))
        if "camera" in values:
            values["camera"] = _camera(values["camera"], "camera")
        values["shots"] = tuple(_shot(s, f"shots[{i}]") for i, s in enumerate(_list(values.get("shots", []), "shots")))
        values["views"] = tuple(_camera(v, f"views[{i}]") for i, v in enumerate(_list(values.get("views", []), "views")))
        try:
            return cls(**values)
        except TypeError as error:  # a wrong type deep inside, e.g. a string where a number goes
            raise SceneError(f"scene: {error}") from None

    @classmethod
    def from_json(cls, text: str) -> Scene:
        try:
            data = json.loads(text)
        except json.JSONDecodeError as error:
            raise SceneError(f"not valid JSON: {error}") from None
        return cls.from_dict(data)

    def replace(self, **changes) -> Scene:
        return replace(self, **changes)


def _drop_defaults(data: Any) -> Any:
    """Leave fields at their default out of the JSON, so descriptions stay short and readable."""
    if isinstance(data, dict):
        optional = {"direction", "target", "shots", "views"}
        return {k: _drop_defaults(v) for k, v in data.items() if not (k in optional and v in (None, (), []))}
    if isinstance(data, (list, tuple)):
        return [_drop_defaults(v) for v in data]
    return data


def _strict(kind, data: dict, where: str) -> dict:
    allowed = {f.name for f in fields(kind)}
    unknown = sorted(set(data) - allowed)
    if unknown:
        raise SceneError(f"unknown key(s) {', '.join(unknown)} in {where}; allowed: {', '.join(sorted(allowed))}")
    return dict(data)


def _list(value: Any, where: str) -> list:
    if not isinstance(value, list):
        raise SceneError(f"{where} must be a list")
    return value


def _object(data: Any, where: str) -> WorldObject:
    if not isinstance(data, dict):
        raise SceneError(f"{where} must be an object with shape, color, …")
    values = _strict(WorldObject, data, where)
    for key in ("shape", "color"):
        if key not in values:
            raise SceneError(f"{where} is missing {key!r}")
    if "position" in values:
        position = values["position"]
        if not isinstance(position, (list, tuple)) or len(position) != 2:
            raise SceneError(f"{where}.position {position!r} must be [x, y]")
        values["position"] = tuple(position)
    return WorldObject(**values)


def _camera(data: Any, where: str) -> Camera:
    if not isinstance(data, dict):
        raise SceneError(f"{where} must be an object with view and path")
    return Camera(**_strict(Camera, data, where))


def _shot(data: Any, where: str) -> Shot:
    if not isinstance(data, dict):
        raise SceneError(f"{where} must be an object with at_second and camera")
    values = _strict(Shot, data, where)
    if "at_second" not in values:
        raise SceneError(f"{where} is missing 'at_second'")
    if "camera" in values:
        values["camera"] = _camera(values["camera"], f"{where}.camera")
    return Shot(**values)


__all__ = [
    "CAMERA_PATHS",
    "DIRECTIONS",
    "DIRECTION_VECTORS",
    "GROUNDS",
    "MOTIONS",
    "MOTIONS_BY_SHAPE",
    "PALETTE",
    "SHAPES",
    "SIZES",
    "SKIES",
    "VIEWS",
    "Camera",
    "Scene",
    "SceneError",
    "Shot",
    "WorldError",
    "WorldObject",
]
