"""The generated VQA set: split by source image, answers that match the pixels, reproducible."""

from __future__ import annotations

import stat
from pathlib import Path

import numpy as np
import pytest
from PIL import Image as PILImage

from medllm.core import DataError, read_json
from medllm.vision import load_vqa, make_vqa_set, read_image
from medllm.vision.vqa_gen import SOURCES, source_path, square


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, object]:
    out = tmp_path_factory.mktemp("gen") / "set"
    return out, make_vqa_set(out, variants=8, seed=0)


def png(out: Path, vid: str) -> np.ndarray:
    return np.asarray(PILImage.open(out / "images" / f"{vid}.png"), dtype=np.int16)


def test_counts_and_split_by_source_image(generated: tuple[Path, object]) -> None:
    out, vset = generated
    manifest = read_json(out / "manifest.json")
    assert manifest["images"] == {"test": 24, "train": 56}
    # per source: 8 variants × 5 questions, + 8 region questions where the region is known, + 6
    # variants with a lesion × 3 (side, quadrant, size): 66 or 58; train 6 × 66 + 58 (ihc)
    assert manifest["questions"] == {"test": 190, "train": 454}
    assert manifest["closed"] == {"closed": 360, "open": 284}
    split_of = {}
    for item in vset.items:
        source = item.id.rsplit("-", 2)[0]
        assert split_of.setdefault(source, item.split) == item.split  # one split per source
    assert sorted(k for k, v in split_of.items() if v == "test") == [
        "ct_head_b",
        "fundus_detail",
        "mr_small",
    ]
    train_modalities = {s.modality for s in SOURCES if s.split == "train"}
    assert {s.modality for s in SOURCES if s.split == "test"} <= train_modalities
    test = load_vqa("medllm_generated", out, split="test")
    assert len(test) == 190 and all(i.image.is_file() for i in test)


def test_questions_of_one_variant(generated: tuple[Path, object]) -> None:
    _, vset = generated
    rows = [
        (i.question_type, i.answer, i.closed) for i in vset.items if i.id.startswith("ct_spine-01-")
    ]
    assert rows == [
        ("modality", "CT", False),
        ("modality", rows[1][1], True),
        ("region", "chest", False),
        ("mirrored", "no", True),
        ("rotation", "90", False),
        ("presence", "yes", True),
        ("side", "right", True),
        ("quadrant", "upper right", False),
        ("size", "medium", True),
    ]
    caps = {c.id: c.caption for c in vset.captions}
    assert caps["ct_spine-01"] == (
        "CT image of the chest, rotated 90 degrees clockwise, not mirrored; "
        "a medium inserted lesion in the upper right quadrant."
    )


def test_transforms_and_lesions_match_the_pixels(generated: tuple[Path, object]) -> None:
    out, vset = generated
    base = np.clip(square(read_image(source_path(SOURCES[0]))) * 255 + 0.5, 0, 255)
    base = base.astype(np.int16)
    # variant 05: mirrored, then 90 degrees clockwise, no lesion
    np.testing.assert_array_equal(png(out, "ct_spine-05"), np.rot90(base[:, ::-1], k=-1))
    # variant 01: 90 degrees clockwise, with a lesion: the changed pixels are the disc and its rim
    changed = np.argwhere(png(out, "ct_spine-01") != np.rot90(base, k=-1))
    (r0, c0), (r1, c1) = changed.min(axis=0), changed.max(axis=0)
    assert r1 < 112 and c0 >= 112  # inside the upper right quadrant
    assert (r1 - r0 + 1, c1 - c0 + 1) == (2 * (18 + 2) + 1,) * 2  # medium: radius 18 px + 2 px rim
    answers = {i.id.split("-q")[0]: i.answer for i in vset.items if i.question_type == "size"}
    assert answers["ct_spine-01"] == "medium"


def test_same_seed_same_bytes_owner_only(generated: tuple[Path, object], tmp_path: Path) -> None:
    out, _ = generated
    again = tmp_path / "again"
    make_vqa_set(again, variants=8, seed=0)
    for name in ("vqa.jsonl", "captions.jsonl", "images/us_echo-03.png"):
        assert (again / name).read_bytes() == (out / name).read_bytes()
    assert stat.S_IMODE((again / "images" / "ihc-00.png").stat().st_mode) == 0o600
    assert stat.S_IMODE(again.stat().st_mode) == 0o700
    with pytest.raises(DataError, match="variants 0 is below 1"):
        make_vqa_set(tmp_path / "none", variants=0)
