"""The WorldBench prompt suite: prompts in Kinema World's vocabulary, each with its scene description.

The suite is public and committed (`data/suite.json`); `python -m kinema.worldbench.suite` makes it
again, deterministically, from the sampler and the captions (most prompts) and from the hand-written
prompts below (tests the sampler cannot express: "a red ball to the left of a blue cube", "five
yellow cubes", …). Each prompt carries:

- `prompt`: the text a model is given (a detailed caption, or a hand-written sentence);
- `scene`: the description it was written from (for hand-written prompts: what `parse` reads);
- `dims`: the dimensions it tests, from PRODUCT.md §4 — objects, count, spatial, motion, camera,
  physics, multi-view, storyboard — and only those: a camera prompt whose pan takes objects out of
  the frame does not test count;
- `mode`: text-to-video, multi-view (the scene's cameras, generated together) or storyboard (timed
  cards, one per shot);
- `relations`: the layout relations the prompt states, that the spatial dimension checks —
  ("left_of", i, j), ("behind", i, j), ("side", i, "left" | "right");
- `cards`: a storyboard's cards.

Sections grade difficulty: 1 to 6 objects, single and combined relations and motions. Every sampled
scene is filtered so that what the prompt states can be seen at all: each object shows at the first
frame, nothing collides that the prompt does not say collides, objects compared left and right are
apart in the picture. Those filters read the simulation and the renderer's ground truth — the suite
is built from ground truth; the scorer never reads it.
"""

from __future__ import annotations

import argparse
import json
import math
import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from scipy import ndimage

from kinema.engines.base import StoryboardCard
from kinema.world import shapes
from kinema.world.captions import WORDS, detailed
from kinema.world.parse import parse
from kinema.world.sampler import CLASHES, SamplerConfig, sample_scene
from kinema.world.scene import (
    PALETTE,
    SHAPES,
    Camera,
    Scene,
    Shot,
    WorldError,
    WorldObject,
)

SUITE_PATH = Path(__file__).resolve().parent / "data" / "suite.json"
DIMENSIONS = ("objects", "count", "spatial", "motion", "camera", "physics", "multi-view", "storyboard")
MODES = ("text-to-video", "multi-view", "storyboard")
SECONDS, FPS = 4.0, 8.0
"""Every prompt is a 4-second video at 8 fps (33 frames in Kinema World's convention)."""
FORMAT = 1


class SuiteError(WorldError):
    """A suite file or a selection from it that is not valid."""


@dataclass(frozen=True)
class Prompt:
    id: str
    section: str
    prompt: str
    scene: Scene
    dims: tuple[str, ...]
    mode: str = "text-to-video"
    relations: tuple[tuple, ...] = ()
    cards: tuple[StoryboardCard, ...] = ()
    source: str = "sampler"

    @property
    def objects(self) -> int:
        return len(self.scene.objects)

    def to_dict(self) -> dict:
        out = {
            "id": self.id,
            "section": self.section,
            "prompt": self.prompt,
            "dims": list(self.dims),
            "mode": self.mode,
            "objects": self.objects,
            "source": self.source,
            "scene": self.scene.to_dict(),
        }
        if self.relations:
            out["relations"] = [list(r) for r in self.relations]
        if self.cards:
            out["cards"] = [{"at_second": c.at_second, "prompt": c.prompt} for c in self.cards]
        return out

    @classmethod
    def from_dict(cls, data: dict) -> Prompt:
        try:
            dims = tuple(data["dims"])
            unknown = [d for d in dims if d not in DIMENSIONS]
            if unknown or data.get("mode", "text-to-video") not in MODES:
                raise SuiteError(f"prompt {data.get('id')!r}: unknown dims {unknown} or mode {data.get('mode')!r}")
            return cls(
                id=data["id"],
                section=data["section"],
                prompt=data["prompt"],
                scene=Scene.from_dict(data["scene"]),
                dims=dims,
                mode=data.get("mode", "text-to-video"),
                relations=tuple(tuple(r) for r in data.get("relations", [])),
                cards=tuple(StoryboardCard(float(c["at_second"]), c["prompt"]) for c in data.get("cards", [])),
                source=data.get("source", "sampler"),
            )
        except KeyError as error:
            raise SuiteError(f"prompt {data.get('id')!r} is missing {error}") from None


