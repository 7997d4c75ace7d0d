"""The prompt policy: every text a request carries gets a score and a verdict per category.

Categories (PRODUCT.md §6; the seed's list plus minors and self-harm):

    violence   extreme violence or gore
    sexual     sexual content or nudity
    hate       hateful content against people for who they are
    likeness   a real person's or celebrity's likeness
    ip         others' intellectual property: copyrighted characters, brands, living artists' styles
    minors     minors in sexual, violent or dangerous contexts
    self_harm  suicide, self-injury, eating disorders promoted

How a text is scored, offline:

1. **Names.** The curated lists (`names.py`) are matched robustly (case, spacing, punctuation,
   leetspeak, accents); a listed public figure scores 1.0 for `likeness`, a listed character, brand
   or living artist 1.0 for `ip`.
2. **Meaning.** all-MiniLM-L6-v2 (the text encoder Kinema already ships), adapted by small trained
   LoRA adapters, gives pooled sentence features — the mean of its token states over the mask,
   L2-normalised, as sentence-transformers pools this model, and beside it the max over tokens — and
   a small trained MLP turns them into a probability per category. Adapters and MLP make one
   member; the "head" (`data/policy_head.*`, under 3 MB) is four members trained alike with
   different seeds, their probabilities averaged (an ensemble: each member alone is noisier near
   the line). `scripts/train_policy_head.py` trains it on the training split of `data/prompts.jsonl`.
   A long text is scored sentence by sentence (windows of a few sentences), so nothing hides at the
   end of a paragraph past the encoder's token limit; a text with digits or symbols inside words is
   also scored with the leetspeak undone.
3. **Terms.** A short curated list of unambiguous terms (`data/terms.txt`: "decapitated", "porn",
   "suicide", "ku klux klan" ...) sets its category's score to 1.0, folded like the names. And
   `minors` is read as the policy defines it — a minor in an unsafe context: when the text names a
   minor (`data/minor_terms.txt`: child, toddler, teenager ...; and any age under 18, "12yo") and is
   flagged as sexual, violent or self-harm, it is flagged `minors` too, and a text that names no minor
   is never `minors` (`decide`). A term that is negated ("no gore") or names the fight against the
   thing ("suicide prevention") does not count. And `self_harm` is something people do: when a text's only subjects are animals, creatures or things
   (`data/nonhuman_terms.txt`) and it names no person (`data/person_terms.txt`, `minor_terms.txt`),
   the head's self-harm score does not count ("a wolf howling at the moon, feeling lonely"); a
   curated self-harm term still does.
4. **Verdict.** A category is flagged when its score reaches its threshold. The thresholds are
   configuration (`PolicyConfig`); their defaults were chosen on a validation part of the training
   split, and are stored with the head.

`check_texts` applies the policy to a request's fields and raises `PolicyViolation` — what the CLI
prints as one line, and what the service turns into an OpenAI-style `moderation_blocked` error.
"""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import numpy as np

from kinema.safety.names import NameHit, default_matcher, default_terms, minor_terms, nonhuman_only

CATEGORIES = ("violence", "sexual", "hate", "likeness", "ip", "minors", "self_harm")
DESCRIPTIONS = {
    "violence": "extreme violence or gore",
    "sexual": "sexual content",
    "hate": "hateful content",
    "likeness": "a real person's likeness",
    "ip": "others' intellectual property",
    "minors": "minors in an unsafe context",
    "self_harm": "self-harm",
}
HEAD_DIR = Path(__file__).resolve().parent / "data"
HEAD_WEIGHTS = HEAD_DIR / "policy_head.safetensors"
HEAD_CONFIG = HEAD_DIR / "policy_head.json"


def default_thresholds() -> dict[str, float]:
    """The thresholds stored with the trained head (chosen on validation data, not the held-out split)."""
    return dict(json.loads(HEAD_CONFIG.read_text())["thresholds"])


