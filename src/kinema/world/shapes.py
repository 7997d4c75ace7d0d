"""The solid shapes of Kinema World: their dimensions, one source for the physics and the renderer.

Every shape is defined in its own local frame with its centre of mass at the origin and its axis
along local z (a capsule is then turned to lie on its side). `dims` packs the numbers the renderer's
intersection code and pybullet's collision shapes both read, so what collides is what is drawn.

    sphere    radius r                                   dims (r, 0, 0)
    cube      half side a                                dims (a, a, a)
    cylinder  radius r, half height h                    dims (r, h, 0)
    cone      base radius r, height H; base at z = −H/4, apex at z = 3H/4 (the centroid of a
              solid cone is a quarter of the way up)     dims (r, H, 0)
    capsule   radius r, half length of the core segment l   dims (r, l, 0)
"""

from __future__ import annotations

import math

from kinema.world.scene import SHAPES, WorldObject

SHAPE_IDS = {name: i for i, name in enumerate(SHAPES)}


def dims(obj: WorldObject) -> tuple[float, float, float]:
    s = obj.half_extent
    return {
        "sphere": (s, 0.0, 0.0),
        "cube": (0.82 * s, 0.82 * s, 0.82 * s),
        "cylinder": (0.72 * s, 0.9 * s, 0.0),
        "cone": (0.85 * s, 2.0 * s, 0.0),
        "capsule": (0.5 * s, 0.7 * s, 0.0),
    }[obj.shape]


def rest_height(obj: WorldObject) -> float:
    """Height of the centre of mass above the ground when the object stands (a capsule lies) on it."""
    a, b, _ = dims(obj)
    return {"sphere": a, "cube": a, "cylinder": b, "cone": b / 4, "capsule": a}[obj.shape]


def bounding_radius(shape: str, d: tuple[float, float, float]) -> float:
    """Radius of a sphere round the centre of mass that contains the whole shape."""
    a, b, c = d
    if shape == "sphere":
        return a
    if shape == "cube":
        return math.sqrt(a * a + b * b + c * c)
    if shape == "cylinder":
        return math.hypot(a, b)
    if shape == "cone":
        return max(0.75 * b, math.hypot(a, 0.25 * b))
    return a + b  # capsule


def volume(obj: WorldObject) -> float:
    a, b, _ = dims(obj)
    return {
        "sphere": 4 / 3 * math.pi * a**3,
        "cube": 8 * a**3,
        "cylinder": math.pi * a * a * 2 * b,
        "cone": math.pi * a * a * b / 3,
        "capsule": math.pi * a * a * 2 * b + 4 / 3 * math.pi * a**3,
    }[obj.shape]


def cone_vertices(radius: float, height: float, segments: int = 24) -> list[tuple[float, float, float]]:
    """Vertices of the cone's convex hull, centroid at the origin (for pybullet's mesh shape)."""
    base = [
        (radius * math.cos(2 * math.pi * k / segments), radius * math.sin(2 * math.pi * k / segments), -height / 4)
        for k in range(segments)
    ]
    return [*base, (0.0, 0.0, 0.75 * height)]
