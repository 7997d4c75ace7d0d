import numpy as np
import torch

from kinema.world.camera import SETUPS, poses, project
from kinema.world.render import FrameBatch, camera_rays, render
from kinema.world.scene import Camera


def test_projection_matches_the_rays_the_renderer_casts():
    pose = poses(Camera("front"), np.zeros(1), np.zeros((1, 1, 3)))[0]
    width, height = 96, 64
    origin, dirs = camera_rays(torch.tensor(pose[None], dtype=torch.float32), width, height)
    # Any point along the ray through pixel (row 10, column 70) projects back onto that pixel's centre.
    ray = dirs[0].view(height, width, 3)[10, 70].double().numpy()
    point = pose[:3] + 6.0 * ray
    u, v, depth = project(point, pose, width, height)
    assert np.allclose([u, v], [70.5, 10.5], atol=1e-3) and depth > 0


def test_a_ball_at_a_known_position_lands_at_the_right_pixel():
    pose = poses(Camera("front"), np.zeros(1), np.zeros((1, 1, 3)))[0]
    target = pose[3:6]
    batch = FrameBatch(
        poses=torch.tensor(pose[None], dtype=torch.float32),
        shape=torch.tensor([[0]]),
        dims=torch.tensor([[[0.3, 0.0, 0.0]]]),
        color=torch.tensor([[[1.0, 0.0, 0.0]]]),
        position=torch.tensor(target[None, None], dtype=torch.float32),
        rotation=torch.eye(3)[None, None],
        ground=torch.tensor([0]),
        sky=torch.tensor([1]),
    )
    _, ids = render(batch, 64, 64, supersample=1, with_ids=True)
    rows, cols = np.nonzero(ids[0].numpy() == 0)
    # The camera looks at the ball's centre: the ball covers the middle of the picture, symmetrically.
    assert abs(cols.mean() + 0.5 - 32) < 0.6 and abs(rows.mean() + 0.5 - 32) < 0.6
    u, v, _ = project(target, pose, 64, 64)
    assert np.allclose([u, v], [32, 32], atol=1e-6)


def test_pan_left_moves_the_scene_right_in_the_frame():
    times = np.array([0.0, 2.0])
    still = np.zeros((2, 1, 3))
    a, b = poses(Camera("front", "pan-left"), times, still)
    point = np.array([0.0, 0.4, 0.3])
    assert project(point, b, 100, 100)[0] > project(point, a, 100, 100)[0] + 5


def test_every_setup_sees_the_scene_centre():
    for view in SETUPS:
        pose = poses(Camera(view), np.zeros(1), np.zeros((1, 1, 3)))[0]
        u, v, depth = project(np.array([0.0, 0.4, 0.35]), pose, 100, 100)
        assert depth > 0 and 0 < u < 100 and 0 < v < 100, view