@dataclass(frozen=True)
class Suite:
    prompts: tuple[Prompt, ...]
    seconds: float = SECONDS
    fps: float = FPS

    def by_id(self) -> dict[str, Prompt]:
        return {p.id: p for p in self.prompts}

    def select(self, dims: tuple[str, ...] | None = None, limit: int | None = None, ids: tuple[str, ...] | None = None) -> list[Prompt]:
        """Prompts testing any of `dims`, the given `ids`, and at most `limit` of them — a subset that
        keeps every section's share (round-robin over sections, in suite order), so `limit 40` still
        covers every dimension."""
        chosen = list(self.prompts)
        if dims:
            unknown = [d for d in dims if d not in DIMENSIONS]
            if unknown:
                raise SuiteError(f"unknown dimension(s) {', '.join(unknown)}; allowed: {', '.join(DIMENSIONS)}")
            chosen = [p for p in chosen if set(p.dims) & set(dims)]
        if ids:
            known = self.by_id()
            missing = [i for i in ids if i not in known]
            if missing:
                raise SuiteError(f"no prompt with id {', '.join(missing)} in the suite")
            chosen = [p for p in chosen if p.id in set(ids)]
        if limit is not None:
            if limit < 1:
                raise SuiteError(f"limit {limit} must be at least 1")
            chosen = representative(chosen, limit)
        return chosen

    def to_json(self) -> str:
        # One prompt a line: the file stays small (≈ 1 kB a prompt) and a diff shows which prompts changed.
        head = json.dumps({"format": FORMAT, "seconds": self.seconds, "fps": self.fps})[:-1]
        lines = ",\n".join(json.dumps(p.to_dict(), separators=(",", ":")) for p in self.prompts)
        return f'{head}, "prompts": [\n{lines}\n]}}\n'


def representative(prompts: list[Prompt], n: int) -> list[Prompt]:
    """n prompts taken in turn from each section (and within one, spread evenly over it), in suite order."""
    sections: dict[str, list[Prompt]] = {}
    for p in prompts:
        sections.setdefault(p.section, []).append(p)
    # Within a section, an even spread (its prompts go from few objects to many).
    queues = {}
    for name, items in sections.items():
        order = sorted(range(len(items)), key=lambda i: (_bit_reverse_rank(i, len(items)), i))
        queues[name] = [items[i] for i in order]
    picked: set[str] = set()
    while len(picked) < min(n, len(prompts)):
        for name in sections:
            if queues[name] and len(picked) < n:
                picked.add(queues[name].pop(0).id)
    return [p for p in prompts if p.id in picked]


def _bit_reverse_rank(i: int, n: int) -> float:
    """A van der Corput order: 0, 1/2, 1/4, 3/4, … of the way through, so any prefix is spread out."""
    bits = max(1, math.ceil(math.log2(max(n, 2))))
    value = int(f"{i:0{bits}b}"[::-1], 2) / (1 << bits)
    return value


def load_suite(path: Path = SUITE_PATH) -> Suite:
    try:
        data = json.loads(Path(path).read_text())
    except OSError as error:
        raise SuiteError(f"cannot read the suite {path}: {error.strerror}") from None
    except json.JSONDecodeError as error:
        raise SuiteError(f"{path} is not valid JSON: {error}") from None
    if data.get("format") != FORMAT:
        raise SuiteError(f"{path}: suite format {data.get('format')!r} is not {FORMAT}")
    prompts = tuple(Prompt.from_dict(p) for p in data["prompts"])
    ids = [p.id for p in prompts]
    if len(set(ids)) != len(ids):
        raise SuiteError(f"{path}: prompt ids are not unique")
    return Suite(prompts, float(data["seconds"]), float(data["fps"]))


# --- making the suite --------------------------------------------------------------------------------

PROBE_SIZE = 64
"""Filters look at 64×64 ground-truth renders: an object that shows there shows at any larger size."""
MIN_PIXELS = 16.0
"""An object must cover at least this many pixels of a 64×64 frame (64 of a 128×128 one) to count as seen."""
MIN_CONTRAST = 30.0
"""…and differ from the ground around it by this much (distance of mean RGB, 0–255): an unlit side at
night covers pixels but shows nothing."""


@dataclass
class _Probe:
    truth: object  # GroundTruth
    positions: np.ndarray  # (T, N, 3)
    seen: np.ndarray  # (V, T, N) bool


def _probe(scene: Scene) -> _Probe:
    from kinema.worldbench.rendering import (
        render_scene,  # (rendering imports nothing of the suite)
    )

    rendered = render_scene(scene, PROBE_SIZE, PROBE_SIZE, SECONDS, FPS, supersample=1)
    V, T = rendered.ids.shape[:2]
    N = len(scene.objects)
    seen = np.zeros((V, T, N), bool)
    for v in range(V):
        for t in range(T):
            ids, frame = rendered.ids[v, t], rendered.videos[v][t].astype(np.float32)
            for n in range(N):
                mask = ids == n
                if mask.sum() < MIN_PIXELS:
                    continue
                ring = ndimage.binary_dilation(mask, iterations=2) & (ids < 0)
                if not ring.any():
                    continue
                seen[v, t, n] = np.linalg.norm(frame[mask].mean(0) - frame[ring].mean(0)) >= MIN_CONTRAST
    return _Probe(rendered.truth, rendered.positions, seen)


