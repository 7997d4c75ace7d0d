import numpy as np
import pytest

from kinema.world.camera import poses, project
from kinema.world.clip import camera_batches, make_clip
from kinema.world.render import render
from kinema.world.scene import Camera, Scene, WorldObject
from kinema.worldbench.egomotion import correspondence, read_camera

SCENE = Scene(
    "grass",
    "noon",
    (WorldObject("cube", "red", "medium", (-1.0, 0.5)), WorldObject("sphere", "blue", "small", (1.2, 1.5))),
)


def test_correspondence_maps_a_ground_point_between_two_poses():
    times = np.array([0.0, 1.0])
    a, b = poses(Camera("front", "orbit-left"), times, np.zeros((2, 1, 3)))
    W = H = 64
    u, v, valid = correspondence(a, b, W, H)
    # A ground point seen in frame b at some pixel is found in frame a where the projection says.
    point = np.array([0.7, 1.1, 0.0])
    ub, vb, _ = project(point, b, W, H)
    ua, va, _ = project(point, a, W, H)
    i, j = int(vb), int(ub)
    assert valid[i, j]
    # the pixel centre is within half a pixel of the point, so its match is within about a pixel
    assert abs(u[i, j] - ua) < 1.5 and abs(v[i, j] - va) < 1.5


@pytest.mark.parametrize("path", ["static", "pan-left", "pan-right", "orbit-right", "dolly-in", "crane-up"])
def test_the_path_that_explains_the_background_is_the_one_filmed(path):
    scene = SCENE.replace(camera=Camera("front", path))
    clip = make_clip(scene, 48, 48, 4, 8, supersample=1)
    objects = np.zeros(clip.frames.shape[1:4], bool)  # the objects are still: no need to mask them
    reading = read_camera(clip.frames[0], objects, scene, scene.camera, 8)
    assert reading.best == path, reading.residuals


def test_a_tracking_shot_reads_as_a_glide_the_way_its_object_rolls():
    scene = Scene("sand", "morning", (WorldObject("sphere", "purple", "medium", (-1.0, 0.2), "roll", "right"),), Camera("front", "track", 0))
    clip = make_clip(scene, 48, 48, 4, 8, supersample=1)
    # The followed ball stays put in the picture: its pixels are left out, as the scorer leaves out
    # the detector's object pixels.
    _, ids = render(camera_batches(scene, clip.trajectory, clip.poses)[0], 48, 48, supersample=1, with_ids=True)
    reading = read_camera(clip.frames[0], ids.numpy() >= 0, scene, scene.camera, 8, glide=True)
    assert reading.glide_direction == "right", reading.best
