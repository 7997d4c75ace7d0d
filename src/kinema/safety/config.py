"""Safety and provenance configuration, and Kinema's data folder.

The data folder holds what an installation accumulates: its id, the local C2PA signing chain made at
first run, the fingerprint index. It is `$KINEMA_HOME` if set, else `$XDG_DATA_HOME/kinema`, else
`~/.local/share/kinema`.

Configuration is `safety.toml` in the data folder (or the file `$KINEMA_SAFETY_CONFIG` names), every
key optional, unknown keys an error:

    [policy]
    enabled = true
    thresholds = { violence = 0.4, ip = 0.6 }    # per category, 0..1; the rest keep their defaults

    [output]
    enabled = true
    nudity_threshold = 0.6                        # a detection this confident holds the video
    frames = 8                                    # frames sampled per video

    [provenance]
    watermark = true
    watermark_strength = 1.0
    c2pa = true
    key = "/etc/kinema/c2pa/key.pem"              # PEM private key (ES256: EC P-256)
    certificates = "/etc/kinema/c2pa/chain.pem"   # PEM chain: signing certificate first, then CAs
    trust_anchors = "/etc/kinema/c2pa/roots.pem"  # PEM roots that `kinema verify` calls trusted
    fingerprints = true
    fingerprint_db = "/var/lib/kinema/fingerprints.sqlite3"

`KINEMA_C2PA_KEY` and `KINEMA_C2PA_CERTIFICATES` override the key and chain (for containers that
mount secrets). Without a key and chain, a self-signed chain is made in the data folder at first run.
"""

from __future__ import annotations

import os
import secrets
import tomllib
from dataclasses import dataclass, field, fields
from pathlib import Path


class ConfigError(ValueError):
    """A bad safety configuration; the message names the file, the key and what is allowed."""


def data_dir() -> Path:
    if os.environ.get("KINEMA_HOME"):
        return Path(os.environ["KINEMA_HOME"]).expanduser()
    if os.environ.get("XDG_DATA_HOME"):
        return Path(os.environ["XDG_DATA_HOME"]).expanduser() / "kinema"
    return Path.home() / ".local" / "share" / "kinema"


def installation_id(folder: Path | None = None) -> int:
    """This installation's 32-bit id (in the watermark of every video it makes), made at first use."""
    folder = folder or data_dir()
    path = folder / "installation_id"
    try:
        return int(path.read_text().strip(), 16)
    except FileNotFoundError:
        pass
    except ValueError as error:
        raise ConfigError(f"{path}: not an installation id (8 hex digits): {error}") from error
    folder.mkdir(parents=True, exist_ok=True)
    temp = folder / f".installation_id.{secrets.token_hex(4)}"
    temp.write_text(f"{secrets.randbits(32):08x}\n")
    try:
        os.link(temp, path)  # atomic and refuses to overwrite: two first runs agree on one id
    except FileExistsError:
        pass
    finally:
        temp.unlink(missing_ok=True)
    return int(path.read_text().strip(), 16)


@dataclass(frozen=True)
class PolicySettings:
    enabled: bool = True
    thresholds: dict = field(default_factory=dict)
    """Overrides of the trained defaults, per category."""


@dataclass(frozen=True)
class OutputSettings:
    enabled: bool = True
    nudity_threshold: float = 0.6
    frames: int = 8


@dataclass(frozen=True)
class ProvenanceSettings:
    watermark: bool = True
    watermark_strength: float = 1.0
    c2pa: bool = True
    key: Path | None = None
    certificates: Path | None = None
    trust_anchors: Path | None = None
    fingerprints: bool = True
    fingerprint_db: Path | None = None


@dataclass(frozen=True)
class SafetyConfig:
    policy: PolicySettings = PolicySettings()
    output: OutputSettings = OutputSettings()
    provenance: ProvenanceSettings = ProvenanceSettings()
    home: Path = field(default_factory=data_dir)
    """The data folder this configuration keeps its files in."""

    @property
    def fingerprint_db(self) -> Path:
        return self.provenance.fingerprint_db or self.home / "fingerprints.sqlite3"


_TYPES = {bool: "true or false", float: "a number", int: "an integer", dict: "a table", Path: "a path string"}


