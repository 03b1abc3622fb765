"""Loaders for the official files of VQA-RAD, SLAKE and PathVQA into one record, `VqaItem`.

None of these sets can be installed here; each loader reads a user-given path (the dataset's
folder as released, or its question file) and is tested on small fixtures in exactly the official
formats (tests/fixtures/vqa/).

- VQA-RAD (Lau et al. 2018, OSF): `VQA_RAD Dataset Public.json`, a list of objects with
  `qid`, `image_name`, `question`, `answer` (a string or a number), `answer_type` (CLOSED / OPEN),
  `question_type` (PRES, POS, ABN, MODALITY, PLANE, SIZE, ORGAN, COUNT, COLOR, ATTRIB, OTHER; may
  be combined: "PRES, POS"), `phrase_type`, `image_organ`; images in `VQA_RAD Image Folder/`.
  The release has no split field: the test questions are those whose `phrase_type` starts with
  "test" (test_freeform, test_para), as in the paper; the rest are train.
- SLAKE (Liu et al. 2021): `Slake1.0/{train,validate,test}.json`, objects with `img_id`,
  `img_name` ("xmlab102/source.jpg", under `imgs/`), `question`, `answer`, `q_lang` (en / zh),
  `answer_type` (CLOSED / OPEN), `content_type` (Organ, Position, Abnormality, Modality, Plane,
  Quantity, Color, Size, Shape, KG), `qid`, `location`, `modality`, `base_type`, `triple`.
  English only by default (`lang="en"`).
- PathVQA (He et al. 2020): the official release holds the questions only as Python pickles
  (`qas/{train,val,test}/{split}_qa.pkl`, lists of `{"image", "question", "answer"}`). Loading
  a pickle runs whatever code it holds, so a pickle is refused; its conversions are read instead:
  `qas/{split}/{split}_qa.json` (the same list as JSON) or `.csv` (columns image, question,
  answer). Images: `images/{split}/{image}.jpg`. Yes / no answers are closed questions, as in the
  paper; the question type is "yes/no" for them, else the question's first word (what, where,
  how, ...).
"""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from medllm.core import DataError, read_json

VQA_RAD_FILE = "VQA_RAD Dataset Public.json"
VQA_RAD_IMAGES = "VQA_RAD Image Folder"
SLAKE_SPLITS = ("train", "validate", "test")
PATHVQA_SPLITS = ("train", "val", "test")
PICKLE_SUFFIXES = frozenset({".pkl", ".pickle"})


@dataclass(frozen=True)
class VqaItem:
    """One image question with its answer; `closed`: a yes/no or choice question."""

    id: str
    image: Path
    question: str = field(repr=False)
    answer: str = field(repr=False)
    closed: bool
    question_type: str
    dataset: str
    split: str
    lang: str = "en"


def load_vqa(
    name: str, path: str | Path, split: str | None = "test", *, check_images: bool = True
) -> list[VqaItem]:
    """`name`: vqa_rad | slake | pathvqa | medllm_generated (`make_vqa_set`'s folder); `split`: the set's own split names (None = all)."""
    from medllm.vision.vqa_gen import load_generated  # it builds on VqaItem from here

    loaders = {
        "vqa_rad": load_vqa_rad,
        "slake": load_slake,
        "pathvqa": load_pathvqa,
        "medllm_generated": load_generated,
    }
    if name not in loaders:
        raise DataError(f"unknown VQA dataset {name!r}", fix=f"use one of {sorted(loaders)}")
    items: list[VqaItem] = loaders[name](Path(path), split)
    if check_images:
        _check_images(items, Path(path))
    return items


# VQA-RAD --------------------------------------------------------------------------------------
def load_vqa_rad(path: Path, split: str | None = "test") -> list[VqaItem]:
    """The VQA-RAD folder (or its JSON file); split: test | train | None (all)."""
    if split not in ("test", "train", None):
        raise DataError(f"VQA-RAD has no split {split!r}", fix="use test, train or none (all)")
    file = path / VQA_RAD_FILE if path.is_dir() else path
    images = file.parent / VQA_RAD_IMAGES
    out = []
    for i, row in enumerate(_records(file)):
        test = str(row.get("phrase_type", "")).startswith("test")
        part = "test" if test else "train"
        if split is not None and part != split:
            continue
        qid = row.get("qid", i)
        out.append(
            VqaItem(
                id=f"vqa_rad-{qid}",
                image=images / _text(row, "image_name", file, i),
                question=_text(row, "question", file, i),
                answer=_text(row, "answer", file, i),
                closed=_closed(row, file, i),
                question_type=_type(_text(row, "question_type", file, i)),
                dataset="vqa_rad",
                split=part,
            )
        )
    return out


def _type(value: str) -> str:
    """ "PRES, POS" → "PRES,POS"; VQA-RAD writes combined types with a comma."""
    return ",".join(p.strip().upper() for p in value.split(",") if p.strip())


# SLAKE --------------------------------------------------------------------------------------
def load_slake(path: Path, split: str | None = "test", lang: str | None = "en") -> list[VqaItem]:
    """The `Slake1.0` folder (or one split's JSON file); lang: en | zh | None (both)."""
    if path.is_file():
        files = [(path.stem, path)]
        root = path.parent
    else:
        if split is not None and split not in SLAKE_SPLITS:
            raise DataError(f"SLAKE has no split {split!r}", fix=f"use one of {SLAKE_SPLITS}")
        files = [(s, path / f"{s}.json") for s in SLAKE_SPLITS if split in (None, s)]
        root = path
    out = []
    for part, file in files:
        for i, row in enumerate(_records(file)):
            q_lang = _text(row, "q_lang", file, i)
            if lang is not None and q_lang != lang:
                continue
            out.append(
                VqaItem(
                    id=f"slake-{row.get('qid', i)}",
                    image=root / "imgs" / _text(row, "img_name", file, i),
                    question=_text(row, "question", file, i),
                    answer=_text(row, "answer", file, i),
                    closed=_closed(row, file, i),
                    question_type=_text(row, "content_type", file, i),
                    dataset="slake",
                    split=part,
                    lang=q_lang,
                )
            )
    return out


