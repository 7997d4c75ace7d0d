"""Simulation: a scene description → where every object is at every frame, with pybullet.

pybullet (Bullet's Python binding) gives real rigid-body physics — gravity, restitution, friction,
collisions — so balls lose height with each bounce, a pushed cube slides and stops, falling things
accelerate, and nothing passes through anything. Each call runs its own DIRECT-mode client (no GUI,
no shared state), so simulations are deterministic and can run in parallel processes.

A motion is a set of initial conditions and contact properties, fixed per motion so that the same
description always gives the same clip:

    still    resting on the ground
    roll     a ball set rolling without slipping (v = ω × r) in a direction
    slide    a body given a push in a direction, on low friction, so it glides and slows
    bounce   a ball dropped from 1.6 m onto the ground with high restitution
    fall     a body dropped from 2.2 m, landing with little bounce
    push     a body driven towards another one fast enough to strike it and shove it along
    spin     a body turning about its vertical axis (a quarter turn a second) on a nearly frictionless spot
"""

from __future__ import annotations

import contextlib
import math
import os
import sys
from dataclasses import dataclass

import numpy as np

from kinema.world import shapes
from kinema.world.scene import DIRECTION_VECTORS, Scene, WorldObject

TIMESTEP = 1.0 / 240.0
"""Bullet's default step; small enough for stable stacking and bouncing at these sizes."""
GRAVITY = 9.81
DENSITY = 350.0  # kg/m³: light wood; only ratios between objects matter for collisions

ROLL_SPEED = 1.0  # m/s
SLIDE_SPEED = 1.9
SLIDE_FRICTION = 0.12
BOUNCE_HEIGHT, BOUNCE_RESTITUTION = 1.6, 0.85
FALL_HEIGHT, FALL_RESTITUTION = 2.2, 0.1
SPIN_RATE = math.pi / 2  # rad/s: a quarter turn a second, slow enough not to alias at 8 fps
GROUND_RESTITUTION = 0.95  # Bullet multiplies the two bodies' restitutions


@dataclass
class Trajectory:
    """Object poses at each frame time."""

    times: np.ndarray
    """(T,) seconds."""
    positions: np.ndarray
    """(T, N, 3) centres of mass, metres."""
    orientations: np.ndarray
    """(T, N, 4) unit quaternions (x, y, z, w), pybullet's order."""

    def rotations(self) -> np.ndarray:
        """(T, N, 3, 3) rotation matrices, local → world."""
        return quaternion_matrix(self.orientations)


def quaternion_matrix(q: np.ndarray) -> np.ndarray:
    """(..., 4) quaternions (x, y, z, w) → (..., 3, 3) rotation matrices."""
    x, y, z, w = np.moveaxis(q, -1, 0)
    return np.stack(
        [
            np.stack([1 - 2 * (y * y + z * z), 2 * (x * y - z * w), 2 * (x * z + y * w)], -1),
            np.stack([2 * (x * y + z * w), 1 - 2 * (x * x + z * z), 2 * (y * z - x * w)], -1),
            np.stack([2 * (x * z - y * w), 2 * (y * z + x * w), 1 - 2 * (x * x + y * y)], -1),
        ],
        -2,
    )


def frame_times(frames: int, fps: float) -> np.ndarray:
    return np.arange(frames, dtype=np.float64) / fps


def start_yaw(obj: WorldObject, index: int) -> float:
    """A fixed, varied turn about z for each object, from its position, so scenes are not all axis-aligned."""
    x, y = obj.position
    return math.radians((37.0 * index + 23.0 * x + 41.0 * y) % 90.0)


def start_pose(obj: WorldObject, index: int) -> tuple[tuple[float, float, float], tuple[float, float, float, float]]:
    """Centre of mass and orientation (quaternion x, y, z, w) at t = 0."""
    z = shapes.rest_height(obj)
    if obj.motion == "bounce":
        z += BOUNCE_HEIGHT
    elif obj.motion == "fall":
        z += FALL_HEIGHT
    yaw = start_yaw(obj, index)
    yaw_q = (0.0, 0.0, math.sin(yaw / 2), math.cos(yaw / 2))
    if obj.shape == "capsule":  # lie it down: local z (its axis) along the ground
        tilt = (0.0, math.sin(math.pi / 4), 0.0, math.cos(math.pi / 4))
        yaw_q = _quaternion_product(yaw_q, tilt)
    return (obj.position[0], obj.position[1], z), yaw_q


def _quaternion_product(a, b):
    ax, ay, az, aw = a
    bx, by, bz, bw = b
    return (
        aw * bx + ax * bw + ay * bz - az * by,
        aw * by - ax * bz + ay * bw + az * bx,
        aw * bz + ax * by - ay * bx + az * bw,
        aw * bw - ax * bx - ay * by - az * bz,
    )


def _push_velocity(scene: Scene, index: int) -> tuple[float, float, float]:
    obj = scene.objects[index]
    target = scene.objects[obj.target]
    dx, dy = target.position[0] - obj.position[0], target.position[1] - obj.position[1]
    distance = math.hypot(dx, dy) or 1.0
    gap = distance - obj.half_extent - target.half_extent
    # Enough speed to arrive with some left over after friction over the gap (v² = v₀² − 2μg·gap).
    friction = 0.02 if obj.shape == "sphere" else SLIDE_FRICTION
    speed = math.sqrt(2 * friction * GRAVITY * max(gap, 0.0) + 2.5**2)
    return dx / distance * speed, dy / distance * speed, 0.0


