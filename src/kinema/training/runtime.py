"""What both trainers share: device and precision, torchrun processes, EMA, resumable state, logs.

Resumable state (`OUT/state/`) holds everything a run needs to continue exactly where it stopped:
the weights, the EMA weights, the optimizer and schedule, the step, the data position, the state of
every random generator the loop draws from, the config and the git commit. Training continued from
it is bit-for-bit the training that was interrupted (on the same hardware; `tests/training` checks it).

Multi-process training runs under torchrun: `RANK`, `WORLD_SIZE` and `LOCAL_RANK` come from the
environment, NCCL on GPUs and gloo on CPUs. Every process draws the same global batch and keeps its
own slice, so N processes follow the same trajectory as one process with the whole batch (up to the
order of floating-point sums in the gradient all-reduce).
"""

from __future__ import annotations

import csv
import json
import os
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

import torch
from safetensors.torch import load_file, save_file

# --- device, precision, processes -------------------------------------------------------------------


def pick_device(name: str, local_rank: int = 0) -> torch.device:
    if name == "auto":
        name = "cuda" if torch.cuda.is_available() else "cpu"
    device = torch.device(name)
    if device.type == "cuda":
        if device.index is None:
            device = torch.device("cuda", local_rank)
        # TF32 for what runs outside bf16 autocast (the fp32 residual stream's small matmuls, norms' inputs)
        torch.backends.cuda.matmul.allow_tf32 = True
        torch.backends.cudnn.allow_tf32 = True
    return device


def use_bf16(precision: str, device: torch.device) -> bool:
    if precision not in ("auto", "bf16", "fp32"):
        raise ValueError(f"precision {precision!r} is not one of auto, bf16, fp32")
    if precision != "auto":
        return precision == "bf16"
    from kinema.engines.native import bf16_supported

    return bf16_supported(device)


@dataclass(frozen=True)
class Processes:
    rank: int = 0
    world: int = 1
    local_rank: int = 0

    @property
    def main(self) -> bool:
        return self.rank == 0

    @classmethod
    def start(cls, device_name: str) -> Processes:
        """Join the torchrun process group when launched by torchrun; a single process otherwise."""
        world = int(os.environ.get("WORLD_SIZE", "1"))
        if world == 1:
            return cls()
        rank, local = int(os.environ["RANK"]), int(os.environ.get("LOCAL_RANK", "0"))
        gpu = device_name != "cpu" and torch.cuda.is_available()
        if gpu:
            torch.cuda.set_device(local)
        torch.distributed.init_process_group("nccl" if gpu else "gloo")
        return cls(rank, world, local)

    def slice(self, batch_size: int) -> slice:
        """This process's part of a global batch."""
        if batch_size % self.world:
            raise ValueError(f"batch_size {batch_size} is not divisible by the {self.world} processes")
        part = batch_size // self.world
        return slice(self.rank * part, (self.rank + 1) * part)

    def barrier(self) -> None:
        if self.world > 1:
            torch.distributed.barrier()

    def stop(self) -> None:
        if self.world > 1:
            torch.distributed.destroy_process_group()


@dataclass
class Run:
    """What a training run starts with: its processes, device, precision, output folder and logger."""

    processes: Processes
    device: torch.device
    autocast: bool
    out: Path
    started: float

    def log(self, *args, **kwargs) -> None:
        """print, on the main process only."""
        if self.processes.main:
            print(*args, **kwargs)


def start_run(train) -> Run:
    """Join torchrun's processes (if any), pick the device and precision, make the output folder, seed."""
    processes = Processes.start(train.device)
    device = pick_device(train.device, processes.local_rank)
    out = Path(train.out)
    out.mkdir(parents=True, exist_ok=True)
    torch.manual_seed(train.seed)
    return Run(processes, device, use_bf16(train.precision, device), out, time.time())


