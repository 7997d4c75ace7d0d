"""The renderer: Kinema World frames by ray casting, in PyTorch, on the CPU or a GPU.

Every shape of Kinema World is a simple solid (`shapes.py`), so each pixel's ray is intersected with
them exactly — no meshes, no rasteriser — and the same code draws a clip for `kinema world build` on
a laptop CPU and thousands of clips a second on a GPU while training (where pybullet's trajectories
are all that needs carrying). It draws:

- a sky graded from the horizon to the zenith, with the sun's (or the moon's) glow;
- an infinite ground plane textured procedurally per ground type (value noise for grass, sand,
  snow and asphalt; squares for the checkerboard; planks for wood), fading into the horizon colour;
- the objects in their palette colours, shaded by a sun (Lambert + a little specular) and the sky's
  ambient light, with a darker band or stripe fixed to the body so that rolling and spinning show;
- hard shadows: a second ray from every visible point towards the sun.

Rays are tested against each object's bounding sphere first and only the candidates are intersected
exactly, so the cost is proportional to what the objects cover, not to pixels × objects.
`supersample` = k casts k × k rays per pixel and averages them (anti-aliased edges); the object-id
buffer it can return is at that finer resolution, for ground truth.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import torch

from kinema.world import shapes
from kinema.world.scene import GROUNDS, PALETTE, SKIES, Scene

EPS = 1e-4
BACKGROUND = -1
"""Object id of a pixel that shows the ground or the sky."""
FOG_START, FOG_DEPTH = 8.0, 40.0
"""Metres: surfaces nearer the camera than FOG_START are drawn as they are; farther ones fade towards
the horizon colour, by 1 − exp(−(distance − FOG_START) / FOG_DEPTH)."""


@dataclass(frozen=True)
class Light:
    zenith: tuple[float, float, float]
    horizon: tuple[float, float, float]
    sun_elevation: float  # degrees
    sun_azimuth: float  # degrees, 0 = from +x, 90 = from +y
    sun_color: tuple[float, float, float]
    ambient: float

    @property
    def sun_direction(self) -> tuple[float, float, float]:
        """Unit vector from the ground towards the sun."""
        el, az = math.radians(self.sun_elevation), math.radians(self.sun_azimuth)
        return (math.cos(el) * math.cos(az), math.cos(el) * math.sin(az), math.sin(el))


LIGHTS: dict[str, Light] = {
    # Low warm sun from the front right in the morning, high white sun at noon, a low orange sun
    # from the left at sunset, cool moonlight from the front left at night (bright enough that colours still read).
    "morning": Light((0.45, 0.63, 0.88), (0.96, 0.86, 0.72), 24.0, -35.0, (1.0, 0.9, 0.76), 0.55),
    "noon": Light((0.24, 0.48, 0.88), (0.72, 0.83, 0.95), 62.0, -60.0, (1.0, 1.0, 0.96), 0.5),
    "sunset": Light((0.28, 0.24, 0.48), (1.0, 0.56, 0.3), 11.0, 195.0, (1.0, 0.62, 0.38), 0.5),
    "night": Light((0.02, 0.03, 0.1), (0.09, 0.11, 0.22), 48.0, -125.0, (0.62, 0.68, 0.9), 0.6),
}
assert tuple(LIGHTS) == SKIES

GROUND_IDS = {name: i for i, name in enumerate(GROUNDS)}
SKY_IDS = {name: i for i, name in enumerate(SKIES)}


@dataclass
class FrameBatch:
    """Everything needed to draw F frames, as tensors on one device. Empty object slots have shape −1."""

    poses: torch.Tensor  # (F, 7) camera position, target, vertical fov in degrees
    shape: torch.Tensor  # (F, N) long, index into SHAPES, −1 for no object
    dims: torch.Tensor  # (F, N, 3) see shapes.py
    color: torch.Tensor  # (F, N, 3) albedo in [0, 1]
    position: torch.Tensor  # (F, N, 3) centres of mass
    rotation: torch.Tensor  # (F, N, 3, 3) local → world
    ground: torch.Tensor  # (F,) long
    sky: torch.Tensor  # (F,) long

    def __len__(self) -> int:
        return self.poses.shape[0]

    def slice(self, start: int, end: int) -> FrameBatch:
        return FrameBatch(*(getattr(self, f)[start:end] for f in self.__dataclass_fields__))

    @staticmethod
    def concat(batches: list[FrameBatch]) -> FrameBatch:
        """Join batches, padding object slots to the largest N."""
        n = max(b.shape.shape[1] for b in batches)

        def pad(x: torch.Tensor, value: float) -> torch.Tensor:
            extra = n - x.shape[1]
            if extra == 0:
                return x
            filler = x.new_full((x.shape[0], extra, *x.shape[2:]), value)
            return torch.cat([x, filler], dim=1)

        eye = torch.eye(3)
        out = {}
        for name in FrameBatch.__dataclass_fields__:
            parts = [getattr(b, name) for b in batches]
            if name == "shape":
                parts = [pad(p, -1) for p in parts]
            elif name == "rotation":
                parts = [torch.cat([p, eye.to(p).expand(p.shape[0], n - p.shape[1], 3, 3)], 1) for p in parts]
            elif name in ("dims", "color", "position"):
                parts = [pad(p, 0.0) for p in parts]
            out[name] = torch.cat(parts)
        return FrameBatch(**out)


def scene_batch(scene: Scene, positions: np.ndarray, rotations: np.ndarray, poses: np.ndarray) -> FrameBatch:
    """Frames of one camera: positions (T, N, 3), rotations (T, N, 3, 3), poses (T, 7)."""
    T, N = positions.shape[:2]
    shape_ids = torch.tensor([shapes.SHAPE_IDS[o.shape] for o in scene.objects]).expand(T, N)
    dims = torch.tensor([shapes.dims(o) for o in scene.objects], dtype=torch.float32).expand(T, N, 3)
    color = torch.tensor([PALETTE[o.color] for o in scene.objects], dtype=torch.float32).div(255).expand(T, N, 3)
    return FrameBatch(
        poses=torch.as_tensor(poses, dtype=torch.float32),
        shape=shape_ids.clone(),
        dims=dims.clone(),
        color=color.clone(),
        position=torch.as_tensor(positions, dtype=torch.float32),
        rotation=torch.as_tensor(rotations, dtype=torch.float32),
        ground=torch.full((T,), GROUND_IDS[scene.ground]),
        sky=torch.full((T,), SKY_IDS[scene.sky]),
    )


# --- rays -------------------------------------------------------------------------------------------


def camera_rays(poses: torch.Tensor, width: int, height: int, supersample: int = 1) -> tuple[torch.Tensor, torch.Tensor]:
    """Origins (F, 3) and unit directions (F, R, 3), R = (height·k) · (width·k), rows top to bottom.

    The same pinhole model as `camera.project`: sample (i, j) of k × k per pixel sits at
    ((j + 0.5) / k, (i + 0.5) / k) in continuous pixel coordinates.
    """
    k = supersample
    origin, target, fov = poses[:, :3], poses[:, 3:6], poses[:, 6]
    forward = torch.nn.functional.normalize(target - origin, dim=-1)
    up_world = torch.tensor([0.0, 0.0, 1.0], device=poses.device).expand_as(forward)
    right = torch.nn.functional.normalize(torch.cross(forward, up_world, dim=-1), dim=-1)
    up = torch.cross(right, forward, dim=-1)
    tan = torch.tan(torch.deg2rad(fov) / 2)  # (F,)
    u = (torch.arange(width * k, device=poses.device, dtype=torch.float32) + 0.5) / (k * width) * 2 - 1  # (Wk,)
    v = 1 - (torch.arange(height * k, device=poses.device, dtype=torch.float32) + 0.5) / (k * height) * 2  # (Hk,)
    x = (u[None, None, :] * (tan * width / height)[:, None, None]).expand(-1, height * k, -1)  # (F, Hk, Wk)
    y = (v[None, :, None] * tan[:, None, None]).expand(-1, -1, width * k)
    d = forward[:, None, None] + x[..., None] * right[:, None, None] + y[..., None] * up[:, None, None]
    return origin, torch.nn.functional.normalize(d.reshape(len(poses), -1, 3), dim=-1)


# --- exact intersections in an object's local frame --------------------------------------------------
# Each takes local ray origins o (E, 3), unit directions d (E, 3) and the shape's dims (E, 3), and
# returns (t (E,), normal (E, 3)): the nearest hit in front of the origin, t = inf where none.

INF = float("inf")


def _nearest(candidates: list[tuple[torch.Tensor, torch.Tensor]]) -> tuple[torch.Tensor, torch.Tensor]:
    """The smallest t among several (t, normal) candidates."""
    t = torch.stack([c[0] for c in candidates])  # (K, E)
    n = torch.stack([c[1] for c in candidates])  # (K, E, 3)
    best = t.argmin(0)
    return t.gather(0, best[None])[0], n.gather(0, best[None, :, None].expand(1, -1, 3))[0]


def _sphere(o, d, center, r):
    oc = o - center
    b = (oc * d).sum(-1)
    c = (oc * oc).sum(-1) - r * r
    disc = b * b - c
    t = -b - torch.sqrt(disc.clamp_min(0))
    t = torch.where((disc > 0) & (t > EPS), t, INF)
    return t, (oc + t[:, None].nan_to_num(0, 0, 0) * d) / r[:, None]


def intersect_sphere(o, d, dims):
    return _sphere(o, d, torch.zeros_like(o), dims[:, 0])


def intersect_cube(o, d, dims):
    safe = torch.where(d.abs() < 1e-9, torch.full_like(d, 1e-9), d)
    t1, t2 = (-dims - o) / safe, (dims - o) / safe
    near, far = torch.minimum(t1, t2), torch.maximum(t1, t2)
    t_near, axis = near.max(-1)
    t_far = far.min(-1).values
    t = torch.where((t_near <= t_far) & (t_near > EPS), t_near, INF)
    normal = torch.nn.functional.one_hot(axis, 3).to(d) * -torch.sign(safe)
    return t, normal


def _side(o, d, r, z_min, z_max):
    """The infinite cylinder x² + y² = r² about local z, between z_min and z_max."""
    a = d[:, 0] ** 2 + d[:, 1] ** 2
    b = o[:, 0] * d[:, 0] + o[:, 1] * d[:, 1]
    c = o[:, 0] ** 2 + o[:, 1] ** 2 - r * r
    disc = b * b - a * c
    t = (-b - torch.sqrt(disc.clamp_min(0))) / a.clamp_min(1e-12)
    z = o[:, 2] + t * d[:, 2]
    t = torch.where((disc > 0) & (a > 1e-12) & (t > EPS) & (z >= z_min) & (z <= z_max), t, INF)
    p = o + t[:, None].nan_to_num(0, 0, 0) * d
    normal = torch.stack([p[:, 0], p[:, 1], torch.zeros_like(p[:, 0])], -1) / r[:, None]
    return t, normal


def _cap(o, d, z, r, up: bool):
    """The disc of radius r at height z, facing up or down."""
    safe = torch.where(d[:, 2].abs() < 1e-9, torch.full_like(d[:, 2], 1e-9), d[:, 2])
    t = (z - o[:, 2]) / safe
    p = o + t[:, None] * d
    inside = p[:, 0] ** 2 + p[:, 1] ** 2 <= r * r
    t = torch.where(inside & (t > EPS), t, INF)
    normal = torch.zeros_like(o)
    normal[:, 2] = 1.0 if up else -1.0
    return t, normal


def intersect_cylinder(o, d, dims):
    r, h = dims[:, 0], dims[:, 1]
    return _nearest([_side(o, d, r, -h, h), _cap(o, d, h, r, True), _cap(o, d, -h, r, False)])


def intersect_cone(o, d, dims):
    r, height = dims[:, 0], dims[:, 1]
    apex, base = 0.75 * height, -0.25 * height
    k2 = (r / height) ** 2
    w = apex - o[:, 2]
    A = d[:, 0] ** 2 + d[:, 1] ** 2 - k2 * d[:, 2] ** 2
    B = 2 * (o[:, 0] * d[:, 0] + o[:, 1] * d[:, 1] + k2 * w * d[:, 2])
    C = o[:, 0] ** 2 + o[:, 1] ** 2 - k2 * w * w
    disc = B * B - 4 * A * C
    sq = torch.sqrt(disc.clamp_min(0))
    A_safe = torch.where(A.abs() < 1e-12, torch.full_like(A, 1e-12), A)
    sides = []
    for t in ((-B - sq) / (2 * A_safe), (-B + sq) / (2 * A_safe)):
        z = o[:, 2] + t * d[:, 2]
        t = torch.where((disc >= 0) & (t > EPS) & (z >= base) & (z <= apex), t, INF)
        p = o + t[:, None].nan_to_num(0, 0, 0) * d
        normal = torch.nn.functional.normalize(torch.stack([p[:, 0], p[:, 1], k2 * (apex - p[:, 2])], -1), dim=-1)
        sides.append((t, normal))
    return _nearest([*sides, _cap(o, d, base, r, False)])


def intersect_capsule(o, d, dims):
    r, l = dims[:, 0], dims[:, 1]
    top = torch.zeros_like(o)
    top[:, 2] = l
    return _nearest([_side(o, d, r, -l, l), _sphere(o, d, top, r), _sphere(o, d, -top, r)])


INTERSECT = (intersect_sphere, intersect_cube, intersect_cylinder, intersect_cone, intersect_capsule)
assert len(INTERSECT) == len(shapes.SHAPE_IDS)


def _bounding_radii(shape: torch.Tensor, dims: torch.Tensor) -> torch.Tensor:
    """(F, N) radius of each object's bounding sphere (0 for empty slots)."""
    a, b, c = dims.unbind(-1)
    radius = torch.zeros_like(a)
    radius = torch.where(shape == 0, a, radius)
    radius = torch.where(shape == 1, torch.sqrt(a * a + b * b + c * c), radius)
    radius = torch.where(shape == 2, torch.hypot(a, b), radius)
    radius = torch.where(shape == 3, torch.maximum(0.75 * b, torch.hypot(a, 0.25 * b)), radius)
    radius = torch.where(shape == 4, a + b, radius)
    return radius * 1.001