@dataclass(frozen=True)
class PolicyConfig:
    thresholds: Mapping[str, float] = field(default_factory=default_thresholds)
    """Score at or above which a category blocks, per category (0..1; above 1 turns it off)."""
    names: bool = True
    """Match the curated name lists (off: the head alone decides likeness and ip)."""
    terms: bool = True
    """Match the curated term list and apply the minors rule (off: the head alone decides)."""

    def __post_init__(self):
        unknown = set(self.thresholds) - set(CATEGORIES)
        if unknown:
            raise ValueError(f"unknown policy categories {sorted(unknown)}; known: {', '.join(CATEGORIES)}")
        for name, value in self.thresholds.items():
            if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0.0 <= value <= 1.01:
                raise ValueError(f"threshold for {name} is {value!r}; it must be a number in 0..1 (or 1.01 to turn it off)")
        missing = set(CATEGORIES) - set(self.thresholds)
        if missing:
            merged = default_thresholds() | dict(self.thresholds)
            object.__setattr__(self, "thresholds", merged)


@dataclass(frozen=True)
class PolicyResult:
    """The policy's reading of one text."""

    text: str
    scores: dict[str, float]
    """Per category, 0..1."""
    flagged: tuple[str, ...]
    """Categories at or above their threshold, highest score first."""
    names: tuple[NameHit, ...] = ()
    terms: tuple[tuple[str, str], ...] = ()
    """(category, words) of each curated term found."""

    @property
    def allowed(self) -> bool:
        return not self.flagged

    @property
    def category(self) -> str | None:
        return self.flagged[0] if self.flagged else None

    def to_dict(self) -> dict:
        return {
            "allowed": self.allowed,
            "flagged": list(self.flagged),
            "scores": {k: round(v, 4) for k, v in self.scores.items()},
            "names": [{"name": h.name, "category": h.category, "kind": h.kind} for h in self.names],
            "terms": [{"category": c, "term": t} for c, t in self.terms],
        }


class PolicyViolation(ValueError):
    """A request the policy refuses. `field` names the text that was refused ("prompt", "storyboard[2].prompt")."""

    code = "moderation_blocked"

    def __init__(self, field: str, result: PolicyResult):
        self.field = field
        self.result = result
        self.category = result.category
        what = DESCRIPTIONS[self.category]
        names = [h.name for h in result.names if h.category == self.category]
        detail = f" ({', '.join(names)})" if names else ""
        super().__init__(f"{field} was blocked by the content policy: {self.category} — {what}{detail}")

    def to_openai_error(self, *, include_scores: bool = False) -> dict:
        """OpenAI's error shape; `include_scores` for red-teamers, who may see why."""
        error = {
            "message": str(self),
            "type": "invalid_request_error",
            "param": self.field,
            "code": self.code,
            "category": self.category,
        }
        if include_scores:
            error["scores"] = {k: round(v, 4) for k, v in self.result.scores.items()}
        return {"error": error}


# --- embeddings and the head ------------------------------------------------------------------


EMBED_DIM = 768


def pool(hidden, mask):
    """(B, L, 384) token states, (B, L) mask → (B, 768) = [mean-pooled, max-pooled], each unit length.

    The mean over tokens, L2-normalised, is the sentence embedding the model was trained to give
    (sentence-transformers pools it so); it carries the meaning of the whole. The max over tokens
    keeps what one strong word says ("decapitated", "nude"), which a mean over a long, otherwise
    harmless prompt dilutes.
    """
    import torch

    m = mask.unsqueeze(-1).to(hidden.dtype)  # (B, L, 1)
    mean = (hidden * m).sum(1) / m.sum(1).clamp(min=1e-9)
    peak = hidden.masked_fill(m == 0, -1e4).amax(1)
    return torch.cat([torch.nn.functional.normalize(mean, dim=-1), torch.nn.functional.normalize(peak, dim=-1)], -1)


