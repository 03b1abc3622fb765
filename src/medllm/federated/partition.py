"""Sites ("hospitals") from training rows: IID, whole label groups per site, or Dirichlet-α label
skew, all seeded; a per-site report (sizes, label mix); sites written as, or read from, folders of
JSONL (one sub-folder per site, the layout a user's own de-identified data also takes).

Labels are read from a row's id (`icd10cm:E11.9` → source `icd10cm`, chapter `E00-E89`), never
from its text, so a report carries ids and counts only.
"""

from __future__ import annotations

import json
import random
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from medllm.core import DataError

Row = dict[str, Any]
Scheme = Literal["iid", "group", "dirichlet"]
SITE_FILE = "train.jsonl"

# ICD-10-CM 2026 chapters by the first three characters of a code (ranges inclusive).
_CHAPTERS = (
    ("A00", "B99"), ("C00", "D49"), ("D50", "D89"), ("E00", "E89"), ("F01", "F99"),
    ("G00", "G99"), ("H00", "H59"), ("H60", "H95"), ("I00", "I99"), ("J00", "J99"),
    ("K00", "K95"), ("L00", "L99"), ("M00", "M99"), ("N00", "N99"), ("O00", "O9A"),
    ("P00", "P96"), ("Q00", "Q99"), ("R00", "R99"), ("S00", "T88"), ("U00", "U85"),
    ("V00", "Y99"), ("Z00", "Z99"),
)  # fmt: skip


def icd10cm_chapter(code: str) -> str:
    """The chapter range of an ICD-10-CM code (`E11.9` → `E00-E89`), or `other`."""
    head = code.upper().replace(".", "")[:3]
    for start, end in _CHAPTERS:
        if start <= head <= end:
            return f"{start}-{end}"
    return "other"


def _source(row: Row) -> str:
    return str(row.get("id", "")).partition(":")[0] or "unknown"


def _chapter(row: Row) -> str:
    source, _, code = str(row.get("id", "")).partition(":")
    return icd10cm_chapter(code) if source.startswith("icd10cm") else "other"


LABELS: dict[str, Callable[[Row], str]] = {"source": _source, "icd10cm_chapter": _chapter}


def label_of(key: str) -> Callable[[Row], str]:
    if key not in LABELS:
        raise DataError(
            f"unknown partition label {key!r}",
            field="partition.label",
            fix=f"use one of: {', '.join(LABELS)}",
        )
    return LABELS[key]


def partition(
    rows: list[Row],
    n_sites: int,
    *,
    scheme: Scheme = "iid",
    label: str = "source",
    alpha: float = 0.5,
    seed: int = 0,
    min_rows: int = 1,
) -> list[list[Row]]:
    """Split `rows` into `n_sites` disjoint lists whose union is `rows`."""
    if n_sites < 1 or len(rows) < n_sites * min_rows:
        raise DataError(
            f"{len(rows)} rows cannot fill {n_sites} sites of at least {min_rows} row(s)",
            field="partition.sites",
            fix="use fewer sites or more training rows (data.limit)",
        )
    if scheme == "iid":
        return _iid(rows, n_sites, seed)
    groups = _groups(rows, label_of(label), seed)
    if scheme == "group":
        return _by_group(groups, n_sites)
    if scheme == "dirichlet":
        return _dirichlet(groups, n_sites, alpha, seed, min_rows)
    raise DataError(
        f"unknown scheme {scheme!r}", field="partition.scheme", fix="iid, group or dirichlet"
    )


def _iid(rows: list[Row], n: int, seed: int) -> list[list[Row]]:
    order = list(rows)
    random.Random(seed).shuffle(order)
    base, extra = divmod(len(order), n)
    out, start = [], 0
    for i in range(n):  # the first `extra` sites get one row more
        size = base + (i < extra)
        out.append(order[start : start + size])
        start += size
    return out