def trace(
    batch: FrameBatch, origins: torch.Tensor, directions: torch.Tensor, per_ray_origin: bool, any_hit: bool = False
) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor, torch.Tensor]:
    """Nearest object hit along each ray.

    origins: (F, 3), or (F, R, 3) with per_ray_origin — then every ray of a frame must share one
    direction (shadow rays towards the sun); directions (F, R, 3) unit.
    Returns t (F, R) (inf: no object), object index (F, R) (−1: none), normal (F, R, 3) and the hit
    point in the object's local frame (F, R, 3). With any_hit only t is meaningful (shadow rays).
    """
    F, R, _ = directions.shape
    N = batch.shape.shape[1]
    device = directions.device
    radius = _bounding_radii(batch.shape, batch.dims)  # (F, N)
    # Bounding-sphere test for every (frame, object, ray): cheap dot products.
    if per_ray_origin:
        # Shadow rays share one direction L per frame, so expand |c − x|² and (c − x)·L instead of
        # building the (F, N, R, 3) difference: a matmul and a few (F, N, R) scalars.
        c, L = batch.position, directions[:, 0]  # (F, N, 3), (F, 3)
        cx = torch.einsum("fnk,frk->fnr", c, origins)
        b = (c * L[:, None]).sum(-1)[:, :, None] - (origins * L[:, None]).sum(-1)[:, None]  # (F, N, R)
        dist2 = (c * c).sum(-1)[:, :, None] - 2 * cx + (origins * origins).sum(-1)[:, None] - b * b
    else:
        oc = batch.position - origins[:, None]  # (F, N, 3)
        b = torch.einsum("fnk,frk->fnr", oc, directions)
        dist2 = (oc * oc).sum(-1)[:, :, None] - b * b
    candidate = (batch.shape[:, :, None] >= 0) & (b > -radius[:, :, None]) & (dist2 < radius[:, :, None] ** 2)
    f, n, r = candidate.nonzero(as_tuple=True)  # E candidates

    t_all = torch.full((F, N, R), INF, device=device)
    normal_l = torch.zeros(len(f), 3, device=device)
    local_o = torch.zeros(len(f), 3, device=device)
    local_d = torch.zeros(len(f), 3, device=device)
    if len(f):
        rot = batch.rotation[f, n]  # (E, 3, 3) local → world
        world_o = origins[f, r] if per_ray_origin else origins[f]
        local_o = torch.einsum("eji,ej->ei", rot, world_o - batch.position[f, n])  # Rᵀ (o − p)
        local_d = torch.einsum("eji,ej->ei", rot, directions[f, r])
        t = torch.full((len(f),), INF, device=device)
        kind = batch.shape[f, n]
        for shape_id, intersect in enumerate(INTERSECT):
            pick = (kind == shape_id).nonzero(as_tuple=True)[0]
            if len(pick):
                t_k, n_k = intersect(local_o[pick], local_d[pick], batch.dims[f[pick], n[pick]])
                t[pick] = t_k
                normal_l[pick] = n_k
        t_all[f, n, r] = t
    t_min, index = t_all.min(dim=1)  # (F, R)
    if any_hit:
        return t_min, index, None, None
    index = torch.where(torch.isfinite(t_min), index, torch.full_like(index, -1))

    # The winning candidate's normal and local hit point, back in world / local frames.
    normal = torch.zeros(F, R, 3, device=device)
    local_hit = torch.zeros(F, R, 3, device=device)
    if len(f):
        won = torch.isfinite(t_all[f, n, r]) & (index[f, r] == n)
        fw, nw, rw = f[won], n[won], r[won]
        normal[fw, rw] = torch.einsum("eij,ej->ei", batch.rotation[fw, nw], normal_l[won])
        local_hit[fw, rw] = local_o[won] + t_min[fw, rw, None] * local_d[won]
    return t_min, index, normal, local_hit