def parallelize(model: torch.nn.Module, processes: Processes, parallel: str, device: torch.device) -> torch.nn.Module:
    """The module the loop calls: the model itself, wrapped in DDP, or sharded with FSDP2."""
    if processes.world == 1:
        return model
    if parallel == "ddp":
        ids = [device.index] if device.type == "cuda" else None
        return torch.nn.parallel.DistributedDataParallel(model, device_ids=ids)
    if parallel == "fsdp":
        from torch.distributed.fsdp import fully_shard

        for block in getattr(model, "blocks", []):
            fully_shard(block)
        fully_shard(model)
        return model
    raise ValueError(f"parallel {parallel!r} is not one of ddp, fsdp")


def unwrap(model: torch.nn.Module) -> torch.nn.Module:
    return model.module if isinstance(model, torch.nn.parallel.DistributedDataParallel) else model


def full_state_dict(model: torch.nn.Module) -> dict[str, torch.Tensor]:
    """Every parameter and buffer, whole, on the CPU (gathering FSDP2 shards when sharded)."""
    state = unwrap(model).state_dict()
    out = {}
    for name, value in state.items():
        if hasattr(value, "full_tensor"):
            value = value.full_tensor()
        out[name] = value.detach().to("cpu", copy=True).contiguous()
    return out


# --- EMA ----------------------------------------------------------------------------------------------------


@torch.no_grad()
def ema_update(ema: dict[str, torch.Tensor], model: torch.nn.Module, decay: float, step: int) -> None:
    """ema ← decay·ema + (1 − decay)·weights, with the warm-up decay min(decay, (1 + step) / (10 + step))."""
    d = min(decay, (1 + step) / (10 + step))
    for name, value in unwrap(model).state_dict().items():
        if hasattr(value, "full_tensor"):
            value = value.full_tensor()
        if value.is_floating_point():
            ema[name].lerp_(value.detach().to(ema[name].device), 1 - d)
        else:
            ema[name].copy_(value)


# --- resumable state ------------------------------------------------------------------------------------------


def git_commit() -> str:
    if os.environ.get("KINEMA_GIT_COMMIT"):
        return os.environ["KINEMA_GIT_COMMIT"]
    try:
        out = subprocess.run(["git", "rev-parse", "HEAD"], capture_output=True, text=True, cwd=Path(__file__).parent, timeout=5)
        return out.stdout.strip() or "unknown"
    except (OSError, subprocess.SubprocessError):
        return "unknown"


def gather_state(model: torch.nn.Module, optimizer) -> tuple[dict, dict]:
    """The whole model and optimizer state, on the CPU, keyed by parameter name — whether the model is
    plain, in DDP or sharded by FSDP2 (PyTorch's distributed-checkpoint state-dict API gathers the
    shards). Every process must call it; under torchrun only the main process gets the tensors."""
    from torch.distributed.checkpoint.state_dict import StateDictOptions, get_state_dict

    distributed = torch.distributed.is_available() and torch.distributed.is_initialized()
    options = StateDictOptions(full_state_dict=True, cpu_offload=distributed)
    model_state, optimizer_state = get_state_dict(model, optimizer, options=options)
    if not distributed:
        model_state = {k: v.detach().cpu().clone() for k, v in model_state.items()}
    return model_state, optimizer_state


def save_state(folder: Path, *, weights, optimizer_state, ema, scheduler, step: int, position: dict, generators: dict, config: dict, extra: dict | None = None) -> None:
    """Write OUT/state atomically (into a temporary folder, then renamed over the old one).

    weights, optimizer_state: from `gather_state`. Only the main process calls this.
    """
    folder = Path(folder)
    temp = folder.with_name(folder.name + ".part")
    temp.mkdir(parents=True, exist_ok=True)
    save_file({k: v.contiguous() for k, v in weights.items()}, temp / "model.safetensors")
    if ema is not None:
        save_file({k: v.detach().cpu().contiguous() for k, v in ema.items()}, temp / "ema.safetensors")
    torch.save(
        {
            "optimizer": optimizer_state,
            "scheduler": scheduler.state_dict(),
            "generators": {k: g.get_state() for k, g in generators.items()},
            "torch_rng": torch.get_rng_state(),
            "cuda_rng": torch.cuda.get_rng_state_all() if torch.cuda.is_available() else [],
        },
        temp / "optimizer.pt",
    )
    record = {"step": step, "position": position, "config": config, "commit": git_commit(), **(extra or {})}
    (temp / "state.json").write_text(json.dumps(record, indent=2))
    old = folder.with_name(folder.name + ".old")
    if folder.exists():
        folder.rename(old)
    temp.rename(folder)
    if old.exists():
        for f in old.iterdir():
            f.unlink()
        old.rmdir()


