"""Flat world: quick procedural clips of coloured objects on a ground under a sky, with captions.

This is the stand-in for Kinema World while the physics-simulated world (pybullet, issue 3) is being
built: the same vocabulary — grounds, skies, shapes, a named palette, motions, camera pans — drawn
in 2.5D with numpy (perspective-free, soft-edged, shaded, with shadows), fast enough to draw clips on
the fly during training. The embedded model's first checkpoint learns from it.

`sample_scene(rng)` draws a `FlatScene`; `render(scene, ...)` gives (T, H, W, 3) uint8 frames;
`captions(scene, rng)` gives several phrasings of what happens.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

PALETTE: dict[str, tuple[int, int, int]] = {
    "red": (220, 40, 40),
    "orange": (240, 140, 30),
    "yellow": (240, 220, 40),
    "green": (40, 170, 60),
    "blue": (40, 80, 220),
    "purple": (140, 60, 200),
    "pink": (240, 120, 180),
    "white": (240, 240, 240),
    "black": (25, 25, 25),
    "brown": (130, 80, 40),
    "cyan": (40, 210, 220),
    "gray": (130, 130, 130),
}

GROUNDS: dict[str, tuple[tuple[int, int, int], tuple[int, int, int]]] = {
    # name: (base colour, texture colour)
    "grass": ((70, 140, 50), (55, 115, 40)),
    "sand": ((215, 190, 135), (195, 170, 115)),
    "snow": ((235, 240, 245), (215, 222, 232)),
    "asphalt": ((70, 70, 75), (90, 90, 95)),
    "checkerboard": ((230, 230, 230), (60, 60, 60)),
}

SKIES: dict[str, tuple[tuple[int, int, int], tuple[int, int, int], float]] = {
    # name: (zenith colour, horizon colour, light level)
    "morning": ((120, 170, 230), (240, 210, 170), 0.9),
    "noon": ((60, 130, 230), (170, 210, 245), 1.0),
    "sunset": ((70, 60, 130), (250, 140, 70), 0.75),
    "night": ((10, 12, 35), (35, 40, 70), 0.45),
}

SHAPES = ("sphere", "cube", "cylinder", "cone")
MOTIONS = ("still", "roll-left", "roll-right", "bounce", "fall")
CAMERAS = ("static", "pan-left", "pan-right")

HORIZON = 0.5  # fraction of the height where ground meets sky


@dataclass(frozen=True)
class FlatObject:
    shape: str
    color: str
    size: float  # radius as a fraction of the frame height
    x: float  # start centre, fraction of width
    motion: str


@dataclass(frozen=True)
class FlatScene:
    ground: str
    sky: str
    objects: tuple[FlatObject, ...]
    camera: str


def sample_scene(rng: np.random.Generator, max_objects: int = 3) -> FlatScene:
    count = int(rng.choice(np.arange(1, max_objects + 1), p=_count_weights(max_objects)))
    xs = np.sort(rng.uniform(0.15, 0.85, size=count))
    colors = rng.choice(list(PALETTE), size=count, replace=False)
    objects = tuple(
        FlatObject(
            shape=str(rng.choice(SHAPES)),
            color=str(colors[i]),
            size=float(rng.uniform(0.08, 0.14)),
            x=float(xs[i]),
            motion=str(rng.choice(MOTIONS)),
        )
        for i in range(count)
    )
    camera = str(rng.choice(CAMERAS, p=[0.6, 0.2, 0.2]))
    return FlatScene(ground=str(rng.choice(list(GROUNDS))), sky=str(rng.choice(list(SKIES))), objects=objects, camera=camera)


def _count_weights(n: int) -> np.ndarray:
    w = np.array([1.0 / (k + 1) for k in range(n)])  # more single-object scenes: they are learned first
    return w / w.sum()


def _trajectory(obj: FlatObject, t: np.ndarray, ground_y: float) -> tuple[np.ndarray, np.ndarray]:
    """Centre (x in widths, y in heights) over normalised time t ∈ [0, 1]."""
    r = obj.size
    rest_y = ground_y + 0.02 - r  # resting on the ground, slightly in front of the horizon
    x = np.full_like(t, obj.x)
    y = np.full_like(t, rest_y)
    if obj.motion == "roll-left":
        x = obj.x - 0.35 * t
    elif obj.motion == "roll-right":
        x = obj.x + 0.35 * t
    elif obj.motion == "bounce":
        # Bounces that lose height: |sin| arcs with a decaying amplitude.
        y = rest_y - 0.35 * np.exp(-1.2 * t) * np.abs(np.cos(np.pi * 2.5 * t))
    elif obj.motion == "fall":
        # Free fall from above the frame, y = y0 + g t² / 2, stopping on the ground.
        y = np.minimum(rest_y, -0.1 + 2.2 * t**2)
    return x, y


def render(scene: FlatScene, width: int, height: int, frames: int, fps: float = 8.0) -> np.ndarray:
    """Draw the scene: (frames, height, width, 3) uint8. The motion spans 4 s of scene time."""
    t = np.arange(frames) / fps / 4.0  # normalised scene time: 1.0 at 4 s
    yy, xx = np.mgrid[0:height, 0:width].astype(np.float32)
    v = yy / height
    u = xx / height  # object sizes are fractions of the height, so use height units on both axes
    aspect = width / height

    zenith, horizon_col, light = SKIES[scene.sky]
    sky_mix = np.clip(v / HORIZON, 0, 1)[..., None]
    sky = (np.array(zenith) * (1 - sky_mix) + np.array(horizon_col) * sky_mix) * 1.0

    base, tex = GROUNDS[scene.ground]
    out = np.empty((frames, height, width, 3), dtype=np.uint8)
    pan = {"static": 0.0, "pan-left": -0.3, "pan-right": 0.3}[scene.camera]
    for f in range(frames):
        cam_x = pan * t[f] * aspect  # camera offset in height units; the world moves the other way
        depth = np.clip((v - HORIZON) / (1 - HORIZON), 1e-3, 1)  # 0 at the horizon, 1 at the bottom
        wu = (u + cam_x) / depth  # ground texture coordinates under a simple perspective
        wv = 1.0 / depth
        if scene.ground == "checkerboard":
            pattern = ((np.floor(wu * 2) + np.floor(wv * 2)) % 2)[..., None]
        else:
            pattern = (0.5 + 0.5 * np.sin(wu * 9.0) * np.sin(wv * 7.0))[..., None] ** 2
        ground = np.array(base) * (1 - pattern) + np.array(tex) * pattern
        img = np.where((v >= HORIZON)[..., None], ground, sky)

        # Objects, far (higher) first so nearer ones cover them; each with a soft shadow.
        for obj in scene.objects:
            ox, oy = _trajectory(obj, np.array([t[f]]), HORIZON + 0.25)
            cx = ox[0] * aspect - cam_x
            cy = oy[0]
            r = obj.size
            ground_y = HORIZON + 0.27
            height_above = max(0.0, (ground_y - r) - cy)
            shadow_r = r * (1.0 - min(0.6, height_above))
            sd = ((u - cx) / shadow_r) ** 2 + ((v - ground_y) / (0.3 * shadow_r)) ** 2
            shadow = np.clip(1.2 - sd, 0, 1)[..., None] * 0.45 * (1.0 - min(0.8, height_above * 2))
            img = img * (1 - shadow)
            mask, shade = _shape(obj.shape, u - cx, v - cy, r, t[f], obj.motion)
            color = np.array(PALETTE[obj.color], dtype=np.float32)
            img = img * (1 - mask[..., None]) + (color * shade[..., None]) * mask[..., None]
        out[f] = np.clip(img * light, 0, 255).astype(np.uint8)
    return out


def _shape(shape: str, dx: np.ndarray, dy: np.ndarray, r: float, t: float, motion: str) -> tuple[np.ndarray, np.ndarray]:
    """Soft coverage mask and shading for a shape centred at the origin (height units)."""
    edge = 0.006  # anti-aliasing width
    if shape == "sphere":
        d = np.sqrt(dx**2 + dy**2)
        mask = np.clip((r - d) / edge, 0, 1)
        # Lambertian shading from a light up and to the left.
        nz = np.sqrt(np.clip(1 - (d / r) ** 2, 0, 1))
        shade = np.clip(0.35 + 0.75 * (nz * 0.7 + (-dx / r) * 0.35 + (-dy / r) * 0.45), 0.2, 1.25)
        if motion.startswith("roll"):  # a stripe that turns with the roll, so rolling is visible
            angle = (12.0 if motion == "roll-right" else -12.0) * t
            stripe = np.abs(np.sin((dx * np.cos(angle) + dy * np.sin(angle)) / r * 2.2)) < 0.25
            shade = shade * np.where(stripe, 0.75, 1.0)
        return mask, shade
    if shape == "cube":
        mask = np.clip((r - np.maximum(np.abs(dx), np.abs(dy))) / edge, 0, 1)
        shade = np.where(dy < -r * 0.55, 1.2, np.where(dx > r * 0.35, 0.75, 1.0)) * np.ones_like(dx)
        return mask, shade
    if shape == "cylinder":
        body = np.clip((r * 0.8 - np.abs(dx)) / edge, 0, 1) * np.clip((r - np.abs(dy)) / edge, 0, 1)
        top = np.clip((1 - (dx / (0.8 * r)) ** 2 - ((dy + r) / (0.3 * r)) ** 2) / 0.05, 0, 1)
        mask = np.maximum(body, top)
        shade = np.where(top > 0.5, 1.2, 0.8 + 0.4 * (-dx / r)) * np.ones_like(dx)
        return mask, shade
    # cone: a triangle with its apex up
    frac = np.clip((dy + r) / (2 * r), 0, 1)  # 0 at the apex, 1 at the base
    mask = np.clip((frac * r - np.abs(dx)) / edge, 0, 1) * np.clip((r - np.abs(dy)) / edge, 0, 1)
    shade = 0.85 + 0.35 * (-dx / r)
    return mask, shade


_SHAPE_WORDS = {
    "sphere": ("ball", "sphere", "ball"),
    "cube": ("cube", "box", "block"),
    "cylinder": ("cylinder", "can", "cylinder"),
    "cone": ("cone", "cone", "pointed cone"),
}
_MOTION_WORDS = {
    "still": ("sits still", "rests", "stays in place"),
    "roll-left": ("rolls to the left", "moves left", "slides to the left"),
    "roll-right": ("rolls to the right", "moves right", "slides to the right"),
    "bounce": ("bounces", "bounces up and down", "is bouncing"),
    "fall": ("falls from the sky", "drops onto the ground", "falls down"),
}
_GROUND_WORDS = {
    "grass": ("grass", "green grass", "a lawn"),
    "sand": ("sand", "a sandy beach", "the sand"),
    "snow": ("snow", "snowy ground", "the snow"),
    "asphalt": ("asphalt", "a road", "grey asphalt"),
    "checkerboard": ("a checkerboard", "a checkered floor", "a chessboard floor"),
}
_SKY_WORDS = {
    "morning": ("in the morning", "at dawn", "on a bright morning"),
    "noon": ("at noon", "in daylight", "under a blue sky"),
    "sunset": ("at sunset", "at dusk", "under an orange evening sky"),
    "night": ("at night", "in the dark", "under a night sky"),
}
_CAMERA_WORDS = {
    "static": ("", "The camera is still.", "A fixed camera."),
    "pan-left": ("The camera pans left.", "Camera pans to the left.", "The view pans left."),
    "pan-right": ("The camera pans right.", "Camera pans to the right.", "The view pans right."),
}
_NUMBERS = {1: "one", 2: "two", 3: "three", 4: "four", 5: "five", 6: "six"}


def captions(scene: FlatScene, rng: np.random.Generator) -> list[str]:
    """Three phrasings: a short one, a medium one and a detailed one, each with random word choices."""

    def pick(options):
        return options[int(rng.integers(len(options)))]

    def on_ground(article: bool = True) -> str:
        g = pick(_GROUND_WORDS[scene.ground])
        return g if not article or g.startswith("a ") or g.startswith("the ") else f"the {g}"

    parts = []
    for obj in scene.objects:
        article = "an" if obj.color[0] in "aeiou" else "a"
        parts.append(f"{article} {obj.color} {pick(_SHAPE_WORDS[obj.shape])} {pick(_MOTION_WORDS[obj.motion])}")
    short = f"{' and '.join(parts)} on {on_ground()}"
    medium = f"{short} {pick(_SKY_WORDS[scene.sky])}"
    n = len(scene.objects)
    counted = f"{_NUMBERS[n].capitalize()} object{'s' if n > 1 else ''} on {on_ground()} {pick(_SKY_WORDS[scene.sky])}: "
    order = "From left to right, " if n > 1 else ""
    detail = counted + order + ", ".join(parts) + ". " + pick(_CAMERA_WORDS[scene.camera])
    return [short, medium.capitalize() + ".", detail.strip()]