# --- materials ----------------------------------------------------------------------------------------


def _hash(ix: torch.Tensor, iy: torch.Tensor, seed: int) -> torch.Tensor:
    """Integer lattice point → pseudo-random float in [0, 1) (a multiply-xorshift hash)."""
    # int32 arithmetic wraps on overflow, which is all a hash needs, at half the cost of int64.
    h = (ix.int() * 73856093 + iy.int() * 19349663 + seed * 83492791) & 0x7FFFFFFF
    h = ((h ^ (h >> 13)) * 12741261) & 0x7FFFFFFF
    h = h ^ (h >> 16)
    return (h & 0xFFFF).float() / 65536.0


def value_noise(x: torch.Tensor, y: torch.Tensor, seed: int = 0) -> torch.Tensor:
    """Smooth noise in [0, 1) on the plane: hashed lattice values blended with smoothstep."""
    fx, fy = torch.floor(x), torch.floor(y)
    ix, iy = fx.long(), fy.long()
    u, v = x - fx, y - fy
    u, v = u * u * (3 - 2 * u), v * v * (3 - 2 * v)
    a, b = _hash(ix, iy, seed), _hash(ix + 1, iy, seed)
    c, d = _hash(ix, iy + 1, seed), _hash(ix + 1, iy + 1, seed)
    return a + (b - a) * u + (c - a) * v + (a - b - c + d) * u * v