class Encoder:
    """all-MiniLM-L6-v2 with the head's LoRA adapters merged in: texts → (N, 768) features.

    `lora` maps "lora.{layer}.{query|value}.{A|B}" to arrays (B already scaled); the merged weight
    is W + B A (Hu et al. 2021), so inference costs what plain MiniLM costs. This is a private copy:
    the video model's text encoder is untouched.
    """

    def __init__(self, lora: Mapping[str, np.ndarray] | None = None):
        import torch
        from transformers import AutoModel, AutoTokenizer
        from transformers.utils import logging as hf_logging

        from kinema.models.text import minilm_path

        hf_logging.disable_progress_bar()
        path = minilm_path()
        self.torch = torch
        self.tokenizer = AutoTokenizer.from_pretrained(path, local_files_only=True)
        self.model = AutoModel.from_pretrained(path, local_files_only=True).eval()
        with torch.no_grad():
            for key in sorted(k for k in (lora or {}) if k.endswith(".A")):
                _, layer, name, _ = key.split(".")
                linear = getattr(self.model.encoder.layer[int(layer)].attention.self, name)
                a, b = torch.from_numpy(lora[key]), torch.from_numpy(lora[key[:-1] + "B"])
                linear.weight += b @ a  # (out, r) @ (r, in)
        self.lock = threading.Lock()  # one forward pass at a time: the service may call from threads

    def __call__(self, texts: list[str], batch_size: int = 64) -> np.ndarray:
        torch = self.torch
        out = []
        with self.lock, torch.inference_mode():
            for i in range(0, len(texts), batch_size):
                batch = self.tokenizer(texts[i : i + batch_size], padding=True, truncation=True, max_length=256, return_tensors="pt")
                out.append(pool(self.model(**batch).last_hidden_state, batch["attention_mask"]).numpy())
        return np.concatenate(out) if out else np.zeros((0, EMBED_DIM), np.float32)


@lru_cache(maxsize=1)
def _head_tensors() -> dict[str, np.ndarray]:
    from safetensors.numpy import load_file

    return load_file(str(HEAD_WEIGHTS))


class Head:
    """The trained MLP on the encoder's features: (768) → hidden → one sigmoid per category, in numpy."""

    def __init__(self, weights: Mapping[str, np.ndarray], categories: tuple[str, ...] = CATEGORIES):
        self.w1, self.b1 = weights["w1"], weights["b1"]  # (768, H), (H,)
        self.w2, self.b2 = weights["w2"], weights["b2"]  # (H, C), (C,)
        self.categories = categories

    def __call__(self, x: np.ndarray) -> np.ndarray:
        """(N, 768) → (N, C) probabilities."""
        h = np.maximum(x @ self.w1 + self.b1, 0.0)
        return 1.0 / (1.0 + np.exp(-(h @ self.w2 + self.b2)))


class Member:
    """One trained member of the head: MiniLM with its adapters (`Encoder`) and its MLP (`Head`)."""

    def __init__(self, weights: Mapping[str, np.ndarray], categories: tuple[str, ...] = CATEGORIES):
        self.encoder = Encoder({k: v for k, v in weights.items() if k.startswith("lora.")})
        self.head = Head(weights, categories)

    def __call__(self, texts: list[str]) -> np.ndarray:
        return self.head(self.encoder(list(texts)))


def split_members(tensors: Mapping[str, np.ndarray]) -> list[dict[str, np.ndarray]]:
    """The shipped tensors per member: keys "member{i}.lora...", "member{i}.w1" ...; a file without the
    prefix holds one member."""
    if not any(k.startswith("member") for k in tensors):
        return [dict(tensors)]
    count = 1 + max(int(k.split(".", 1)[0].removeprefix("member")) for k in tensors)
    return [{k.split(".", 1)[1]: v for k, v in tensors.items() if k.startswith(f"member{i}.")} for i in range(count)]


def join_members(members: list[Mapping[str, np.ndarray]]) -> dict[str, np.ndarray]:
    """The inverse of `split_members`: one file's tensors for several members."""
    return {f"member{i}.{k}": v for i, weights in enumerate(members) for k, v in weights.items()}


@lru_cache(maxsize=1)
def default_members() -> tuple[Member, ...]:
    """The shipped members: their probabilities are averaged (an ensemble of heads trained alike with
    different seeds; see `scripts/train_policy_head.py`)."""
    categories = tuple(json.loads(HEAD_CONFIG.read_text())["categories"])
    return tuple(Member(weights, categories) for weights in split_members(_head_tensors()))


