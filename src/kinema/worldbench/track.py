"""Tracking: the detector's per-frame objects joined into objects over time.

Detections are matched frame to frame by the Hungarian algorithm on the distance from where each
track is expected (its last position plus its last velocity), in units of the object's size, plus a
penalty for a different colour and one for a different size. Colour is a clue, not a key: a white
cube that reads grey in a few shaded frames stays one object, and its colour is decided at the end by
a vote over all its frames.

Two stages per frame. First the objects seen in the previous frame: when the frame shows as many
objects as the previous one, each takes one whatever the distance (an object that jumps is still that
object — the physics dimension judges the jump); otherwise a match must be near. Then objects not
seen for a while (hidden behind another, or out of the picture) may take what is left, if near where
they were (a few sizes for every frame of the gap). What is still left starts new tracks.

A track that ends before the video does, or starts after it began, is an *event* unless the frame
explains it: at the border (it left or entered the picture) or next to another object (it went
behind it, or came out from behind it). Unexplained events are objects vanishing or appearing.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from scipy.optimize import linear_sum_assignment

from kinema.world.scene import SHAPES
from kinema.worldbench.detector import COLOURS, Detection, FrameReading

NEAR_GATE = 3.0
"""How far, in sizes per frame of gap, a detection may be from a track's prediction when not forced."""
COLOUR_WEIGHT = 2.0
"""The cost of a different colour, in sizes."""
SIZE_WEIGHT = 0.5
"""The cost of a detection's size differing from the track's last, per e-fold (a detection three
times smaller costs 0.55): an object's size in the picture changes little in a frame, so a fragment
split off an object (a highlight, a shadowed part) does not take the object's place in the next frame
from a track that is near it."""
MIN_COLOUR_AGREEMENT = 0.25
"""Below this overlap of colour probabilities a detection is never the same object."""


@dataclass
class Track:
    frames: list[int] = field(default_factory=list)
    detections: list[Detection] = field(default_factory=list)

    @property
    def first(self) -> int:
        return self.frames[0]

    @property
    def last(self) -> int:
        return self.frames[-1]

    def __len__(self) -> int:
        return len(self.frames)

    def colour_probs(self) -> np.ndarray:
        """(12,) the mean of the detections' colour probabilities, bigger sightings counting more."""
        weights = np.array([np.sqrt(d.area) for d in self.detections])
        probs = np.stack([d.colour_probs for d in self.detections])
        return (weights[:, None] * probs).sum(0) / weights.sum()

    @property
    def colour(self) -> str:
        return COLOURS[int(self.colour_probs().argmax())]

    def centres(self) -> np.ndarray:
        """(K, 2) (u, v) at each frame the object was seen."""
        return np.array([(d.u, d.v) for d in self.detections])

    def at(self, frame: int) -> Detection | None:
        try:
            return self.detections[self.frames.index(frame)]
        except ValueError:
            return None

    def size(self) -> float:
        """Median box side over the track, pixels."""
        return float(np.median([d.size for d in self.detections]))

    def shape_votes(self) -> np.ndarray | None:
        """(5,) ShapeNet's reading voted over frames (clear views count more), as shares over SHAPES;
        None when no frame was big enough to read, or the object is never seen clear of the others and
        the border (the cap of a ball behind a cylinder shows no shape)."""
        if not any(d.clear for d in self.detections if d.shape_probs is not None):
            return None
        total = np.zeros(len(SHAPES))
        for d in self.detections:
            if d.shape_probs is None:
                continue
            weight = np.sqrt(d.area) * (1.0 if d.clear else 0.2)
            total += weight * d.shape_probs
        return total / total.sum() if total.sum() > 0 else None

    def shape(self) -> tuple[str | None, float]:
        """The shape most of the vote reads, and its share of the vote."""
        votes = self.shape_votes()
        if votes is None:
            return None, 0.0
        best = int(votes.argmax())
        return SHAPES[best], float(votes[best])

    def predict(self, frame: int) -> np.ndarray:
        """Where the object should be at `frame` if it kept its last velocity (for at most 3 frames)."""
        here = np.array([self.detections[-1].u, self.detections[-1].v])
        if len(self.frames) < 2:
            return here
        previous = np.array([self.detections[-2].u, self.detections[-2].v])
        velocity = (here - previous) / (self.frames[-1] - self.frames[-2])
        gap = frame - self.frames[-1]
        return here + velocity * min(gap, 3)