def ground_albedo(kind: int, x: torch.Tensor, y: torch.Tensor, distance: torch.Tensor) -> torch.Tensor:
    """(R, 3) colour of ground type `kind` at world points (x, y); fine detail fades with distance
    (a cheap stand-in for mip-mapping, so far ground does not shimmer)."""
    fine = torch.exp(-distance / 9.0)
    name = GROUNDS[kind]
    if name == "checkerboard":
        dark = ((torch.floor(x) + torch.floor(y)) % 2 == 0).float()[:, None]
        light, shade = torch.tensor([0.88, 0.88, 0.86]), torch.tensor([0.2, 0.2, 0.23])
        return shade.to(x) * dark + light.to(x) * (1 - dark)
    if name == "wood":
        plank = torch.floor(y / 0.35)
        tone = 0.85 + 0.15 * _hash(plank.long(), torch.zeros_like(plank).long(), 7)
        grain = 0.92 + 0.08 * torch.sin(x * 9 + 4 * value_noise(x * 0.7, plank * 3.1, 3))
        gap = ((y / 0.35 - plank) < 0.04).float() * fine
        base = torch.tensor([0.6, 0.4, 0.22]).to(x)
        return base * (tone * grain * (1 - 0.55 * gap))[:, None]
    n1 = value_noise(x * 0.9, y * 0.9, 1)
    n2 = value_noise(x * 4.0, y * 4.0, 2)
    n3 = value_noise(x * 19.0, y * 19.0, 3) * fine
    if name == "grass":
        base = torch.tensor([0.25, 0.48, 0.16]).to(x)
        tint = torch.tensor([0.1, 0.06, -0.02]).to(x)
        return base * (0.78 + 0.22 * n1 + 0.16 * n2 + 0.16 * n3)[:, None] + tint * (n1 - 0.5)[:, None]
    if name == "sand":
        ripple = 0.05 * torch.sin(y * 7 + 3 * n1) * fine
        return torch.tensor([0.84, 0.74, 0.53]).to(x) * (0.88 + 0.1 * n1 + 0.05 * n3 + ripple)[:, None]
    if name == "snow":
        return torch.tensor([0.93, 0.95, 0.98]).to(x) * (0.93 + 0.05 * n1 + 0.03 * n3)[:, None]
    # asphalt
    return torch.tensor([0.26, 0.26, 0.28]).to(x) * (0.82 + 0.12 * n2 + 0.16 * n3)[:, None]


