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
    u, v, valid, _ = correspondence(a, b, W, H)
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


def test_a_tracking_shot_reads_as_a_slowing_glide_the_way_its_block_slides():
    # A sliding block starts near 2 m/s and friction stops it within three seconds: no constant
    # speed follows it, a glide that slows as it does.
    scene = Scene("grass", "morning", (WorldObject("cube", "orange", "small", (0.0, 0.0), "slide", "right"),), Camera("front", "track", 0))
    clip = make_clip(scene, 48, 48, 4, 8, supersample=1)
    _, ids = render(camera_batches(scene, clip.trajectory, clip.poses)[0], 48, 48, supersample=1, with_ids=True)
    reading = read_camera(clip.frames[0], ids.numpy() >= 0, scene, scene.camera, 8, glide=True)
    assert reading.best.startswith("glide-right-") and reading.best.endswith("-slowing"), reading.best


def test_ground_the_camera_nears_shows_more_of_itself_through_the_fog():
    times = np.array([0.0, 1.0])
    W = H = 64
    still = poses(Camera("front", "static"), times, np.zeros((2, 1, 3)))
    *_, clearer = correspondence(still[0], still[1], W, H)
    assert np.allclose(clearer, 1.0)  # a still camera: the same fog on every point
    a, b = poses(Camera("front", "dolly-in"), times, np.zeros((2, 1, 3)))
    *_, clearer = correspondence(a, b, W, H)
    near = project(np.array([0.0, 0.0, 0.0]), b, W, H)  # about 6 m from the camera: no fog
    far = project(np.array([0.0, 25.0, 0.0]), b, W, H)  # 0.9 m nearer than a second ago
    assert clearer[int(near[1]), int(near[0])] == pytest.approx(1.0)
    assert clearer[int(far[1]), int(far[0])] == pytest.approx(np.exp(0.9 / 40), rel=0.01)


def test_a_still_object_moves_in_the_picture_as_the_true_camera_path_says():
    # A landmark filmed by an orbit: its centre's projections under the orbit's poses are where it is
    # seen; the orbit's error is nil, a static camera's is not (it predicts no motion at all).
    from kinema.worldbench.egomotion import Landmark, candidate_poses, landmark_error

    times = np.arange(17) / 8
    candidates = candidate_poses(Camera("wide", "orbit-right"), SCENE, times, glide=False)
    centre = np.array([0.5, 0.3, 0.3])
    seen = {t: tuple(project(centre, candidates["orbit-right"][t], 128, 128)[:2]) for t in range(17)}
    mark = Landmark(centre, seen, size=10.0)
    pairs = [(a, a + 8) for a in range(0, 9, 4)]
    assert landmark_error([mark], candidates["orbit-right"], pairs, 128, 128) == pytest.approx(0.0, abs=1e-6)
    assert landmark_error([mark], candidates["static"], pairs, 128, 128) > 0.5  # about a pixel a second, a tolerance of one
    assert landmark_error([Landmark(centre, {}, 10.0)], candidates["static"], pairs, 128, 128) is None