def _unintended_contact(scene: Scene, clip) -> bool:
    """Whether anything touches that the prompt does not say touches (a roll into a still cube)."""
    positions = clip.positions  # (T, N, 3)
    n = len(scene.objects)
    radius = [shapes.bounding_radius(o.shape, shapes.dims(o)) for o in scene.objects]
    pushes = {(i, o.target) for i, o in enumerate(scene.objects) if o.motion == "push"}
    pushed = {j for _, j in pushes}
    for i in range(n):
        o = scene.objects[i]
        if o.motion in ("still", "spin") and i not in pushed:
            if np.linalg.norm(positions[:, i, :2] - positions[0, i, :2], axis=-1).max() > 0.05:
                return True
    for i in range(n):
        for j in range(i + 1, n):
            if (i, j) in pushes or (j, i) in pushes:
                continue
            gap = np.linalg.norm(positions[:, i] - positions[:, j], axis=-1).min()
            if gap < 1.02 * (radius[i] + radius[j]):
                return True
    return False


MIN_SHOVE = 1.0
"""Metres a pushed target travels at least: the caption says the pusher shoves it along (motion-058's
cone nudged its cube 0.44 m, a few pixels in the picture; every other push the suite then had moved its
target 1.47 m or more, measured)."""
MIN_PUSH_ANGLE = 10.0
"""Degrees a push's way (from the pusher to its target) is off the main camera's line of sight to the
target at least: along it, one object hides the other and the shove barely moves in the picture
(motion-038's cylinder hid the ball it drove 3 m away, at 1.6°; physics-027 was at 4°; every other
push the suite then had at 18° or more, measured)."""


def _push_lands(scene: Scene, clip) -> bool:
    """Whether every push happens as the caption says, where the picture shows it: its target stands
    still until it is hit (a target sliding away on its own was missed or only grazed, measured), the
    pusher reaches it and shoves it along (`MIN_SHOVE`), across the main camera's line of sight
    (`MIN_PUSH_ANGLE`), and it has one pusher (two pushing one ball from two sides leave it where it
    was, or drive it somewhere neither caption's push says: motion-028, measured)."""
    targets = [o.target for o in scene.objects if o.motion == "push"]
    if len(targets) != len(set(targets)):
        return False
    positions = clip.positions  # (T, N, 3)
    camera = clip.truth.poses[0, 0, :2]  # the main camera's place over the ground at the start
    for i, o in enumerate(scene.objects):
        if o.motion != "push":
            continue
        j = o.target
        if scene.objects[j].motion != "still":
            return False
        reach = shapes.bounding_radius(o.shape, shapes.dims(o)) + shapes.bounding_radius(scene.objects[j].shape, shapes.dims(scene.objects[j]))
        if np.linalg.norm(positions[:, i] - positions[:, j], axis=-1).min() > 1.02 * reach:
            return False
        if np.linalg.norm(positions[-1, j, :2] - positions[0, j, :2]) < MIN_SHOVE:
            return False
        way, sight = positions[0, j, :2] - positions[0, i, :2], positions[0, j, :2] - camera
        cos = abs(float(way @ sight)) / max(float(np.linalg.norm(way) * np.linalg.norm(sight)), 1e-9)
        if cos > math.cos(math.radians(MIN_PUSH_ANGLE)):
            return False
    return True


def _relations(scene: Scene, text: str, clip) -> list[tuple]:
    """Left/right relations between objects of different kinds that the picture shows clearly, and the
    behind relations the caption states."""
    n = len(scene.objects)
    kinds = [(o.shape, o.color) for o in scene.objects]
    unique = [kinds.count(k) == 1 for k in kinds]
    centre = clip.truth.center[0, 0]  # (N, 2) at the first frame of the main camera
    box = clip.truth.box[0, 0]
    out = []
    for i in range(n):
        for j in range(n):
            if i == j or not (unique[i] and unique[j]):
                continue
            a, b = scene.objects[i], scene.objects[j]
            if a.motion in ("fall", "bounce") or b.motion in ("fall", "bounce"):
                continue
            du = centre[j, 0] - centre[i, 0]
            if du > 0.08 * PROBE_SIZE and b.position[0] - a.position[0] > 0.3:
                out.append(("left_of", i, j))
            shape_i = "(?:" + "|".join(WORDS["shape"][a.shape]) + ")"
            shape_j = "(?:" + "|".join(WORDS["shape"][b.shape]) + ")"
            stated = re.search(rf"the (?:\w+ )?{a.color} {shape_i} is (?:behind|further back than) the (?:\w+ )?{b.color} {shape_j}\b", text.lower())
            if stated and box[j, 3] - box[i, 3] > 0.05 * PROBE_SIZE:
                out.append(("behind", i, j))
    return out