def _light_table(device) -> dict[str, torch.Tensor]:
    lights = [LIGHTS[s] for s in SKIES]
    return {
        "zenith": torch.tensor([l.zenith for l in lights], device=device),
        "horizon": torch.tensor([l.horizon for l in lights], device=device),
        "sun": torch.tensor([l.sun_direction for l in lights], device=device),
        "sun_color": torch.tensor([l.sun_color for l in lights], device=device),
        "ambient": torch.tensor([l.ambient for l in lights], device=device),
    }


# --- the frame ----------------------------------------------------------------------------------------


def _render_chunk(batch: FrameBatch, width: int, height: int, k: int) -> tuple[torch.Tensor, torch.Tensor]:
    """(F, H·k, W·k, 3) float colours and (F, H·k, W·k) object ids for a chunk of frames."""
    F = len(batch)
    device = batch.poses.device
    origin, d = camera_rays(batch.poses, width, height, k)  # (F, 3), (F, R, 3)
    R = d.shape[1]
    table = _light_table(device)
    sky = batch.sky
    sun = table["sun"][sky]  # (F, 3)

    # 1. primary rays: ground plane z = 0 and the objects
    t_ground = torch.where(d[..., 2] < -1e-6, -origin[:, None, 2] / d[..., 2].clamp_max(-1e-6), INF)  # (F, R)
    t_obj, index, normal_obj, local_hit = trace(batch, origin, d, per_ray_origin=False)
    on_object = t_obj < t_ground
    on_ground = ~on_object & torch.isfinite(t_ground)
    t = torch.where(on_object, t_obj, t_ground)
    hit = origin[:, None] + t.nan_to_num(0, 0, 0)[..., None].clamp_max(1e4) * d  # (F, R, 3)
    normal = torch.where(on_object[..., None], normal_obj, torch.tensor([0.0, 0.0, 1.0], device=device))

    # 2. albedo
    albedo = torch.zeros(F, R, 3, device=device)
    obj_index = index.clamp_min(0)
    color = batch.color.gather(1, obj_index[..., None].expand(-1, -1, 3))  # (F, R, 3)
    shape = batch.shape.gather(1, obj_index)  # (F, R)
    dims = batch.dims.gather(1, obj_index[..., None].expand(-1, -1, 3))
    # A band fixed to the body: round the equator of spheres and capsules, down one side of
    # cylinders and cones; cubes show their turning through their faces' shading.
    angle = torch.atan2(local_hit[..., 1], local_hit[..., 0])
    band = torch.where(
        (shape == 0) | (shape == 4),
        (local_hit[..., 2].abs() < 0.22 * dims[..., 0]).float(),
        ((shape == 2) | (shape == 3)).float() * ((angle > 0) & (angle < 0.7)).float(),
    )
    albedo = torch.where(on_object[..., None], color * (1 - 0.3 * band[..., None]), albedo)
    for kind in batch.ground.unique().tolist():
        rows = on_ground & (batch.ground == kind)[:, None]
        if rows.any():
            p = hit[rows]
            albedo[rows] = ground_albedo(kind, p[:, 0], p[:, 1], t[rows])

    # 3. shadows: is the sun blocked between the surface and the sun?
    surface = on_object | on_ground
    lit = torch.ones(F, R, device=device)
    if surface.any():
        start = hit + normal * 2e-3
        t_shadow, *_ = trace(batch, start, sun[:, None].expand(F, R, 3).contiguous(), per_ray_origin=True, any_hit=True)
        lit = torch.where(surface & torch.isfinite(t_shadow), torch.zeros_like(lit), lit)

    # 4. light: sky ambient (more from above) + sun (Lambert) + a little specular on objects
    zenith, horizon = table["zenith"][sky][:, None], table["horizon"][sky][:, None]  # (F, 1, 3)
    sun_color = table["sun_color"][sky][:, None]
    ambient = table["ambient"][sky][:, None, None] * (0.5 * (zenith + horizon))
    lambert = (normal * sun[:, None]).sum(-1).clamp_min(0) * lit  # (F, R)
    light = ambient * (0.6 + 0.4 * normal[..., 2:3]) + sun_color * lambert[..., None] * 0.85
    half = torch.nn.functional.normalize(sun[:, None] - d, dim=-1)
    specular = ((normal * half).sum(-1).clamp_min(0) ** 40 * lit * on_object.float())[..., None] * 0.25 * sun_color
    color = albedo * light + specular

    # 5. fog towards the horizon colour, and the sky where nothing was hit
    fog = 1 - torch.exp(-(t.clamp(max=1e4) - FOG_START).clamp_min(0) / FOG_DEPTH)
    color = torch.where(surface[..., None], color * (1 - fog[..., None]) + horizon * fog[..., None], color)
    up = d[..., 2].clamp_min(0)[..., None]
    glow = (d * sun[:, None]).sum(-1).clamp_min(0)[..., None]
    sky_color = horizon + (zenith - horizon) * up**0.6 + sun_color * (0.5 * glow**300 + 0.12 * glow**6)
    color = torch.where(surface[..., None], color, sky_color)

    ids = torch.where(on_object, index, torch.full_like(index, BACKGROUND))
    return color.clamp(0, 1).view(F, height * k, width * k, 3), ids.view(F, height * k, width * k)


