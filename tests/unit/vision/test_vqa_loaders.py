"""VQA-RAD, SLAKE and PathVQA loaders on fixtures in the official formats (invented questions;
the images are tiny JPEGs written here at run time)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pytest
from PIL import Image as PILImage

from medllm.core import DataError
from medllm.vision import VqaItem, load_vqa

FIXTURES = Path(__file__).parents[2] / "fixtures" / "vqa"


@pytest.fixture()
def vqa(tmp_path: Path) -> Path:
    """The fixture folders copied, with a 4x4 JPEG at every image path the questions name."""
    root = tmp_path / "vqa"
    shutil.copytree(FIXTURES, root)
    for name in ("vqa_rad", "slake", "pathvqa"):
        path = root / name / ("Slake1.0" if name == "slake" else "")
        for item in load_vqa(name, path, None, check_images=False):
            item.image.parent.mkdir(parents=True, exist_ok=True)
            PILImage.fromarray(np.full((4, 4, 3), 128, dtype=np.uint8)).save(item.image)
    return root


def brief(items: list[VqaItem]) -> list[tuple[str, str, str, bool, str, str]]:
    return [(i.id, i.question, i.answer, i.closed, i.question_type, i.split) for i in items]


def test_vqa_rad_splits_by_phrase_type(vqa: Path) -> None:
    test = load_vqa("vqa_rad", vqa / "vqa_rad")
    assert brief(test) == [
        (
            "vqa_rad-104",
            "What imaging modality was used?",
            "CT with contrast",
            False,
            "MODALITY",
            "test",
        ),
        ("vqa_rad-105", "Is this an axial plane?", "Yes", True, "PLANE", "test"),
    ]
    train = load_vqa("vqa_rad", vqa / "vqa_rad" / "VQA_RAD Dataset Public.json", "train")
    assert [(i.id, i.answer, i.closed, i.question_type) for i in train] == [
        ("vqa_rad-101", "Yes", True, "PRES"),
        ("vqa_rad-102", "yes", True, "PRES,POS"),
        ("vqa_rad-103", "2", False, "COUNT"),  # a numeric answer, as the release writes it
    ]
    assert train[0].image == vqa / "vqa_rad" / "VQA_RAD Image Folder" / "synpic900001.jpg"
    assert len(load_vqa("vqa_rad", vqa / "vqa_rad", None)) == 5


def test_slake_splits_and_language(vqa: Path) -> None:
    root = vqa / "slake" / "Slake1.0"
    assert brief(load_vqa("slake", root)) == [
        ("slake-1900", "Where is the lesion?", "Left Lung, Lower", False, "Position", "test"),
        ("slake-1901", "Does the image contain a heart?", "Yes", True, "Organ", "test"),
    ]
    every = load_vqa("slake", root, None)
    assert [(i.id, i.split, i.lang) for i in every] == [
        ("slake-1700", "train", "en"),
        ("slake-1800", "validate", "en"),
        ("slake-1900", "test", "en"),
        ("slake-1901", "test", "en"),
    ]
    from medllm.vision.vqa_loaders import load_slake

    zh = load_slake(root, "train", lang="zh")
    assert [(i.id, i.answer, i.lang) for i in zh] == [("slake-1701", "肝脏", "zh")]
    assert every[0].image == root / "imgs" / "xmlab7" / "source.jpg"


def test_pathvqa_json_and_csv_conversions(vqa: Path) -> None:
    root = vqa / "pathvqa"
    assert brief(load_vqa("pathvqa", root)) == [
        ("pathvqa-test-0", "How are the nuclei arranged?", "in palisades", False, "how", "test"),
        ("pathvqa-test-1", "Is this a fibroadenoma?", "no", True, "yes/no", "test"),
    ]
    val = load_vqa("pathvqa", root, "val")
    assert [(i.answer, i.closed, i.question_type) for i in val] == [
        ("colon", False, "where"),
        ("no", True, "yes/no"),
    ]
    assert val[0].question == "Where is this lesion, in the colon or the stomach?"
    assert val[0].image == root / "images" / "val" / "val_0001.jpg"
    assert len(load_vqa("pathvqa", root, None)) == 6


def test_pathvqa_pickle_is_refused_with_the_reason(vqa: Path) -> None:
    qas = vqa / "pathvqa" / "qas" / "test"
    (qas / "test_qa.json").unlink()
    (qas / "test_qa.pkl").write_bytes(b"\x80\x04]\x94.")  # an empty list, never unpickled
    with pytest.raises(DataError, match="unpickling runs any code") as e:
        load_vqa("pathvqa", vqa / "pathvqa")
    assert "test_qa.pkl" in str(e.value) and "json.dump" in str(e.value)
    with pytest.raises(DataError, match="pickle files are not loaded"):
        load_vqa("pathvqa", qas / "test_qa.pkl")


def test_errors_name_the_file_record_and_field(vqa: Path, tmp_path: Path) -> None:
    bad = tmp_path / "test.json"
    rows = json.loads((vqa / "slake" / "Slake1.0" / "test.json").read_text())
    del rows[1]["answer"]
    bad.write_text(json.dumps(rows))
    with pytest.raises(DataError) as e:
        load_vqa("slake", bad, check_images=False)
    assert str(e.value).startswith(f'{bad}: field "answer": record 1: missing')
    rows[1]["answer"], rows[1]["answer_type"] = "Yes", "MAYBE"
    bad.write_text(json.dumps(rows))
    with pytest.raises(DataError, match="neither CLOSED nor OPEN"):
        load_vqa("slake", bad, check_images=False)
    (vqa / "vqa_rad" / "VQA_RAD Image Folder" / "synpic900003.jpg").unlink()
    with pytest.raises(DataError, match="2 of 2 images not found"):
        load_vqa("vqa_rad", vqa / "vqa_rad")
    with pytest.raises(DataError, match="unknown VQA dataset 'vqarad'"):
        load_vqa("vqarad", vqa)
    with pytest.raises(DataError, match="has no split 'dev'"):
        load_vqa("slake", vqa / "slake" / "Slake1.0", "dev")