@contextlib.contextmanager
def _quiet():
    """pybullet's C code prints its build time on import (to stderr) and "argv[0]=" on connect (to
    stdout), straight to the file descriptors; that would litter a CLI's output and progress bar, so
    both point at /dev/null for those two calls."""
    sys.stdout.flush()
    sys.stderr.flush()
    saved = [os.dup(1), os.dup(2)]
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, 1)
        os.dup2(devnull, 2)
        yield
    finally:
        os.dup2(saved[0], 1)
        os.dup2(saved[1], 2)
        for fd in (*saved, devnull):
            os.close(fd)


def simulate(scene: Scene, frames: int, fps: float) -> Trajectory:
    """Run the scene for `frames` frames at `fps` and record every object's pose at each frame time."""
    with _quiet():
        import pybullet
        from pybullet_utils.bullet_client import BulletClient

        client = BulletClient(connection_mode=pybullet.DIRECT)
    try:
        client.setGravity(0, 0, -GRAVITY)
        client.setTimeStep(TIMESTEP)
        # A contact breaking threshold of 1 mm instead of Bullet's 2 cm: with the default, a falling
        # ball's contact is created early and the impact is resolved without its restitution, so it
        # barely bounces (measured: one bounce to a third of the drop; with 1 mm, bounces each about
        # 0.68 of the one before, as restitution 0.85 × 0.95 predicts). The threshold is a global of
        # Bullet's, so it is set on every run rather than trusted from an earlier one.
        client.setPhysicsEngineParameter(deterministicOverlappingPairs=1, contactBreakingThreshold=0.001)
        ground = client.createMultiBody(0, client.createCollisionShape(pybullet.GEOM_PLANE))
        client.changeDynamics(ground, -1, lateralFriction=0.6, restitution=GROUND_RESTITUTION)

        bodies = []
        for i, obj in enumerate(scene.objects):
            bodies.append(_add_body(client, pybullet, scene, obj, i))

        times = frame_times(frames, fps)
        positions = np.empty((frames, len(bodies), 3), dtype=np.float32)
        orientations = np.empty((frames, len(bodies), 4), dtype=np.float32)
        step = 0
        for k, time in enumerate(times):
            while step * TIMESTEP < time - 1e-9:
                client.stepSimulation()
                step += 1
            for n, body in enumerate(bodies):
                position, orientation = client.getBasePositionAndOrientation(body)
                positions[k, n] = position
                orientations[k, n] = orientation
        return Trajectory(times=times, positions=positions, orientations=orientations)
    finally:
        client.disconnect()


def _add_body(client, pybullet, scene: Scene, obj: WorldObject, index: int) -> int:
    a, b, _ = shapes.dims(obj)
    if obj.shape == "sphere":
        shape = client.createCollisionShape(pybullet.GEOM_SPHERE, radius=a)
    elif obj.shape == "cube":
        shape = client.createCollisionShape(pybullet.GEOM_BOX, halfExtents=[a, a, a])
    elif obj.shape == "cylinder":
        shape = client.createCollisionShape(pybullet.GEOM_CYLINDER, radius=a, height=2 * b)
    elif obj.shape == "cone":
        shape = client.createCollisionShape(pybullet.GEOM_MESH, vertices=shapes.cone_vertices(a, b))
    else:  # capsule: pybullet's height is the core segment's length
        shape = client.createCollisionShape(pybullet.GEOM_CAPSULE, radius=a, height=2 * b)
    position, orientation = start_pose(obj, index)
    body = client.createMultiBody(DENSITY * shapes.volume(obj), shape, basePosition=position, baseOrientation=orientation)

    friction, restitution, rolling, spinning = 0.35, 0.1, 0.001, 0.001
    if any(other.motion == "push" and other.target == index for other in scene.objects):
        friction = SLIDE_FRICTION  # what is pushed slides on, so the shove is plain to see
    linear, angular = (0.0, 0.0, 0.0), (0.0, 0.0, 0.0)
    if obj.motion == "roll" or (obj.motion == "push" and obj.shape == "sphere"):
        if obj.motion == "roll":
            dx, dy = DIRECTION_VECTORS[obj.direction]
            linear = (dx * ROLL_SPEED, dy * ROLL_SPEED, 0.0)
        else:
            linear = _push_velocity(scene, index)
        friction, rolling = 0.8, 0.0005
        # Rolling without slipping: the contact point is at rest, so ω = ẑ × v / r.
        angular = (-linear[1] / a, linear[0] / a, 0.0)
    elif obj.motion == "slide":
        dx, dy = DIRECTION_VECTORS[obj.direction]
        linear = (dx * SLIDE_SPEED, dy * SLIDE_SPEED, 0.0)
        friction = SLIDE_FRICTION
    elif obj.motion == "push":
        linear = _push_velocity(scene, index)
        friction = SLIDE_FRICTION
    elif obj.motion == "bounce":
        restitution = BOUNCE_RESTITUTION
    elif obj.motion == "fall":
        restitution = FALL_RESTITUTION
    elif obj.motion == "spin":
        angular = (0.0, 0.0, SPIN_RATE)
        friction, spinning = 0.02, 0.0
    client.changeDynamics(
        body,
        -1,
        lateralFriction=friction,
        restitution=restitution,
        rollingFriction=rolling,
        spinningFriction=spinning,
        linearDamping=0.0,
        angularDamping=0.02,
    )
    client.resetBaseVelocity(body, linearVelocity=linear, angularVelocity=angular)
    return body