def render(
    batch: FrameBatch,
    width: int,
    height: int,
    supersample: int = 2,
    with_ids: bool = False,
    max_pairs: int | None = None,
) -> tuple[torch.Tensor, torch.Tensor | None]:
    """Draw every frame of `batch`: (F, H, W, 3) uint8 and, with_ids, (F, H·k, W·k) int16 object ids.

    Frames are drawn in chunks so that (frames × objects × rays) stays under `max_pairs` (default:
    24M on a CPU, where that keeps the working set near the caches; 150M on a GPU, where fewer,
    larger launches matter more).
    """
    if max_pairs is None:
        max_pairs = 150_000_000 if batch.poses.device.type == "cuda" else 24_000_000
    if width < 1 or height < 1:
        raise ValueError(f"size {width}x{height} must be at least 1x1")
    k = supersample
    rays = width * height * k * k
    objects = max(1, batch.shape.shape[1])
    chunk = max(1, max_pairs // (rays * objects))
    images, id_maps = [], []
    for start in range(0, len(batch), chunk):
        color, ids = _render_chunk(batch.slice(start, start + chunk), width, height, k)
        if k > 1:  # (F, Hk, Wk, 3) → average each k × k block
            color = color.view(-1, height, k, width, k, 3).mean(dim=(2, 4))
        images.append((color * 255 + 0.5).to(torch.uint8))
        if with_ids:
            id_maps.append(ids.to(torch.int16))
    return torch.cat(images), (torch.cat(id_maps) if with_ids else None)