# --- text preparation ---------------------------------------------------------------------------

_LEET_IN_WORD = re.compile(r"(?<=[a-zA-Z])[013457@$!]|[013457@$!](?=[a-zA-Z])")
_LEET_MAP = {"0": "o", "1": "i", "3": "e", "4": "a", "5": "s", "7": "t", "@": "a", "$": "s", "!": "i"}
_SENTENCE = re.compile(r"(?<=[.!?;])\s+|\n+")
WINDOW_WORDS = 60


def unleet(text: str) -> str:
    """Digits and symbols standing for letters inside words, replaced: "n4k3d" → "naked"."""
    previous = None
    while previous != text:  # "n4k3d": each replacement can make the next digit word-adjacent
        previous = text
        text = _LEET_IN_WORD.sub(lambda m: _LEET_MAP[m.group(0)], text)
    return text


def pieces(text: str) -> list[str]:
    """What gets embedded for one text: the whole text if short, else windows of whole sentences
    of at most ~WINDOW_WORDS words; plus the same with leetspeak undone, when that differs."""
    sentences = [s.strip() for s in _SENTENCE.split(text) if s.strip()] or [text]
    windows, current = [], []
    for sentence in sentences:
        words = sentence.split()
        while len(words) > WINDOW_WORDS:  # one very long sentence: cut it, overlapping by a few words
            windows.append(" ".join(words[:WINDOW_WORDS]))
            words = words[WINDOW_WORDS - 10 :]
        if current and len(current) + len(words) > WINDOW_WORDS:
            windows.append(" ".join(current))
            current = []
        current += words
    if current:
        windows.append(" ".join(current))
    if len(windows) > 1:
        windows.append(text)  # the whole, too: some meanings need all of it
    plain = [unleet(w) for w in windows]
    return windows + [p for p, w in zip(plain, windows) if p != w]


@dataclass(frozen=True)
class Evidence:
    """What the policy reads in one text before any threshold is applied."""

    scores: dict[str, float]
    """Per category: the head's score, raised to 1.0 by a listed name or a curated term."""
    names: tuple[NameHit, ...] = ()
    terms: tuple[tuple[str, str], ...] = ()
    minor: bool = False
    """Whether the text names a minor (`data/minor_terms.txt`)."""
    nonhuman: bool = False
    """Whether the text's only subjects are animals, creatures or things (`names.nonhuman_only`): the
    head's self-harm score was set aside."""


MINOR_CONTEXTS = ("sexual", "violence", "self_harm")


def decide(evidence: Evidence, thresholds: Mapping[str, float]) -> tuple[dict[str, float], tuple[str, ...]]:
    """The verdict on one text's evidence: (final scores, flagged categories, highest first).

    `minors` is read as the policy defines it — a minor in an unsafe context: when the text names a
    minor and is flagged sexual, violent or self-harm, it is flagged `minors` too (its score raised to
    at least that score and the `minors` threshold), whatever the head's own `minors` score says; and
    when the text names no minor (`data/minor_terms.txt`, ages under 18), it is not `minors` at all
    (the head's `minors` score set to 0: what is unsafe in it is read by the other categories).
    The training script fits the thresholds through this same function, so what it measures on
    validation is what the policy does.
    """
    scores = dict(evidence.scores)
    if not evidence.minor:  # no minor named: the head's `minors` reading has nobody to be about
        scores["minors"] = 0.0
    else:
        unsafe = [scores[c] for c in MINOR_CONTEXTS if scores[c] >= thresholds[c]]
        if unsafe:
            scores["minors"] = min(1.0, max([scores["minors"], thresholds["minors"], *unsafe]))
    flagged = sorted((c for c in CATEGORIES if scores[c] >= thresholds[c]), key=lambda c: -scores[c])
    return scores, tuple(flagged)


