"""Parsing: a free-text prompt in Kinema World's vocabulary → a scene description.

    parse("a red ball bounces on the grass") → Scene(ground="grass", sky="noon",
        objects=(WorldObject("sphere", "red", motion="bounce"),), ...)

Used two ways: to expand a short user prompt into the detailed caption style the model was trained
on (as Sora rewrites prompts before generating), and by WorldBench, whose prompts are scored against
the description they parse to. It reads everything `captions.py` writes — the round trip
caption → parse → description is a test — and the looser phrasings people type ("a big ball rolls
left", "three blue cubes", "the camera follows the red ball").

How it reads a prompt:
1. camera phrases (set-up, move, cuts with their times) are found and taken out first, so their
   "left" and "right" are not read as an object's direction;
2. object phrases — [count] [size] [colour] shape — are found; a definite one ("the red ball") that
   matches an object already named refers to it, anything else introduces new objects ("two blue
   cubes" introduces two);
3. the words after an object phrase, up to the next one, give its motion and direction; "into X"
   makes a push aimed at X; "is behind / in front of / to the left of X" are layout relations;
4. positions are laid out to honour what was said: "from left to right" order, relations, "on the
   left"; anything unsaid gets a deterministic default (or a draw from `rng` when given).

A prompt with no object phrase at all raises `ParseError`: it is not in the world's vocabulary.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field

import numpy as np

from kinema.world.captions import NUMBERS, PLURALS, WORDS
from kinema.world.sampler import CLASHES, in_front_view
from kinema.world.scene import (
    ARENA_X,
    ARENA_Y,
    MOTIONS_BY_SHAPE,
    PALETTE,
    SIZES,
    Camera,
    Scene,
    SceneError,
    Shot,
    WorldError,
    WorldObject,
)


class ParseError(WorldError):
    """The text names nothing Kinema World can show."""


# --- vocabulary -----------------------------------------------------------------------------------

SHAPE_NOUNS: dict[str, str] = {}
for _shape, _words in WORDS["shape"].items():
    for _w in _words:
        SHAPE_NOUNS[_w] = _shape
        SHAPE_NOUNS[PLURALS.get(_w, _w + "s")] = _shape
SHAPE_NOUNS.update({"pyramid": "cone", "pyramids": "cones", "tube": "capsule", "tubes": "capsule", "boxes": "cube"})
SHAPE_NOUNS["cones"] = "cone"
SHAPE_NOUNS["tubes"] = "capsule"
SIZE_WORDS = {"small": "small", "little": "small", "tiny": "small", "medium": "medium", "medium-sized": "medium",
              "large": "large", "big": "large", "huge": "large"}
COLOUR_WORDS = {c: c for c in PALETTE} | {"grey": "gray"}
COUNT_WORDS = {w: i for i, w in enumerate(NUMBERS)} | {"a": 1, "an": 1, "the": 1, "single": 1, "a single": 1}
COUNT_WORDS.update({str(i): i for i in range(1, 7)})

GROUND_PATTERNS = (
    ("snow", r"\bsnow"),
    ("sand", r"\bsand|\bbeach|\bdesert|\bdune"),
    ("asphalt", r"\basphalt|\broad\b|\btarmac|\bstreet|\bparking"),
    ("checkerboard", r"\bcheck|\bchequer|\bchess"),
    ("wood", r"\bwood|\bplank|\bparquet"),
    ("grass", r"\bgrass|\blawn|\bmeadow|\bfield\b|\bpark\b"),
)
SKY_PATTERNS = (
    ("night", r"\bnight|\bmoon|\bdark\b|\bmidnight"),
    ("sunset", r"\bsunset|\bdusk|\bevening|\btwilight"),
    ("morning", r"\bmorning|\bsunrise|\bdawn"),
    ("noon", r"\bnoon|\bmidday|\bdaylight|\bblue sky|\bafternoon"),
)

_SHAPE_ALT = "|".join(sorted(map(re.escape, SHAPE_NOUNS), key=len, reverse=True))
_COLOUR_ALT = "|".join(COLOUR_WORDS)
_SIZE_ALT = "|".join(sorted(SIZE_WORDS, key=len, reverse=True))
_COUNT_ALT = "|".join(sorted(map(re.escape, COUNT_WORDS), key=len, reverse=True))
OBJECT_RE = re.compile(
    rf"\b(?:(?P<count>{_COUNT_ALT})\s+)?(?:(?P<size>{_SIZE_ALT})\s+)?(?:(?P<colour>{_COLOUR_ALT})\s+)?(?P<shape>{_SHAPE_ALT})\b"
)

_VIEW_RES = (
    ("close", r"close[- ]up of|close shot of|close on"),
    ("top", r"from above|high[- ]angle|overhead|top view|bird'?s[- ]eye"),
    ("wide", r"wide shot|wide view|wide angle"),
    ("left", r"(?:seen|viewed|filmed|shot) from the left|view from the left|from the left side"),
    ("right", r"(?:seen|viewed|filmed|shot) from the right|view from the right|from the right side"),
    ("back", r"(?:seen|viewed|filmed|shot) from (?:behind|the back)|view from (?:behind|the back)"),
    ("front", r"(?:seen|viewed|filmed|shot) from the front|view from the front"),
)
_PATH_RES = (
    ("pan-left", r"\bpans? (?:slowly )?(?:to the )?left|\bpanning (?:to the )?left"),
    ("pan-right", r"\bpans? (?:slowly )?(?:to the )?right|\bpanning (?:to the )?right"),
    ("orbit-left", r"\b(?:orbits?|circles?|circling|orbiting) (?:to the )?left"),
    ("orbit-right", r"\b(?:orbits?|circles?|circling|orbiting) (?:to the )?right"),
    ("dolly-in", r"\bdoll(?:y|ies) in|\bpushes in|\bmoves in|\bmoves closer|\bzooms? in|\bcloser and closer"),
    ("dolly-out", r"\bdoll(?:y|ies) out|\bpulls? back|\bmoves back|\bmoves away|\bzooms? out"),
    ("crane-up", r"\bcranes? up|\brises|\brising|\bmoves up|\bgoes up"),
    ("crane-down", r"\bcranes? down|\bdescends|\blowers|\bmoves down|\bgoes down"),
    ("track", r"\bfollows?\b|\btracks?\b|\btracking\b|\bmoves with\b|\bfollowing\b"),
    ("static", r"\bstatic shot|\bcamera is still|\bholds still|\bfixed camera|\bstill camera"),
)
_CUT_RE = re.compile(
    r"(?:at (?P<a>\d+(?:\.\d+)?) seconds? (?:the shot |it )?cuts? to|cut at (?P<b>\d+(?:\.\d+)?) ?s(?:econds?)? to|"
    r"after (?P<c>\d+(?:\.\d+)?) seconds?,? (?:the shot |it )?cuts? to|then (?:the shot |it )?cuts? to)"
    r"(?P<rest>[^.;]*)"
)
_CAMERA_CLAUSE = re.compile(
    r"(?:,? (?:while|as|and|then) )?(?:the )?camera (?:slowly |smoothly |gently )?(?:pans?|orbits?|circles?|doll(?:y|ies)|"
    r"moves?|pushes|pulls?|zooms?|cranes?|rises|descends|lowers|follows?|tracks?|is|holds|stays|goes)\b.*$"
)

_MOTIONS = (
    ("bounce", r"\bbounc"),
    ("fall", r"\bfall|\bdrop|\bfalling|\btumbles? down"),
    ("spin", r"\bspin|\bturns? on the spot|\bturning on the spot|\brotat|\btwirl"),
    ("roll", r"\broll"),
    ("slide", r"\bslid|\bglid|\bskid|\bmoves?\b|\bmoving\b|\btravels?\b|\bdrift"),
    ("still", r"\bsits?\b|\brests?\b|\bstays?\b|\bstands?\b|\bstill\b|\bmotionless|\bstationary|\bresting|\bsitting"),
)
_PUSH_RE = re.compile(r"\binto\b|\bpush|\bshov|\bknock|\bhits?\b|\bbumps?\b|\bcrash|\bstrikes?\b|\bcollides? with")
_DIRECTIONS = (
    ("forward", r"towards? the (?:camera|viewer)|towards? us\b|\bforwards?\b|\bcloser\b"),
    ("backward", r"away from the (?:camera|viewer)|into the distance|\bbackwards?\b|\baway\b"),
    ("left", r"\bleft(?:wards)?\b"),
    ("right", r"\bright(?:wards)?\b"),
)


# --- reading --------------------------------------------------------------------------------------


@dataclass
class _Draft:
    shape: str
    colour: str | None
    size: str | None
    motion: str | None = None
    direction: str | None = None
    target: int | None = None
    side: str | None = None  # left / right / middle
    order: int | None = None  # position in a "from left to right" list
    relations: list[tuple[str, int]] = field(default_factory=list)  # (behind | front | left_of | right_of, other)
    introduced: bool = True  # False while it is only known as the object of another's clause ("into the red cube")


def _normalise(text: str) -> str:
    text = text.lower().replace("’", "'").replace("grey", "gray")
    text = re.sub(r"[!?;]", ".", text)
    return re.sub(r"\s+", " ", text).strip()


def _first(patterns, text: str, default: str | None) -> str | None:
    for name, pattern in patterns:
        if re.search(pattern, text):
            return name
    return default


def parse(text: str, rng: np.random.Generator | None = None) -> Scene:
    """Read `text` into a Scene; attributes the text leaves open are filled deterministically, or from `rng`."""
    if not isinstance(text, str) or not text.strip():
        raise ParseError("the prompt is empty")
    text = _normalise(text)
    ground = _first(GROUND_PATTERNS, text, None)
    sky = _first(SKY_PATTERNS, text, None)

    # 1. camera sentences and clauses come out first.
    drafts: list[_Draft] = []
    object_text, camera_bits = _split_camera(text)

    # 2–3. objects, motions, relations.
    _read_objects(object_text, drafts)
    if not drafts:
        raise ParseError(f"no object (a colour and a shape such as 'a red ball') in {text!r}")
    camera, shots = _read_camera(camera_bits, drafts)

    # 4. fill what was not said and lay the objects out.
    ground = ground or (str(rng.choice(["grass", "sand", "snow", "asphalt", "checkerboard", "wood"])) if rng is not None else "grass")
    sky = sky or (str(rng.choice(["morning", "noon", "sunset"])) if rng is not None else "noon")
    objects = _finish(drafts, ground, sky, rng)
    if camera.view == "close" and camera.target is None:
        camera = Camera("close", camera.path, 0)
    if shots:
        shots = (Shot(0.0, camera), *shots)
    try:
        return Scene(ground, sky, tuple(objects), camera, tuple(shots))
    except SceneError as error:
        raise ParseError(f"the prompt describes an impossible scene: {error}") from None


def _split_camera(text: str) -> tuple[str, list[str]]:
    """Object text (camera sentences and clauses removed) and the camera bits, in order."""
    object_parts, camera_bits = [], []
    for sentence in filter(None, (s.strip() for s in text.split("."))):
        if re.match(r"(?:then |and )?(?:the )?(?:camera|view|cut|at \d|after \d|seen|viewed|a (?:wide|static|close|high)|close[- ]up)", sentence):
            camera_bits.append(sentence)
            continue
        # "…, while the camera pans left" / "as the camera follows it" (but not "rolls towards the camera")
        match = re.search(_CAMERA_CLAUSE, sentence)
        if match:
            camera_bits.append(sentence[match.start():])
            sentence = sentence[: match.start()]
        for cut in _CUT_RE.finditer(sentence):
            camera_bits.append(cut.group(0))
        sentence = _CUT_RE.sub("", sentence)
        object_parts.append(sentence)
    return ". ".join(object_parts), camera_bits


def _matches_existing(drafts: list[_Draft], shape: str, colour: str | None, size: str | None) -> int | None:
    for i, d in enumerate(drafts):
        if d.shape == shape and (colour is None or d.colour == colour) and (size is None or d.size in (size, None)):
            return i
    return None


def _read_objects(text: str, drafts: list[_Draft]) -> None:
    for sentence in filter(None, (s.strip() for s in text.split("."))):
        ordered = bool(re.search(r"\b(?:from )?left to right\b", sentence))
        sentence = re.sub(r"\b(?:from )?left to right:?,?", "", sentence)
        mentions: list[tuple[list[int], re.Match, bool]] = []  # (object indices, match, is_subject)
        for match in OBJECT_RE.finditer(sentence):
            before = sentence[: match.start()].rstrip()
            reference = bool(re.search(r"\b(?:into|of|than|behind|towards?|past|with|at|from|beside|near|follows?|tracks?)$", before))
            count_word = match.group("count")
            shape = SHAPE_NOUNS[match.group("shape")]
            colour = COLOUR_WORDS.get(match.group("colour") or "")
            size = SIZE_WORDS.get(match.group("size") or "")
            existing = _matches_existing(drafts, shape, colour, size)
            if count_word == "the" or reference:
                if existing is not None:
                    mentions.append(([existing], match, not reference))
                    continue
            elif existing is not None and not drafts[existing].introduced and count_word in (None, "a", "an", "one"):
                # "… pushes the green cone, a large green cone skids away": the object met as a push
                # target is introduced properly now; the same object, not a second one.
                drafts[existing].introduced = True
                drafts[existing].size = size or drafts[existing].size
                mentions.append(([existing], match, True))
                continue
            count = COUNT_WORDS.get(count_word or "a", 1)
            if match.group("shape").endswith("s") and count_word is None and SHAPE_NOUNS.get(match.group("shape")[:-1]):
                count = 2  # "balls" with no number: some balls
            new = []
            for _ in range(count):
                drafts.append(_Draft(shape, colour, size, introduced=not reference))
                new.append(len(drafts) - 1)
            mentions.append((new, match, not reference))
        subjects = [m for m in mentions if m[2]]
        for k, (indices, match, _) in enumerate(subjects):
            end = subjects[k + 1][1].start() if k + 1 < len(subjects) else len(sentence)
            clause = sentence[match.end() : end]
            inner = [m for m in mentions if not m[2] and match.end() <= m[1].start() < end]
            _read_clause(clause, indices, inner, drafts)
            if ordered:
                for i in indices:
                    drafts[i].order = k


def _read_clause(clause: str, indices: list[int], inner: list, drafts: list[_Draft]) -> None:
    """Motion, direction, push target and relations of the objects `indices` from the words after them."""
    targets = [m[0][0] for m in inner]
    relation = re.search(
        r"(?:\b(?:is|are|sits|stands|rests|placed|lies)\s+|^\s*,?\s*)"
        r"(behind|further back than|in front of|to the left of|to the right of|left of|right of)\b",
        clause,
    )
    if relation and targets:
        kind = {"behind": "behind", "further back than": "behind", "in front of": "front", "to the left of": "left_of",
                "left of": "left_of", "to the right of": "right_of", "right of": "right_of"}[relation.group(1)]
        for i in indices:
            drafts[i].relations.append((kind, targets[0]))
        # What remains may still say how it moves ("… behind the cube, rolls left"), minus the relation.
        clause = clause[: relation.start()] + clause[relation.end() :]
        targets = targets[1:]
    for i in indices:
        d = drafts[i]
        if re.search(r"\bon the left\b|\bat the left\b", clause):
            d.side = "left"
        elif re.search(r"\bon the right\b|\bat the right\b", clause):
            d.side = "right"
        elif re.search(r"\bin the (?:middle|centre|center)\b", clause):
            d.side = "middle"
        if targets and _PUSH_RE.search(clause):
            d.motion, d.target = "push", targets[0]
            continue
        motion = _first(_MOTIONS, clause, None)
        if motion is None:
            continue
        if motion in ("roll", "slide"):
            motion = "roll" if d.shape == "sphere" else "slide"
            d.direction = _first(_DIRECTIONS, re.sub(r"\bon the (?:left|right)\b", "", clause), None)
        d.motion = motion


def _read_camera(bits: list[str], drafts: list[_Draft]) -> tuple[Camera, list[Shot]]:
    view, path, target = "front", "static", None
    shots: list[Shot] = []

    def object_in(fragment: str) -> int | None:
        match = OBJECT_RE.search(fragment)
        if not match:
            return None
        return _matches_existing(drafts, SHAPE_NOUNS[match.group("shape")], COLOUR_WORDS.get(match.group("colour") or ""), None)

    for bit in bits:
        cut = _CUT_RE.search(bit)
        if cut:
            at = float(cut.group("a") or cut.group("b") or cut.group("c") or (shots[-1].at_second + 2 if shots else 2))
            cut_view = _first(((v, p) for v, p in _VIEW_RES), "seen " + cut.group("rest"), None)
            cut_view = cut_view or _first((("front", r"front"), ("left", r"left"), ("right", r"right"), ("back", r"behind|back"),
                                           ("top", r"above|top"), ("wide", r"wide"), ("close", r"close")), cut.group("rest"), "front")
            shots.append(Shot(at, Camera(cut_view, "static", object_in(cut.group("rest")) if cut_view == "close" else None)))
            continue
        found_view = _first(_VIEW_RES, bit, None)
        if found_view:
            view = found_view
            if view == "close":
                target = object_in(bit.split("of", 1)[-1]) if " of " in bit else None
        found_path = _first(_PATH_RES, bit, None)
        if found_path:
            path = found_path
            if path == "track":
                target = object_in(bit)
                if target is None:
                    path = "static"
    if path == "track" and view == "close":
        view = "front"
    return Camera(view, path, target), shots


# --- layout ---------------------------------------------------------------------------------------


def _finish(drafts: list[_Draft], ground: str, sky: str, rng: np.random.Generator | None) -> list[WorldObject]:
    clashes = set(CLASHES.get(ground, ())) | set(CLASHES.get(sky, ()))
    free = [c for c in PALETTE if c not in clashes]
    used = {d.colour for d in drafts if d.colour}
    for d in drafts:
        if d.colour is None:
            options = [c for c in free if c not in used] or free
            d.colour = str(rng.choice(options)) if rng is not None else options[0]
            used.add(d.colour)
        d.size = d.size or "medium"
        if d.motion is None or d.motion not in MOTIONS_BY_SHAPE[d.shape]:
            d.motion = {"roll": "slide", "slide": "roll", "bounce": "fall"}.get(d.motion or "", "still")
            if d.motion not in MOTIONS_BY_SHAPE[d.shape]:
                d.motion = "still"
        if d.motion in ("roll", "slide") and d.direction is None:
            d.direction = str(rng.choice(["left", "right"])) if rng is not None else "right"
        if d.motion != "push":
            d.target = None
        if d.target is not None and d.target == drafts.index(d):
            d.motion, d.target = "still", None
    xs, ys = _layout(drafts)
    return [
        WorldObject(d.shape, d.colour, d.size, (xs[i], ys[i]), d.motion, d.direction if d.motion in ("roll", "slide") else None, d.target)
        for i, d in enumerate(drafts)
    ]


def _layout(drafts: list[_Draft]) -> tuple[list[float], list[float]]:
    """x from left-to-right order, sides and left/right relations; y from front/behind relations."""
    n = len(drafts)
    # Rank along x: explicit order first, then side hints, then mention order; relations swap pairs.
    side_rank = {"left": -1, None: 0, "middle": 0, "right": 1}
    rank = sorted(range(n), key=lambda i: (side_rank[drafts[i].side], drafts[i].order if drafts[i].order is not None else i, i))
    for _ in range(n):
        for i, d in enumerate(drafts):
            for kind, j in d.relations:
                ri, rj = rank.index(i), rank.index(j)
                if (kind == "left_of" and ri > rj) or (kind == "right_of" and ri < rj):
                    rank[ri], rank[rj] = rank[rj], rank[ri]
    # y: behind / in front of relations, in metres, resolved by repetition.
    ys = [0.2] * n
    for _ in range(n):
        for i, d in enumerate(drafts):
            for kind, j in d.relations:
                if kind == "behind" and ys[i] < ys[j] + 1.3:
                    ys[i] = ys[j] + 1.3
                elif kind == "front" and ys[i] > ys[j] - 1.3:
                    ys[i] = ys[j] - 1.3
    low, high = min(ys), max(ys)
    if high - low > 0:  # keep inside the arena's depth
        ys = [ARENA_Y[0] + 0.3 + (y - low) / (high - low) * min(high - low, ARENA_Y[1] - ARENA_Y[0] - 1.0) for y in ys]
    # x: spread the ranked objects evenly; objects only separated in depth may share an x.
    width = min(5.0, 1.3 * n)
    xs = [0.0] * n
    for position, i in enumerate(rank):
        xs[i] = round(-width / 2 + width * (position + 0.5) / n if n > 1 else 0.0, 2)
        if drafts[i].side == "left" and n == 1:
            xs[i] = -1.3
        elif drafts[i].side == "right" and n == 1:
            xs[i] = 1.3
    for i in range(n):  # pull far corners into the front camera's view
        while not in_front_view(xs[i], ys[i]) and abs(xs[i]) > 0.1:
            xs[i] = round(xs[i] * 0.9, 2)
        xs[i] = float(np.clip(xs[i], *ARENA_X))
        ys[i] = round(float(np.clip(ys[i], *ARENA_Y)), 2)
    _separate(drafts, xs, ys)
    return xs, ys


def _separate(drafts: list[_Draft], xs: list[float], ys: list[float]) -> None:
    """Push apart objects that would start overlapping, along y (x carries the stated order)."""
    for _ in range(20):
        moved = False
        for i in range(len(drafts)):
            for j in range(i + 1, len(drafts)):
                need = 1.1 * (SIZES[drafts[i].size] + SIZES[drafts[j].size]) + 0.05
                if math.dist((xs[i], ys[i]), (xs[j], ys[j])) < need:
                    ys[j] = round(min(ARENA_Y[1], ys[j] + need), 2)
                    if ys[j] >= ARENA_Y[1]:
                        ys[i] = round(max(ARENA_Y[0], ys[i] - need), 2)
                    moved = True
        if not moved:
            return