def load_state(folder: Path, *, model, ema, optimizer, scheduler, generators: dict, device: torch.device) -> dict:
    """Restore what save_state wrote (every process calls it); returns state.json (step, position, …)."""
    from torch.distributed.checkpoint.state_dict import StateDictOptions, set_state_dict

    folder = Path(folder)
    weights = load_file(folder / "model.safetensors")
    saved = torch.load(folder / "optimizer.pt", map_location="cpu", weights_only=False)
    set_state_dict(model, optimizer, model_state_dict=weights, optim_state_dict=saved["optimizer"],
                   options=StateDictOptions(full_state_dict=True))
    if ema is not None and (folder / "ema.safetensors").exists():
        for k, v in load_file(folder / "ema.safetensors", device=str(device)).items():
            ema[k].copy_(v)
    scheduler.load_state_dict(saved["scheduler"])
    for name, g in generators.items():
        g.set_state(saved["generators"][name])
    torch.set_rng_state(saved["torch_rng"])
    if saved["cuda_rng"] and torch.cuda.is_available():
        torch.cuda.set_rng_state_all(saved["cuda_rng"])
    return json.loads((folder / "state.json").read_text())


def warmup_schedule(optimizer, warmup_steps: int):
    return torch.optim.lr_scheduler.LambdaLR(optimizer, lambda s: min(1.0, (s + 1) / max(1, warmup_steps)))


# --- logs ---------------------------------------------------------------------------------------------------------


class LossLog:
    """loss.csv (one row per step) and loss.png (the curve, with a running mean), written by the main process."""

    def __init__(self, folder: Path, columns: list[str], resume: bool):
        self.folder = Path(folder)
        self.path = self.folder / "loss.csv"
        self.columns = columns
        keep = resume and self.path.exists()
        self.file = open(self.path, "a" if keep else "w", newline="")
        self.writer = csv.writer(self.file)
        if not keep:
            self.writer.writerow(["step", "seconds", *columns])
        self.start = time.time()

    def write(self, step: int, elapsed: float, values: list[float]) -> None:
        self.writer.writerow([step, f"{elapsed:.1f}", *(f"{v:.6f}" for v in values)])

    def flush(self) -> None:
        self.file.flush()

    def close(self) -> None:
        self.file.close()
        self.plot()

    def plot(self) -> Path | None:
        try:
            import matplotlib

            matplotlib.use("Agg")
            import matplotlib.pyplot as plt
        except ImportError:
            return None
        rows = list(csv.reader(open(self.path)))[1:]
        if not rows:
            return None
        steps = [int(r[0]) for r in rows]
        fig, axes = plt.subplots(1, len(self.columns), figsize=(5 * len(self.columns), 3.2), squeeze=False)
        for k, name in enumerate(self.columns):
            values = torch.tensor([float(r[2 + k]) for r in rows])
            window = max(1, len(values) // 50)
            smooth = torch.nn.functional.avg_pool1d(values[None, None], window, 1, padding=0)[0, 0] if len(values) >= window else values
            ax = axes[0, k]
            ax.plot(steps, values.numpy(), alpha=0.3, lw=0.6)
            ax.plot(steps[window - 1 :], smooth.numpy(), lw=1.5)
            ax.set_xlabel("step")
            ax.set_ylabel(name)
            ax.set_yscale("log")
            ax.grid(alpha=0.3)
        fig.tight_layout()
        out = self.folder / "loss.png"
        fig.savefig(out, dpi=110)
        plt.close(fig)
        return out