class Policy:
    def __init__(self, config: PolicyConfig | None = None, members: tuple[Member, ...] | list[Member] | None = None):
        self.config = config or PolicyConfig()
        self.members = tuple(members or default_members())
        for member in self.members:
            if member.head.categories != CATEGORIES:
                raise ValueError(f"the policy head's categories {member.head.categories} are not {CATEGORIES}")

    def probabilities(self, texts: list[str]) -> np.ndarray:
        """(N, C): the members' probabilities, averaged."""
        return np.mean([member(texts) for member in self.members], axis=0)

    def evidence(self, texts: list[str]) -> list[Evidence]:
        """The head's scores (the highest over a text's pieces), the names and the terms, per text."""
        texts = list(texts)
        all_pieces, owner = [], []
        for i, text in enumerate(texts):
            if text.strip():
                for piece in pieces(text):
                    all_pieces.append(piece)
                    owner.append(i)
        probs = self.probabilities(all_pieces) if all_pieces else np.zeros((0, len(CATEGORIES)))
        best = np.zeros((len(texts), len(CATEGORIES)))
        for i, p in zip(owner, probs):
            best[i] = np.maximum(best[i], p)
        matcher = default_matcher() if self.config.names else None
        out = []
        for i, text in enumerate(texts):
            scores = {c: float(best[i, k]) for k, c in enumerate(CATEGORIES)}
            use_terms = self.config.terms and bool(text.strip())
            nonhuman = use_terms and nonhuman_only(text)
            if nonhuman:  # self-harm needs a person: the head's reading of an animal's sadness does not count
                scores["self_harm"] = 0.0
            hits = tuple(matcher.find(text)) if matcher and text.strip() else ()
            for hit in hits:
                scores[hit.category] = 1.0
            terms = tuple(default_terms().find(text)) if use_terms else ()
            for category, _ in terms:
                scores[category] = 1.0
            out.append(Evidence(scores, hits, terms, use_terms and bool(minor_terms().find(text)), nonhuman))
        return out

    def score(self, texts: list[str]) -> list[PolicyResult]:
        """Score every text (empty texts score 0 and pass)."""
        texts = list(texts)
        results = []
        for text, evidence in zip(texts, self.evidence(texts)):
            scores, flagged = decide(evidence, self.config.thresholds)
            results.append(PolicyResult(text, scores, flagged, evidence.names, evidence.terms))
        return results

    def check(self, fields: Mapping[str, str]) -> dict[str, PolicyResult]:
        """Score a request's texts by field name; raise PolicyViolation on the first refused field.

        `fields` maps a name the user knows ("prompt", "negative_prompt", "storyboard[0].prompt",
        "characters[1].name") to its text.
        """
        names = [k for k, v in fields.items() if isinstance(v, str)]
        results = dict(zip(names, self.score([fields[k] for k in names])))
        for name in names:
            if not results[name].allowed:
                raise PolicyViolation(name, results[name])
        return results


@lru_cache(maxsize=1)
def default_policy() -> Policy:
    return Policy()


def request_texts(request) -> dict[str, str]:
    """The texts of a `VideoRequest` (or anything with the same fields) by the name a user knows them."""
    fields = {"prompt": getattr(request, "prompt", "") or "", "negative_prompt": getattr(request, "negative_prompt", "") or ""}
    for i, card in enumerate(getattr(request, "storyboard", ()) or ()):
        fields[f"storyboard[{i}].prompt"] = card.prompt if hasattr(card, "prompt") else str(card.get("prompt", ""))
    for i, name in enumerate(getattr(request, "characters", ()) or ()):
        fields[f"characters[{i}].name"] = name if isinstance(name, str) else str(getattr(name, "name", ""))
    return fields


def check_texts(fields: Mapping[str, str], policy: Policy | None = None) -> dict[str, PolicyResult]:
    """The one call before any work starts: raises PolicyViolation, or returns every field's result."""
    return (policy or default_policy()).check(fields)


__all__ = [
    "CATEGORIES",
    "DESCRIPTIONS",
    "Evidence",
    "Head",
    "Member",
    "Policy",
    "PolicyConfig",
    "PolicyResult",
    "PolicyViolation",
    "check_texts",
    "decide",
    "default_policy",
    "pieces",
    "request_texts",
    "unleet",
]
