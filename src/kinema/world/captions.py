"""Captions written from a scene description: a detailed one and short ones, in several phrasings.

The model must learn the world, not a template, so every part of a caption is drawn from a set of
phrasings (`WORDS`): shapes have synonyms ("ball", "sphere", "orb"), motions several verbs, grounds
and skies several descriptions, and sentences come in different orders. What a caption states is
always true of the clip:

- the setting: ground and time of day;
- the objects, by size, colour and shape, grouped when identical ("two red balls"), with the count;
- each object's motion and direction ("rolls to the left", "slides towards the camera", "rolls into
  the blue cube and pushes it");
- the layout: objects listed from left to right, and which is in front of or behind which;
- the camera: its set-up (from the left, from above, close-up, wide) and its move (pans, orbits,
  dollies, cranes, follows an object), and the cuts of a multi-shot video with their times.

Left and right are the front camera's (see `scene.py`), as in the description.
`WORDS` is shared with `parse.py`, which reads these phrasings back into a description.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from kinema.world.scene import Camera, Scene, WorldObject

WORDS: dict[str, dict[str, tuple[str, ...]]] = {
    "shape": {
        "sphere": ("ball", "sphere", "orb"),
        "cube": ("cube", "box", "block"),
        "cylinder": ("cylinder", "drum", "can"),
        "cone": ("cone", "cone", "spike"),
        "capsule": ("capsule", "pill", "capsule"),
    },
    "size": {"small": ("small", "little", "small"), "medium": ("", "", "medium-sized"), "large": ("large", "big", "large")},
    "ground": {
        "grass": ("grass", "a lawn", "a grassy field", "green grass"),
        "sand": ("sand", "a sandy beach", "sandy ground", "the beach"),
        "snow": ("snow", "a snowy field", "snowy ground", "fresh snow"),
        "asphalt": ("asphalt", "a road", "tarmac", "grey asphalt"),
        "checkerboard": ("a checkerboard floor", "a chequered floor", "a checkerboard"),
        "wood": ("a wooden floor", "wooden planks", "a wood floor"),
    },
    "sky": {
        "morning": ("in the morning", "at sunrise", "in the early morning light"),
        "noon": ("at noon", "at midday", "under a bright blue sky", "in broad daylight"),
        "sunset": ("at sunset", "at dusk", "in the evening glow"),
        "night": ("at night", "under the night sky", "in the moonlight"),
    },
    "direction": {
        "left": ("to the left", "left", "leftwards"),
        "right": ("to the right", "right", "rightwards"),
        "forward": ("towards the camera", "toward the viewer", "forward"),
        "backward": ("away from the camera", "into the distance", "backward"),
    },
    "still": {"": ("sits still", "rests", "stays in place", "stands still")},
    "roll": {"": ("rolls {direction}", "rolls {direction} across the ground", "is rolling {direction}")},
    "slide": {"": ("slides {direction}", "glides {direction}", "skids {direction}")},
    "bounce": {"": ("bounces", "bounces up and down", "drops and bounces")},
    "fall": {"": ("falls from the sky", "falls to the ground", "drops from above")},
    "push": {"": ("{verb} into {target} and pushes it", "{verb} into {target}, shoving it along", "crashes into {target} and pushes it")},
    "spin": {"": ("spins in place", "turns on the spot", "spins around")},
    "path": {
        "static": ("The camera is still.", "A static shot.", "The camera holds still."),
        "pan-left": ("The camera pans left.", "The camera slowly pans to the left.", "The view pans left."),
        "pan-right": ("The camera pans right.", "The camera slowly pans to the right.", "The view pans right."),
        "orbit-left": ("The camera orbits to the left around the scene.", "The camera circles left around the objects."),
        "orbit-right": ("The camera orbits to the right around the scene.", "The camera circles right around the objects."),
        "dolly-in": ("The camera dollies in.", "The camera moves in closer.", "The camera pushes in."),
        "dolly-out": ("The camera dollies out.", "The camera pulls back.", "The camera moves back."),
        "crane-up": ("The camera cranes up.", "The camera rises.", "The camera rises upward."),
        "crane-down": ("The camera cranes down.", "The camera descends.", "The camera lowers."),
        "track": ("The camera follows {target}.", "The camera tracks {target}.", "The camera moves with {target}."),
    },
    "view": {
        "front": ("Seen from the front.", ""),
        "left": ("Seen from the left side.", "Viewed from the left."),
        "right": ("Seen from the right side.", "Viewed from the right."),
        "back": ("Seen from behind.", "Viewed from the back."),
        "top": ("Seen from above.", "A high-angle view from above."),
        "wide": ("A wide shot.", "A wide view."),
        "close": ("A close-up of {target}.", "A close shot of {target}."),
    },
    "cut": {
        "front": ("a view from the front",),
        "left": ("a view from the left",),
        "right": ("a view from the right",),
        "back": ("a view from behind",),
        "top": ("a view from above",),
        "wide": ("a wide shot",),
        "close": ("a close-up of {target}",),
    },
}

NUMBERS = ("zero", "one", "two", "three", "four", "five", "six")
PLURALS = {"box": "boxes", "orb": "orbs", "can": "cans", "spike": "spikes"}


def plural(word: str) -> str:
    return PLURALS.get(word, word if word.endswith("s") else word + "s")


def _pick(rng: np.random.Generator, options: Sequence[str]) -> str:
    return options[int(rng.integers(len(options)))]


def _article(phrase: str) -> str:
    return ("an " if phrase[:1] in "aeiou" else "a ") + phrase


class _Namer:
    """Names objects consistently within one caption: one shape word per shape, "the" once introduced."""

    def __init__(self, scene: Scene, rng: np.random.Generator):
        self.scene = scene
        # In order of first appearance, not a set's (hash-seeded) order: captions are then the same by seed in every process.
        self.shape_word = {s: _pick(rng, WORDS["shape"][s]) for s in dict.fromkeys(o.shape for o in scene.objects)}
        self.size_word = {i: _pick(rng, WORDS["size"][o.size]) for i, o in enumerate(scene.objects)}

    def noun(self, index: int, definite: bool = False, with_size: bool = True) -> str:
        o = self.scene.objects[index]
        if self._has_namesake(index):  # "the small blue cube", not "the blue cube", when there are two
            with_size, size = True, o.size if o.size != "medium" else "medium-sized"
        else:
            size = self.size_word[index]
        words = [size if with_size else "", o.color, self.shape_word[o.shape]]
        phrase = " ".join(w for w in words if w)
        return ("the " + phrase) if definite else _article(phrase)

    def _has_namesake(self, index: int) -> bool:
        o = self.scene.objects[index]
        return any(i != index and p.shape == o.shape and p.color == o.color for i, p in enumerate(self.scene.objects))

    def group(self, indices: list[int], with_size: bool = True) -> str:
        if len(indices) == 1:
            return self.noun(indices[0], with_size=with_size)
        o = self.scene.objects[indices[0]]
        size = self.size_word[indices[0]] if with_size else ""
        words = [NUMBERS[len(indices)], size, o.color, plural(self.shape_word[o.shape])]
        return " ".join(w for w in words if w)


def _groups(scene: Scene) -> list[list[int]]:
    """Indices of identical objects (same everything but position), in left-to-right order of their first member."""
    groups: dict[tuple, list[int]] = {}
    for i, o in enumerate(scene.objects):
        if o.motion == "push" or any(p.target == i for p in scene.objects if p.motion == "push"):
            key = ("single", i)  # pushes name a particular object
        else:
            key = (o.shape, o.color, o.size, o.motion, o.direction)
        groups.setdefault(key, []).append(i)
    return sorted(groups.values(), key=lambda g: scene.objects[g[0]].position[0])


def _motion(scene: Scene, namer: _Namer, indices: list[int], rng: np.random.Generator) -> str:
    o = scene.objects[indices[0]]
    phrase = _pick(rng, WORDS[o.motion][""])
    direction = _pick(rng, WORDS["direction"][o.direction]) if o.direction else ""
    verb = "rolls" if o.shape == "sphere" else "slides"
    target = namer.noun(o.target, definite=True, with_size=False) if o.target is not None else ""
    phrase = phrase.format(direction=direction, target=target, verb=verb)
    if len(indices) > 1:  # third person plural: "two red balls roll"
        first, _, rest = phrase.partition(" ")
        irregular = {"is": "are", "stays": "stay", "sits": "sit", "rests": "rest", "stands": "stand"}
        first = irregular.get(first, first[:-2] if first.endswith(("shes", "ches", "sses")) else first[:-1] if first.endswith("s") else first)
        phrase = f"{first} {rest}".strip()
    return phrase


def _relations(scene: Scene, namer: _Namer, rng: np.random.Generator, limit: int = 2) -> list[str]:
    """Front / behind between objects at similar x (the left-to-right order already places the rest)."""
    out = []
    n = len(scene.objects)
    for i in range(n):
        for j in range(i + 1, n):
            a, b = scene.objects[i], scene.objects[j]
            if a.motion in ("fall", "bounce") or b.motion in ("fall", "bounce"):
                continue
            dy = a.position[1] - b.position[1]
            if abs(dy) > 0.9 and abs(dy) > abs(a.position[0] - b.position[0]):
                back, front = (i, j) if dy > 0 else (j, i)
                word = _pick(rng, ("behind", "further back than", "behind"))
                out.append(f"{namer.noun(back, True, False).capitalize()} is {word} {namer.noun(front, True, False)}.")
    rng.shuffle(out)
    return out[:limit]


def _camera_sentences(scene: Scene, camera: Camera, namer: _Namer, rng: np.random.Generator, seconds: float | None) -> list[str]:
    target = namer.noun(camera.target if camera.target is not None else 0, True, False)
    out = []
    view = _pick(rng, WORDS["view"][camera.view]).format(target=target)
    if view:
        out.append(view)
    path = camera.path
    if path != "static" or rng.random() < 0.5:
        out.append(_pick(rng, WORDS["path"][path]).format(target=target))
    for shot in scene.shots[1:] if camera == scene.camera else ():
        if seconds is not None and shot.at_second >= seconds:
            break
        cut_target = namer.noun(shot.camera.target if shot.camera.target is not None else 0, True, False)
        where = _pick(rng, WORDS["cut"][shot.camera.view]).format(target=cut_target)
        at = f"{shot.at_second:g}"
        unit = "second" if at == "1" else "seconds"
        out.append(_pick(rng, (f"At {at} {unit} the shot cuts to {where}.", f"Cut at {at} s to {where}.")))
    return out


def detailed(scene: Scene, rng: np.random.Generator, camera: int = 0, seconds: float | None = None) -> str:
    """The long caption the model is trained on: count, setting, objects left to right, relations, camera.

    camera: which of the scene's simultaneous cameras filmed the video (multi-view).
    """
    namer = _Namer(scene, rng)
    n = len(scene.objects)
    ground = _pick(rng, WORDS["ground"][scene.ground])
    sky = _pick(rng, WORDS["sky"][scene.sky])
    count = f"{NUMBERS[n]} object{'s' if n > 1 else ''}" if rng.random() < 0.5 else ("a single object" if n == 1 else f"{NUMBERS[n]} objects")
    opening = _pick(rng, (f"{count.capitalize()} on {ground} {sky}.", f"{sky.capitalize()}, {count} on {ground}."))
    parts = [f"{namer.group(g)} {_motion(scene, namer, g, rng)}" for g in _groups(scene)]
    if len(parts) > 1:
        body = _pick(rng, ("From left to right, ", "From left to right: ", "Left to right, ")) + ", ".join(parts[:-1]) + " and " + parts[-1] + "."
    else:
        body = parts[0][0].upper() + parts[0][1:] + "."
    sentences = [opening, body, *_relations(scene, namer, rng)]
    sentences += _camera_sentences(scene, scene.cameras[camera], namer, rng, seconds)
    return " ".join(sentences)


def short(scene: Scene, rng: np.random.Generator, camera: int = 0) -> str:
    """A prompt-like caption: the objects and what they do, the ground, sometimes the sky and the camera."""
    namer = _Namer(scene, rng)
    groups = _groups(scene)
    parts = [f"{namer.group(g, with_size=rng.random() < 0.4)} {_motion(scene, namer, g, rng)}" for g in groups]
    text = (", ".join(parts[:-1]) + " and " + parts[-1]) if len(parts) > 1 else parts[0]
    text += " on " + _pick(rng, WORDS["ground"][scene.ground])
    if rng.random() < 0.5:
        text += " " + _pick(rng, WORDS["sky"][scene.sky])
    cam = scene.cameras[camera]
    if cam.path != "static" and rng.random() < 0.7:
        target = namer.noun(cam.target if cam.target is not None else 0, True, False)
        text += ". " + _pick(rng, WORDS["path"][cam.path]).format(target=target)[:-1].lower()
    return text


def captions(scene: Scene, rng: np.random.Generator, detailed_count: int = 2, short_count: int = 2, camera: int = 0, seconds: float | None = None) -> dict[str, list[str]]:
    """Several phrasings of both kinds: {"detailed": [...], "short": [...]}."""
    return {
        "detailed": [detailed(scene, rng, camera, seconds) for _ in range(detailed_count)],
        "short": [short(scene, rng, camera) for _ in range(short_count)],
    }


def object_phrase(obj: WorldObject) -> str:
    """A plain name for one object, e.g. "small red ball" (used by WorldBench reports)."""
    size = "" if obj.size == "medium" else obj.size + " "
    return f"{size}{obj.color} {WORDS['shape'][obj.shape][0]}"
