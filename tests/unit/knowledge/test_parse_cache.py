"""The parsed-vocabulary cache in $MEDLLM_CACHE: plain JSON, typed records back, nothing executed."""

from __future__ import annotations

import os
import pickle
from pathlib import Path

import pytest

from medllm.knowledge.sources import _cache
from medllm.knowledge.sources.hpo import Annotation, HpoDisease
from medllm.knowledge.sources.icd10cm import IcdCode


class _Payload:
    """What a planted pickle could do on load: here, make a folder (it could run anything)."""

    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self) -> tuple[object, tuple[str]]:
        return os.mkdir, (str(self.marker),)


def test_a_planted_cache_file_is_never_executed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MEDLLM_CACHE", str(tmp_path / "cache"))
    source = tmp_path / "codes.xml"
    source.write_text("<x/>")
    marker = tmp_path / "executed"
    parsed = tmp_path / "cache" / "parsed"
    parsed.mkdir(parents=True)
    key = _cache._key("icd10cm", [source])
    for suffix in (".pkl", ".json"):  # wherever the cache would look
        (parsed / f"icd10cm-{key}{suffix}").write_bytes(pickle.dumps(_Payload(marker)))
    codes = [IcdCode("E11", "Type 2 diabetes mellitus", "4: Endocrine", "E08-E13: Diabetes")]
    assert _cache.cached("icd10cm", [source], lambda: codes, IcdCode) == codes
    assert not marker.exists()


def test_records_round_trip_through_the_cache(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MEDLLM_CACHE", str(tmp_path / "cache"))
    source = tmp_path / "hp.obo"
    source.write_text("x")
    value = {
        "OMIM:1": HpoDisease(
            "OMIM:1", "Pellar disease", (Annotation("HP:1", "Fever", "1/2", True, "PMID:9"),)
        )
    }
    code = IcdCode(
        "S00.00XA", "Injury", "19: Injury", "S00-S09: Head", seventh_chars=(("A", "initial"),)
    )
    assert _cache.cached("hpo_diseases", [source], lambda: value, HpoDisease) == value
    calls: list[int] = []

    def build() -> dict[str, HpoDisease]:
        calls.append(1)
        return value

    again = _cache.cached("hpo_diseases", [source], build, HpoDisease)
    assert again == value and calls == []  # read back from the file, typed
    assert isinstance(again["OMIM:1"].phenotypes, tuple)
    assert _cache.cached("icd10cm", [source], lambda: [code], IcdCode) == [code]
    assert _cache.cached("icd10cm", [source], list, IcdCode) == [code]
    files = sorted(p.name for p in (tmp_path / "cache" / "parsed").iterdir())
    assert [f.rsplit(".", 1)[1] for f in files] == ["json", "json"]