def _distinct_colours(scene: Scene) -> bool:
    """Every object its own colour: which object did what is then never in doubt."""
    return len({o.color for o in scene.objects}) == len(scene.objects)


def _visible_from_start(clip: _Probe, frames: slice = slice(0, 1)) -> bool:
    """Every object seen by every camera at the first frame (or over `frames`)."""
    return bool(clip.seen[:, frames].all())


def _without_twin_relations(text: str) -> str:
    """Drop "The small orange ball is behind the small orange ball.": between identical objects a
    caption's relation names neither."""
    sentences = re.split(r"(?<=\.) ", text)
    keep = []
    for sentence in sentences:
        match = re.fullmatch(r"(the [^.]+?) is (?:behind|further back than) (the [^.]+?)\.", sentence, re.IGNORECASE)
        if not (match and match.group(1).lower() == match.group(2).lower()):
            keep.append(sentence)
    return " ".join(keep)


def _caption(scene: Scene, rng: np.random.Generator, want_camera: bool = False) -> str:
    """A detailed caption (what the model was trained on); with want_camera, one that names the camera's move."""
    for _ in range(20):
        text = _without_twin_relations(detailed(scene, rng, seconds=SECONDS))
        if not want_camera or scene.camera.path != "static" or re.search(r"camera (?:is still|holds still)|static shot", text.lower()):
            return text
    return text + " The camera is still."


def _agrees(scene: Scene, text: str) -> bool:
    """Whether `parse` reads the caption back into the same description (what it states)."""
    try:
        back = parse(text)
    except WorldError:
        return False

    def name(s, i):
        return None if i is None else (s.objects[i].shape, s.objects[i].color)

    def meaning(s):
        objects = sorted((o.shape, o.color, o.size, o.motion, o.direction or "", str(name(s, o.target))) for o in s.objects)
        camera = (s.camera.view, s.camera.path, name(s, s.camera.target))
        shots = [(sh.at_second, sh.camera.view, name(s, sh.camera.target)) for sh in s.shots]
        return s.ground, s.sky, objects, camera, shots

    return meaning(back) == meaning(scene.replace(views=()))


class _Maker:
    """Draws scenes for one section until enough pass its filters."""

    def __init__(self, seed: int):
        self.rng = np.random.default_rng(seed)
        self.prompts: list[Prompt] = []

    def add(self, section: str, scene: Scene, text: str, dims, **extra) -> None:
        count = sum(p.section == section for p in self.prompts)
        self.prompts.append(Prompt(f"{section}-{count + 1:03d}", section, text, scene, tuple(dims), **extra))

    def draw(self, config: SamplerConfig, accept, tries: int = 400):
        for _ in range(tries):
            scene = sample_scene(self.rng, config)
            result = accept(scene)
            if result:
                return result
        raise SuiteError(f"no scene passed the filters in {tries} tries ({config})")


def _config(n_min: int, n_max: int, motions: dict, paths: dict | None = None, views: dict | None = None, **kw) -> SamplerConfig:
    return SamplerConfig(
        min_objects=n_min,
        max_objects=n_max,
        difficulty=0.5,
        motions=motions,
        paths=paths or {"static": 1.0},
        views=views or {"front": 1.0},
        shots_probability=kw.pop("shots", 0.0),
        multiview_probability=kw.pop("multiview", 0.0),
        seconds=SECONDS,
        **kw,
    )


def _objects_section(m: _Maker) -> None:
    for n in range(1, 7):
        for k in range(10):
            views = {"front": 1.0} if n < 5 or k % 3 else {"wide": 1.0}

            def accept(scene):
                clip = _probe(scene)
                if _unintended_contact(scene, clip) or not _visible_from_start(clip, frames=slice(None)):
                    return None
                text = _caption(scene, m.rng)
                return (scene, text) if _agrees(scene, text) else None

            scene, text = m.draw(_config(n, n, {"still": 3.0, "spin": 1.0}, views=views), accept)
            m.add("objects", scene, text, ("objects", "count"))