def _groups(rows: list[Row], label: Callable[[Row], str], seed: int) -> dict[str, list[Row]]:
    groups: dict[str, list[Row]] = {}
    for r in rows:
        groups.setdefault(label(r), []).append(r)
    rng = random.Random(seed)
    for name in sorted(groups):
        rng.shuffle(groups[name])
    return dict(sorted(groups.items()))


def _by_group(groups: dict[str, list[Row]], n: int) -> list[list[Row]]:
    """Each label whole at one site: largest label first, to the site with fewest rows so far."""
    if len(groups) < n:
        raise DataError(
            f"{len(groups)} label group(s) cannot fill {n} sites with whole groups",
            field="partition.sites",
            fix="use fewer sites, another partition.label, or scheme dirichlet",
        )
    sites: list[list[Row]] = [[] for _ in range(n)]
    for _, members in sorted(groups.items(), key=lambda kv: (-len(kv[1]), kv[0])):
        smallest = min(range(n), key=lambda i: len(sites[i]))
        sites[smallest].extend(members)
    return sites


def _dirichlet(
    groups: dict[str, list[Row]], n: int, alpha: float, seed: int, min_rows: int
) -> list[list[Row]]:
    """Each label's rows split by proportions drawn from Dir(α·1); small α = strong skew. Redrawn
    (same seeded stream) until every site has `min_rows`, as flwr-datasets' partitioner does."""
    import numpy as np

    if alpha <= 0:
        raise DataError(f"alpha {alpha} must be > 0", field="partition.alpha", fix="e.g. 0.5")
    rng = np.random.default_rng(seed)
    for _ in range(100):
        sites: list[list[Row]] = [[] for _ in range(n)]
        for members in groups.values():
            share = rng.dirichlet([alpha] * n)
            cuts = (np.cumsum(share)[:-1] * len(members)).astype(int)
            for i, part in enumerate(np.split(np.arange(len(members)), cuts)):
                sites[i].extend(members[j] for j in part)
        if min(map(len, sites)) >= min_rows:
            return sites
    raise DataError(
        f"100 Dirichlet draws at alpha {alpha} left a site with fewer than {min_rows} row(s)",
        field="partition.alpha",
        fix="raise partition.alpha, use fewer sites, or more rows",
    )


@dataclass(frozen=True)
class SiteReport:
    """One site's size and label mix (counts only: no row text)."""

    site: str
    rows: int
    labels: dict[str, int]


def report(sites: list[list[Row]], label: str = "source") -> list[SiteReport]:
    fn = label_of(label)
    return [
        SiteReport(f"site-{i}", len(s), dict(sorted(Counter(map(fn, s)).items())))
        for i, s in enumerate(sites)
    ]


def write_sites(sites: list[list[Row]], out_dir: str | Path) -> list[Path]:
    """site-<i>/train.jsonl per site, rows as chat `messages` (a format `medllm train` reads)."""
    paths = []
    for i, rows in enumerate(sites):
        path = Path(out_dir) / f"site-{i}" / SITE_FILE
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("w", encoding="utf-8") as f:
            for r in rows:
                f.write(json.dumps({"messages": [*r["prompt"], *r["completion"]]}) + "\n")
        paths.append(path)
    return paths


def site_folders(root: str | Path) -> list[Path]:
    """The sub-folders of `root` that hold *.jsonl files, sorted by name: one site each."""
    base = Path(root)
    if not base.is_dir():
        raise DataError(
            f"{base}: not a folder", field="sites_dir", fix="give a folder of site folders"
        )
    found = sorted(p for p in base.iterdir() if p.is_dir() and any(p.glob("*.jsonl")))
    if not found:
        raise DataError(
            f"{base}: no sub-folder holds a .jsonl file",
            field="sites_dir",
            fix="one sub-folder per site, each with JSONL rows (alpaca, sharegpt, messages)",
        )
    return found


def site_files(folder: Path) -> list[str]:
    return [str(p) for p in sorted(folder.glob("*.jsonl"))]