def _near_something(d: Detection, others: list[Detection], margin: float) -> bool:
    u0, v0, u1, v1 = d.box
    for o in others:
        a0, b0, a1, b1 = o.box
        if a0 <= u1 + margin and u0 - margin <= a1 and b0 <= v1 + margin and v0 - margin <= b1:
            return True
    return False


def _match(tracks: list[Track], detections: list[Detection], frame: int, forced: bool) -> list[tuple[int, int]]:
    """(track index, detection index) pairs: Hungarian on distance + colour, then the gates."""
    if not tracks or not detections:
        return []
    distance = np.zeros((len(tracks), len(detections)))
    agreement = np.zeros_like(distance)
    resize = np.zeros_like(distance)
    for i, tr in enumerate(tracks):
        p = tr.predict(frame)
        scale = max(tr.detections[-1].size, 2.0)
        gap = frame - tr.last
        colour = tr.colour_probs()
        for j, d in enumerate(detections):
            distance[i, j] = np.hypot(d.u - p[0], d.v - p[1]) / (max(scale, d.size) * gap)
            agreement[i, j] = float(colour @ d.colour_probs)
            resize[i, j] = abs(np.log(max(d.size, 1.0) / max(tr.detections[-1].size, 1.0)))
    rows, cols = linear_sum_assignment(distance + COLOUR_WEIGHT * (1 - agreement) + SIZE_WEIGHT * resize)
    return [
        (i, j)
        for i, j in zip(rows, cols)
        if agreement[i, j] >= MIN_COLOUR_AGREEMENT and (forced or distance[i, j] <= NEAR_GATE)
    ]


def track(readings: list[FrameReading], start: int = 0, end: int | None = None) -> list[Track]:
    """Tracks over frames [start, end) of `readings` (a shot), frame numbers absolute."""
    end = len(readings) if end is None else end
    tracks: list[Track] = []
    for t in range(start, end):
        detections = readings[t].detections
        free = set(range(len(detections)))
        recent = [tr for tr in tracks if tr.last == t - 1]
        waiting = [tr for tr in tracks if tr.last < t - 1]
        for group, forced in ((recent, len(recent) == len(detections)), (waiting, False)):
            left = sorted(free)
            for i, j in _match(group, [detections[k] for k in left], t, forced):
                group[i].frames.append(t)
                group[i].detections.append(detections[left[j]])
                free.discard(left[j])
        for j in sorted(free):
            tracks.append(Track([t], [detections[j]]))
    return tracks


@dataclass
class Event:
    kind: str  # "vanished" or "appeared"
    colour: str
    frame: int
    u: float
    v: float

    def describe(self) -> str:
        return f"a {self.colour} object {self.kind} at frame {self.frame} ({self.u:.0f}, {self.v:.0f})"


def events(tracks: list[Track], readings: list[FrameReading], start: int = 0, end: int | None = None, min_frames: int = 2) -> list[Event]:
    """Objects that vanish or appear in the open (not at the border, not beside another object)."""
    end = len(readings) if end is None else end
    out = []
    for tr in tracks:
        if len(tr) < min_frames:
            continue  # a flicker is not an object (the count's per-frame figures see flickers)
        last = tr.detections[-1]
        margin = 0.25 * last.size + 1.0
        if tr.last < end - 1 and not last.border:
            neighbours = [d for d in readings[tr.last].detections if d is not last] + readings[tr.last + 1].detections
            if not _near_something(last, neighbours, margin):
                out.append(Event("vanished", tr.colour, tr.last + 1, last.u, last.v))
        first = tr.detections[0]
        if tr.first > start and not first.border:
            neighbours = [d for d in readings[tr.first].detections if d is not first] + readings[tr.first - 1].detections
            if not _near_something(first, neighbours, 0.25 * first.size + 1.0):
                out.append(Event("appeared", tr.colour, tr.first, first.u, first.v))
    return out


__all__ = ["Event", "Track", "events", "track"]
