import numpy as np

from kinema.world.scene import Scene, WorldObject
from kinema.world.simulate import simulate


def test_physics_is_real_and_deterministic():
    scene = Scene(
        "grass",
        "noon",
        (
            WorldObject("sphere", "red", position=(-1.5, 0.0), motion="bounce"),
            WorldObject("sphere", "blue", position=(1.5, 0.0), motion="roll", direction="left"),
            WorldObject("cube", "yellow", position=(0.0, 1.5), motion="fall"),
        ),
    )
    a, b = simulate(scene, 65, 16), simulate(scene, 65, 16)
    assert np.array_equal(a.positions, b.positions)
    z = a.positions[:, 0, 2]
    peaks = [z[i] for i in range(1, len(z) - 1) if z[i] > z[i - 1] and z[i] >= z[i + 1]]
    assert len(peaks) >= 2 and peaks[0] > peaks[1]  # it bounces, and each bounce loses height
    assert a.positions[-1, 1, 0] < a.positions[0, 1, 0] - 1.0  # the roll goes left
    fall = a.positions[:12, 2, 2]
    drops = -np.diff(fall)
    assert drops[5] > drops[1] > 0  # a falling body accelerates
    assert abs(a.positions[-1, 2, 2] - 0.45 * 0.82) < 0.02  # and comes to rest on its face
