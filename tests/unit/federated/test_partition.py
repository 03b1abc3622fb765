"""Seeded site splits: exact sizes and label mixes, the folder layout, and clear errors."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from medllm.core import DataError
from medllm.federated.partition import (
    icd10cm_chapter,
    partition,
    report,
    site_files,
    site_folders,
    write_sites,
)

CODES = ["A01.1", "B20", "C50.9", "E11.9", "E78.5", "I10", "I21.9", "J45.909", "K21.9", "Z00.00"]


def _row(rid: str, k: int) -> dict[str, Any]:
    return {
        "id": rid,
        "prompt": [{"role": "user", "content": f"question {rid} {k}"}],
        "completion": [{"role": "assistant", "content": f"answer {k}"}],
    }


@pytest.fixture()
def rows() -> list[dict[str, Any]]:
    """30 ICD-10-CM rows (10 codes x 3, 7 chapters) and 6 HPO rows (chapter "other")."""
    return [_row(f"icd10cm:{c}", k) for c in CODES for k in range(3)] + [
        _row(f"hpo:HP:{k:07d}", k) for k in range(6)
    ]


def _ids(sites: list[list[dict[str, Any]]]) -> list[str]:
    return sorted(r["id"] + r["prompt"][0]["content"] for s in sites for r in s)


def test_chapters_of_codes() -> None:
    got = [
        icd10cm_chapter(c) for c in ("A01.1", "D49.9", "D50.0", "H60.1", "O9A.1", "T88", "U07.1")
    ]
    assert got == ["A00-B99", "C00-D49", "D50-D89", "H60-H95", "O00-O9A", "S00-T88", "U00-U85"]
    assert icd10cm_chapter("HP:0001") == "other"


def test_iid_sizes_differ_by_at_most_one(rows: list[dict[str, Any]]) -> None:
    sites = partition(rows, 5, scheme="iid", seed=0)
    assert [len(s) for s in sites] == [8, 7, 7, 7, 7]
    assert _ids(sites) == _ids([rows])  # disjoint, and nothing lost
    assert partition(rows, 5, scheme="iid", seed=0) == sites  # seeded
    assert partition(rows, 5, scheme="iid", seed=1) != sites


def test_group_keeps_each_chapter_whole(rows: list[dict[str, Any]]) -> None:
    sites = partition(rows, 3, scheme="group", label="icd10cm_chapter", seed=0)
    got = [(r.site, r.rows, r.labels) for r in report(sites, "icd10cm_chapter")]
    assert got == [
        ("site-0", 12, {"A00-B99": 6, "other": 6}),
        ("site-1", 12, {"C00-D49": 3, "E00-E89": 6, "K00-K95": 3}),
        ("site-2", 12, {"I00-I99": 6, "J00-J99": 3, "Z00-Z99": 3}),
    ]


def test_dirichlet_skew_is_seeded(rows: list[dict[str, Any]]) -> None:
    sites = partition(rows, 3, scheme="dirichlet", label="icd10cm_chapter", alpha=0.5, seed=0)
    assert [len(s) for s in sites] == [4, 5, 27]
    assert report(sites, "icd10cm_chapter")[0].labels == {"A00-B99": 1, "E00-E89": 2, "Z00-Z99": 1}
    assert _ids(sites) == _ids([rows])
    # large alpha = close to IID: every chapter split over the three sites
    flat = partition(rows, 3, scheme="dirichlet", label="source", alpha=1e6, seed=0)
    assert [len(s) for s in flat] == [12, 12, 12]


def test_bad_inputs_name_the_field(rows: list[dict[str, Any]]) -> None:
    with pytest.raises(DataError, match=r"partition\.sites"):
        partition(rows, 40)
    with pytest.raises(DataError, match="2 label group"):
        partition(rows, 3, scheme="group", label="source")
    with pytest.raises(DataError, match="unknown partition label 'chapter'"):
        partition(rows, 3, scheme="group", label="chapter")
    with pytest.raises(DataError, match=r"partition\.alpha"):
        partition(rows, 3, scheme="dirichlet", alpha=0)


def test_sites_round_trip_through_folders(rows: list[dict[str, Any]], tmp_path: Path) -> None:
    from medllm.train import DataSection, build_rows

    sites = partition(rows, 3, scheme="iid", seed=0)
    write_sites(sites, tmp_path)
    folders = site_folders(tmp_path)
    assert [f.name for f in folders] == ["site-0", "site-1", "site-2"]
    back = [build_rows(DataSection(files=site_files(f)), "sft") for f in folders]
    assert [len(b) for b in back] == [12, 12, 12]
    key = lambda r: r["prompt"][0]["content"]  # noqa: E731
    assert sorted(map(key, back[1])) == sorted(map(key, sites[1]))
    with pytest.raises(DataError, match=r"no sub-folder holds a \.jsonl"):
        site_folders(tmp_path / "site-0")