# PathVQA ------------------------------------------------------------------------------------
def load_pathvqa(path: Path, split: str | None = "test") -> list[VqaItem]:
    """The PathVQA folder (`qas/`, `images/`) or one converted QA file (.json / .csv)."""
    if path.is_file():
        _refuse_pickle(path)
        part = split or path.stem.removesuffix("_qa")
        return _pathvqa_rows(path, part, path.parent)
    if split is not None and split not in PATHVQA_SPLITS:
        raise DataError(f"PathVQA has no split {split!r}", fix=f"use one of {PATHVQA_SPLITS}")
    out: list[VqaItem] = []
    for part in [s for s in PATHVQA_SPLITS if split in (None, s)]:
        out += _pathvqa_rows(_pathvqa_file(path, part), part, path / "images" / part)
    return out


def _pathvqa_file(root: Path, part: str) -> Path:
    folder = root / "qas" / part
    for suffix in (".json", ".csv"):
        if (folder / f"{part}_qa{suffix}").is_file():
            return folder / f"{part}_qa{suffix}"
    for suffix in PICKLE_SUFFIXES:
        _refuse_pickle(folder / f"{part}_qa{suffix}")
    raise DataError(
        f"no {part}_qa.json or {part}_qa.csv",
        path=folder,
        fix="give the PathVQA folder holding qas/<split>/<split>_qa.json (or .csv)",
    )


def _refuse_pickle(path: Path) -> None:
    if path.suffix.lower() in PICKLE_SUFFIXES and path.exists():
        raise DataError(
            "PathVQA's pickle files are not loaded: unpickling runs any code the file holds",
            path=path,
            fix='convert it once where you trust the file, e.g. python -c "import pickle, json, '
            "sys; json.dump(pickle.load(open(sys.argv[1], 'rb')), open(sys.argv[2], 'w'))\" "
            f"{path.name} {path.stem}.json, and give the .json",
        )


def _pathvqa_rows(file: Path, part: str, images: Path) -> list[VqaItem]:
    rows = _csv_rows(file) if file.suffix.lower() == ".csv" else _records(file)
    out = []
    for i, row in enumerate(rows):
        image = _text(row, "image", file, i)
        answer = _text(row, "answer", file, i)
        question = _text(row, "question", file, i)
        closed = answer.lower() in ("yes", "no")
        words = question.split()
        out.append(
            VqaItem(
                id=f"pathvqa-{part}-{i}",
                image=images / (image if Path(image).suffix else f"{image}.jpg"),
                question=question,
                answer=answer,
                closed=closed,
                question_type="yes/no" if closed else words[0].lower().strip("?,.") or "other",
                dataset="pathvqa",
                split=part,
            )
        )
    return out


def _csv_rows(file: Path) -> list[dict[str, Any]]:
    try:
        with file.open(encoding="utf-8", newline="") as f:
            reader = csv.DictReader(f)
            missing = {"image", "question", "answer"} - set(reader.fieldnames or [])
            if missing:
                raise DataError(
                    f"CSV header lacks {sorted(missing)}",
                    path=file,
                    line=1,
                    fix="the header must be image,question,answer",
                )
            return list(reader)
    except UnicodeDecodeError:
        raise DataError("not UTF-8", path=file, fix="save the CSV as UTF-8") from None


# shared -------------------------------------------------------------------------------------
def _records(file: Path) -> list[dict[str, Any]]:
    if not file.is_file():
        raise DataError("file not found", path=file, fix="give the dataset folder as released")
    data = read_json(file)
    if not isinstance(data, list) or not all(isinstance(r, dict) for r in data):
        raise DataError(
            "expected a JSON list of question objects", path=file, fix="give the official file"
        )
    return data


def _text(row: dict[str, Any], key: str, file: Path, index: int) -> str:
    """row[key] as a stripped string (VQA-RAD answers may be numbers); errors name the record."""
    value = row.get(key)
    if (
        isinstance(value, bool)
        or not isinstance(value, str | int | float)
        or not str(value).strip()
    ):
        problem = "missing" if key not in row else f"empty or not text ({type(value).__name__})"
        raise DataError(
            f"record {index}: {problem}",
            path=file,
            field=key,
            fix="give the dataset's official file (see docs/vision.md for its fields)",
        )
    return str(value).strip()


def _closed(row: dict[str, Any], file: Path, index: int) -> bool:
    kind = _text(row, "answer_type", file, index).upper()
    if kind not in ("CLOSED", "OPEN"):
        raise DataError(
            f"record {index}: answer_type {kind!r} is neither CLOSED nor OPEN",
            path=file,
            field="answer_type",
        )
    return kind == "CLOSED"


def _check_images(items: list[VqaItem], root: Path) -> None:
    missing = [item for item in items if not item.image.is_file()]
    if missing:
        raise DataError(
            f"{len(missing)} of {len(items)} images not found, first: {missing[0].image}",
            path=root,
            fix="give the dataset folder with its images as released, or check_images=False",
        )