def _count_section(m: _Maker) -> None:
    """Groups of identical objects: "three red balls and two blue cubes"."""
    plans = [(2,), (3,), (4,), (5,), (3, 2, 1), (2, 1), (3, 1), (2, 2), (3, 2), (4, 2), (2, 1, 1), (3, 3), (2, 2, 2), (4, 1)]
    for k in range(40):
        plan = plans[k % len(plans)]
        n = sum(plan)

        def accept(scene, plan=plan):
            taken, objects = set(), []
            allowed = [c for c in PALETTE if c not in CLASHES.get(scene.ground, ()) + CLASHES.get(scene.sky, ())]
            for size_of_group in plan:
                for _ in range(20):
                    kind = (str(m.rng.choice(SHAPES)), str(m.rng.choice(allowed)))
                    if kind[1] not in {c for _, c in taken}:
                        break
                taken.add(kind)
                size = str(m.rng.choice(["small", "medium", "large"], p=[0.2, 0.5, 0.3]))
                for _ in range(size_of_group):
                    objects.append((kind, size))
            placed = []
            for (shape, colour), size in objects:
                placed.append(WorldObject(shape, colour, size, scene.objects[len(placed)].position))
            try:
                grouped = scene.replace(objects=tuple(placed), camera=Camera(scene.camera.view))
            except WorldError:
                return None
            clip = _probe(grouped)
            if not _visible_from_start(clip, frames=slice(None)) or _twins_touch(grouped, clip):
                return None
            text = _caption(grouped, m.rng)
            return (grouped, text) if _agrees(grouped, text) else None

        views = {"front": 1.0} if n < 5 else {"front": 1.0, "wide": 1.0}
        scene, text = m.draw(_config(n, n, {"still": 1.0}, views=views), accept)
        m.add("count", scene, text, ("count", "objects"))


def _twins_touch(scene: Scene, clip) -> bool:
    """Two objects of one colour whose pictures touch would read as one: the prompt could not be counted."""
    boxes = clip.truth.box[0]  # (T, N, 4)
    n = len(scene.objects)
    for i in range(n):
        for j in range(i + 1, n):
            if scene.objects[i].color != scene.objects[j].color:
                continue
            a, b = boxes[:, i], boxes[:, j]
            apart = (a[:, 2] + 1 < b[:, 0]) | (b[:, 2] + 1 < a[:, 0]) | (a[:, 3] + 1 < b[:, 1]) | (b[:, 3] + 1 < a[:, 1])
            if not apart.all():
                return True
    return False


def _spatial_section(m: _Maker) -> None:
    for k in range(50):
        n = 2 + k % 5  # 2–6 objects

        def accept(scene):
            if not _distinct_colours(scene):
                return None
            clip = _probe(scene)
            if _unintended_contact(scene, clip) or not _visible_from_start(clip, frames=slice(None)):
                return None
            text = _caption(scene, m.rng)
            relations = _relations(scene, text, clip)
            if not any(r[0] == "left_of" for r in relations) or not _agrees(scene, text):
                return None
            if k % 3 == 0 and not any(r[0] == "behind" for r in relations):
                return None  # a third of them must state a front/behind relation too
            return scene, text, relations

        scene, text, relations = m.draw(_config(n, n, {"still": 1.0}), accept, tries=800)
        m.add("spatial", scene, text, ("spatial", "objects", "count"), relations=tuple(relations))


def _moving(scene: Scene, clip, minimum_frames: int = 8) -> bool:
    """Every object shows at the start, and a moving one for at least a second."""
    seen = clip.seen[0]  # (T, N)
    return bool(seen[0].all() and (seen.sum(0) >= minimum_frames).all())


def _captioned_if_moving(m: _Maker, scene: Scene) -> tuple[Scene, str] | None:
    """(scene, caption) when its objects move as described without touching unasked, are seen, and
    the caption parses back into the scene; else None."""
    clip = _probe(scene)
    if _unintended_contact(scene, clip) or not _push_lands(scene, clip) or not _moving(scene, clip):
        return None
    text = _caption(scene, m.rng)
    return (scene, text) if _agrees(scene, text) else None