def _section(cls, values: dict, where: str):
    if not isinstance(values, dict):
        raise ConfigError(f"{where} must be a table")
    known = {f.name: f for f in fields(cls)}
    unknown = set(values) - set(known)
    if unknown:
        raise ConfigError(f"{where}: unknown keys {sorted(unknown)}; allowed: {', '.join(known)}")
    out = {}
    for key, value in values.items():
        kind = known[key].type
        if "Path" in str(kind):
            if not isinstance(value, str):
                raise ConfigError(f"{where}.{key} is {value!r}; it must be {_TYPES[Path]}")
            value = Path(value).expanduser()
        elif kind in ("bool", bool):
            if not isinstance(value, bool):
                raise ConfigError(f"{where}.{key} is {value!r}; it must be {_TYPES[bool]}")
        elif kind in ("float", float):
            if isinstance(value, bool) or not isinstance(value, (int, float)):
                raise ConfigError(f"{where}.{key} is {value!r}; it must be {_TYPES[float]}")
            value = float(value)
        elif kind in ("int", int):
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise ConfigError(f"{where}.{key} is {value!r}; it must be an integer >= 1")
        elif kind in ("dict", dict) and not isinstance(value, dict):
            raise ConfigError(f"{where}.{key} is {value!r}; it must be {_TYPES[dict]}")
        out[key] = value
    return cls(**out)


def load_config(path: Path | None = None, home: Path | None = None) -> SafetyConfig:
    """Read safety.toml (if there is one) and the environment overrides.

    `home` is the data folder to keep the installation's files in (default `data_dir()`); the service
    passes its own data folder, so its API, its moderation sidecar and its workers share one
    installation id, signing chain and fingerprint index.
    """
    home = Path(home).expanduser() if home is not None else data_dir()
    path = path or Path(os.environ.get("KINEMA_SAFETY_CONFIG") or home / "safety.toml")
    raw: dict = {}
    if path.is_file():
        try:
            raw = tomllib.loads(path.read_text())
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as error:
            raise ConfigError(f"{path}: not valid TOML: {error}") from error
    unknown = set(raw) - {"policy", "output", "provenance"}
    if unknown:
        raise ConfigError(f"{path}: unknown sections {sorted(unknown)}; allowed: policy, output, provenance")
    policy = _section(PolicySettings, raw.get("policy", {}), f"{path} [policy]")
    output = _section(OutputSettings, raw.get("output", {}), f"{path} [output]")
    prov = raw.get("provenance", {})
    if isinstance(prov, dict):
        prov = dict(prov)
        if os.environ.get("KINEMA_C2PA_KEY"):
            prov["key"] = os.environ["KINEMA_C2PA_KEY"]
        if os.environ.get("KINEMA_C2PA_CERTIFICATES"):
            prov["certificates"] = os.environ["KINEMA_C2PA_CERTIFICATES"]
    provenance = _section(ProvenanceSettings, prov, f"{path} [provenance]")
    from kinema.safety.policy import CATEGORIES

    for name, value in policy.thresholds.items():
        if name not in CATEGORIES:
            raise ConfigError(f"{path} [policy].thresholds: unknown category {name!r}; known: {', '.join(CATEGORIES)}")
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0.0 <= value <= 1.01:
            raise ConfigError(f"{path} [policy].thresholds.{name} is {value!r}; it must be a number in 0..1 (1.01 turns it off)")
    if (provenance.key is None) != (provenance.certificates is None):
        raise ConfigError(f"{path} [provenance]: key and certificates go together; give both or neither")
    if not 0.0 < output.nudity_threshold <= 1.0:
        raise ConfigError(f"{path} [output].nudity_threshold is {output.nudity_threshold}; it must be in (0, 1]")
    if not 0.0 < provenance.watermark_strength <= 4.0:
        raise ConfigError(f"{path} [provenance].watermark_strength is {provenance.watermark_strength}; it must be in (0, 4]")
    return SafetyConfig(policy=policy, output=output, provenance=provenance, home=home)


__all__ = ["ConfigError", "OutputSettings", "PolicySettings", "ProvenanceSettings", "SafetyConfig", "data_dir", "installation_id", "load_config"]