def _motion_section(m: _Maker) -> None:
    # Every mix gives every shape something it can do (a cube cannot roll, only a ball bounces).
    mixes = [
        {"roll": 1.0, "slide": 1.0},
        {"roll": 1.0, "slide": 1.0, "still": 0.6},
        {"roll": 1.0, "slide": 1.0, "spin": 0.5},
        {"bounce": 1.0, "fall": 0.4, "still": 0.3},
        {"fall": 1.0, "still": 0.3},
        {"spin": 1.0, "still": 0.3},
        {"roll": 1.0, "slide": 1.0, "still": 1.0, "spin": 0.5},
        {"push": 1.0, "still": 1.0, "roll": 0.3, "slide": 0.3},
        {"roll": 1.0, "bounce": 0.5, "fall": 0.5, "slide": 1.0},
        {"slide": 1.0, "roll": 1.0, "fall": 0.5},
    ]
    directions = ("left", "right", "forward", "backward")
    for k in range(60):
        mix = mixes[k % len(mixes)]
        n = 1 + (k // len(mixes)) % 4 if "push" not in mix else 2 + (k // len(mixes)) % 3
        # A push scene is about the push: asking for a roll or slide in some direction as well made
        # the target itself slide away (two objects), and the push then missed or grazed it.
        want_direction = directions[(k // 2) % 4] if set(mix) & {"roll", "slide"} and "push" not in mix else None

        def accept(scene, mix=mix, want=want_direction):
            if not _distinct_colours(scene) or not any(o.motion != "still" for o in scene.objects):
                return None
            if want and not any(o.direction == want for o in scene.objects):
                return None
            if any(o.motion == "spin" and o.shape in ("cone", "cylinder") for o in scene.objects):
                return None  # a turning cone or cylinder shows only a faint band: not a fair motion test
            if "push" in mix and not any(o.motion == "push" for o in scene.objects):
                return None
            return _captioned_if_moving(m, scene)

        scene, text = m.draw(_config(n, n, mix), accept, tries=800)
        m.add("motion", scene, text, ("motion", "objects", "physics"))


def _camera_section(m: _Maker) -> None:
    paths = ("static", "pan-left", "pan-right", "orbit-left", "orbit-right", "dolly-in", "dolly-out", "crane-up", "crane-down", "track")
    for k in range(50):
        path = paths[k % len(paths)]
        n = 1 + (k // len(paths)) % 4
        motions = {"roll": 1.0, "slide": 1.0} if path == "track" else {"still": 3.0, "spin": 0.5}

        def accept(scene, path=path):
            if not _distinct_colours(scene):
                return None
            target = None
            if path == "track":
                moving = [i for i, o in enumerate(scene.objects) if o.motion in ("roll", "slide")]
                if not moving:
                    return None
                target = moving[0]
            scene = scene.replace(camera=Camera(scene.camera.view, path, target))
            clip = _probe(scene)
            if _unintended_contact(scene, clip) or not _visible_from_start(clip):
                return None
            text = _caption(scene, m.rng, want_camera=True)
            return (scene, text) if _agrees(scene, text) else None

        views = {"front": 1.0} if path == "track" or k % 4 else {"wide": 1.0}
        scene, text = m.draw(_config(n, n, motions, views=views), accept, tries=800)
        m.add("camera", scene, text, ("camera", "objects"))


def _physics_section(m: _Maker) -> None:
    mixes = [{"fall": 1.0}, {"bounce": 1.0, "fall": 0.3}, {"push": 1.0, "still": 1.0}, {"fall": 1.0, "bounce": 1.0, "still": 0.5}]
    wanted = ["fall", "bounce", "push", "fall"]
    for k in range(40):
        mix, want = mixes[k % len(mixes)], wanted[k % len(mixes)]
        n = 1 + (k // 4) % 3 if "push" not in mix else 2 + (k // 4) % 3

        def accept(scene, want=want):
            if not _distinct_colours(scene) or not any(o.motion == want for o in scene.objects):
                return None
            return _captioned_if_moving(m, scene)

        scene, text = m.draw(_config(n, n, mix), accept, tries=800)
        m.add("physics", scene, text, ("physics", "motion", "objects"))


def _multiview_section(m: _Maker) -> None:
    others = ("left", "right", "back", "top", "wide")
    for k in range(30):
        n = 2 + k % 3
        count = 1 + (k // 3) % 3  # extra cameras: 1–3

        def accept(scene, count=count):
            positions = [o.position for o in scene.objects]
            if any(math.dist(a, b) < 1.6 for i, a in enumerate(positions) for b in positions[i + 1 :]):
                return None
            if not _distinct_colours(scene):
                return None
            views = tuple(Camera(str(v)) for v in m.rng.choice(others, size=count, replace=False))
            scene = scene.replace(camera=Camera("front"), views=views)
            clip = _probe(scene)
            if _unintended_contact(scene, clip):
                return None
            cameras = clip.seen[:, 0].sum(0)  # cameras that see each object at the start
            if not clip.seen[0, 0].all() or (cameras < 2).any():
                return None
            text = _caption(scene, m.rng)
            return (scene, text) if _agrees(scene, text) else None

        scene, text = m.draw(_config(n, n, {"still": 2.0, "roll": 1.0, "slide": 1.0, "spin": 0.5}), accept, tries=800)
        m.add("multi-view", scene, text, ("multi-view", "objects"), mode="multi-view")


def _storyboard_section(m: _Maker) -> None:
    cut_views = ("front", "left", "right", "wide", "close", "top", "back")
    for k in range(30):
        n = 2 + k % 3
        shots_count = 2 + (k // 3) % 2

        def accept(scene, shots_count=shots_count):
            if not _distinct_colours(scene):
                return None
            first = Camera(str(m.rng.choice(["front", "front", "wide", "left", "right"])))
            cuts = sorted(int(c) for c in m.rng.choice([1, 2, 3], size=shots_count - 1, replace=False))
            shots = [Shot(0.0, first)]
            for cut in cuts:
                view = str(m.rng.choice([v for v in cut_views if v != shots[-1].camera.view]))
                target = int(m.rng.integers(0, n)) if view == "close" else None
                shots.append(Shot(float(cut), Camera(view, "static", target)))
            scene = scene.replace(camera=first, shots=tuple(shots))
            clip = _probe(scene)
            if _unintended_contact(scene, clip):
                return None
            seen = clip.seen[0]  # (T, N)
            if not seen[0].all():
                return None  # the first shot shows everyone: the identities later shots are compared with
            for shot in shots[1:]:
                frame = int(math.ceil(shot.at_second * FPS - 1e-9))
                if not seen[frame].any():
                    return None
            text = _caption(scene, m.rng)
            if not _agrees(scene, text):
                return None
            cards = []
            for shot in shots:
                single = scene.replace(camera=shot.camera, shots=())
                cards.append(StoryboardCard(shot.at_second, detailed(single, m.rng, seconds=SECONDS)))
            return scene, text, tuple(cards)

        scene, text, cards = m.draw(_config(n, n, {"still": 2.0, "roll": 1.0, "slide": 1.0, "spin": 0.5}), accept, tries=800)
        m.add("storyboard", scene, text, ("storyboard", "objects"), mode="storyboard", cards=cards)


# Hand-written prompts: what the sampler's captions do not say. (section, text, dims, relations).
HAND_WRITTEN: tuple[tuple[str, str, tuple[str, ...], tuple[tuple, ...]], ...] = (
    ("spatial", "A red ball to the left of a blue cube on the grass at noon.", ("spatial", "objects", "count"), (("left_of", 0, 1),)),
    ("spatial", "A yellow cone to the right of a purple cylinder on the snow.", ("spatial", "objects", "count"), (("left_of", 1, 0),)),
    ("spatial", "A white ball sits on the left on a wooden floor.", ("spatial", "objects", "count"), (("side", 0, "left"),)),
    ("spatial", "A pink cube on the right, on asphalt in the morning.", ("spatial", "objects", "count"), (("side", 0, "right"),)),
    ("spatial", "A green cylinder is behind an orange ball on the snow.", ("spatial", "objects", "count"), (("behind", 0, 1),)),
    ("spatial", "A cyan cube in front of a red cone on a checkerboard floor at noon.", ("spatial", "objects", "count"), (("behind", 1, 0),)),
    (
        "spatial",
        "From left to right: a blue ball, a yellow cube and a red cylinder, on the grass at sunset.",
        ("spatial", "objects", "count"),
        (("left_of", 0, 1), ("left_of", 1, 2), ("left_of", 0, 2)),
    ),
    (
        "spatial",
        "A black cube to the left of a white ball, and a yellow cone behind the white ball, on the grass at noon.",
        ("spatial", "objects", "count"),
        (("left_of", 0, 1), ("behind", 2, 1)),
    ),
    (
        "spatial",
        "From left to right, a purple cone, a green ball, an orange cube and a white cylinder on asphalt at noon.",
        ("spatial", "objects", "count"),
        (("left_of", 0, 1), ("left_of", 1, 2), ("left_of", 2, 3), ("left_of", 0, 3)),
    ),
    ("count", "Five small yellow cubes on the grass at noon.", ("count", "objects"), ()),
    ("count", "Three small red balls and two small blue cones on the sand in the morning.", ("count", "objects"), ()),
    ("count", "Six small pink balls on asphalt at noon.", ("count", "objects"), ()),
    ("count", "Four green cylinders on a checkerboard floor at sunset.", ("count", "objects"), ()),
    ("count", "Two white capsules and one black cube on the grass at noon.", ("count", "objects"), ()),
    ("motion", "A blue ball rolls towards the camera on the grass at noon.", ("motion", "objects", "physics"), ()),
    ("motion", "A red ball rolls away from the camera on the sand.", ("motion", "objects", "physics"), ()),
    ("motion", "A yellow cube slides to the left on the snow at noon.", ("motion", "objects", "physics"), ()),
    ("motion", "An orange cylinder slides to the right on the snow in the morning.", ("motion", "objects", "physics"), ()),
    ("motion", "A pink cube spins in place on the grass at noon.", ("motion", "objects", "physics"), ()),
    ("motion", "A green ball rolls left and a purple cube slides right on the sand at noon.", ("motion", "objects", "physics"), ()),
    ("camera", "A red cube on the grass at noon. The camera pans left.", ("camera", "objects"), ()),
    ("camera", "A blue ball and a red cone on the sand. The camera orbits to the right around the scene.", ("camera", "objects"), ()),
    ("camera", "A white cylinder on asphalt at noon. The camera dollies in.", ("camera", "objects"), ()),
    ("camera", "A green cube on a wooden floor. The camera cranes up.", ("camera", "objects"), ()),
    ("camera", "An orange ball rolls to the right on the grass. The camera follows the orange ball.", ("camera", "objects"), ()),
    ("physics", "A red ball falls onto the grass at noon.", ("physics", "motion", "objects"), ()),
    ("physics", "A yellow ball bounces on a wooden floor at sunset.", ("physics", "motion", "objects"), ()),
    ("physics", "A blue ball rolls into the red cube and pushes it, on the snow at noon.", ("physics", "motion", "objects"), ()),
    ("physics", "A green cube falls to the ground on the sand in the morning.", ("physics", "motion", "objects"), ()),
    ("physics", "A white ball bounces and a black cylinder falls, on the grass at noon.", ("physics", "motion", "objects"), ()),
)


def _hand_written(m: _Maker) -> None:
    for section, text, dims, relations in HAND_WRITTEN:
        scene = parse(text)
        clashing = [o.color for o in scene.objects if o.color in CLASHES.get(scene.ground, ()) + CLASHES.get(scene.sky, ())]
        if clashing:
            # The sampler never draws these: a yellow cone on sand is the sand's colour, and the scorer
            # (like a viewer) cannot tell it from the ground.
            raise SuiteError(f"hand-written prompt {text!r}: {', '.join(clashing)} on {scene.ground} at {scene.sky} cannot be told from the background; reword it")
        clip = _probe(scene)
        if not clip.seen[0, 0].all() or _unintended_contact(scene, clip) or not _push_lands(scene, clip) or _twins_touch(scene, clip):
            raise SuiteError(f"hand-written prompt {text!r}: an object is hidden, touches a twin, is hit unasked or a push misses; reword it")
        count = sum(p.section == section for p in m.prompts)
        m.prompts.append(Prompt(f"{section}-h{count + 1:02d}", section, text, scene, dims, relations=relations, source="hand"))


SECTIONS = (
    ("objects", _objects_section),
    ("count", _count_section),
    ("spatial", _spatial_section),
    ("motion", _motion_section),
    ("camera", _camera_section),
    ("physics", _physics_section),
    ("multi-view", _multiview_section),
    ("storyboard", _storyboard_section),
)


def _section(args: tuple[int, str]) -> list[Prompt]:
    """One section's sampled prompts (its own seeded generator: sections can be made in any order)."""
    seed, name = args
    offset = [n for n, _ in SECTIONS].index(name)
    maker = _Maker(seed * 100 + offset)
    dict(SECTIONS)[name](maker)
    return maker.prompts


def build_suite(seed: int = 0, sections: tuple[str, ...] | None = None, progress: bool = False, jobs: int = 1) -> Suite:
    """The suite, from the sampler (one seeded generator per section) and the hand-written prompts.
    The same for any `jobs` (sections are made in that many processes)."""
    names = [name for name, _ in SECTIONS if not sections or name in sections]
    prompts: list[Prompt] = []
    if jobs > 1:
        import multiprocessing

        with multiprocessing.get_context("spawn").Pool(jobs) as pool:
            made = pool.imap(_section, [(seed, name) for name in names])
            for name, part in zip(names, made):
                prompts += part
                if progress:
                    print(f"{name}: {len(part)} prompts", flush=True)
    else:
        for name in names:
            part = _section((seed, name))
            prompts += part
            if progress:
                print(f"{name}: {len(part)} prompts", flush=True)
    hand = _Maker(seed)
    _hand_written(hand)
    prompts += [p for p in hand.prompts if p.section in names]
    order = {name: i for i, (name, _) in enumerate(SECTIONS)}
    prompts.sort(key=lambda p: order[p.section])  # stable: sampled first, then hand-written, per section
    return Suite(tuple(prompts))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Make the WorldBench prompt suite (deterministic).")
    parser.add_argument("--out", type=Path, default=SUITE_PATH)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--jobs", type=int, default=1, help="make sections in this many processes (same result)")
    args = parser.parse_args(argv)
    suite = build_suite(args.seed, progress=True, jobs=args.jobs)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    temp = args.out.with_name(f".{args.out.name}.part")
    temp.write_text(suite.to_json())
    temp.replace(args.out)
    counts: dict[str, int] = {}
    for p in suite.prompts:
        for d in p.dims:
            counts[d] = counts.get(d, 0) + 1
    print(f"{len(suite.prompts)} prompts → {args.out}; per dimension: {counts}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
