"""A generated VQA set on real images that install offline, with answers certain by construction.

Sources (read from the installed packages at run time; nothing derived is committed):

| key | file | modality | region | split |
|---|---|---|---|---|
| `ct_spine` | pydicom `CT_small.dcm` (NEMA WG04 CT1, thoracic vertebra) | CT | chest | train |
| `ct_head_a` | pydicom `693_J2KI.dcm` (axial, skull and brain) | CT | head | train |
| `ct_head_b` | pydicom `J2K_pixelrep_mismatch.dcm` (BodyPartExamined HEAD) | CT | head | test |
| `mr_abdomen` | pydicom `examples_overlay.dcm` (BodyPartExamined ABDOMEN) | MRI | abdomen | train |
| `mr_small` | pydicom `MR_small.dcm` (NEMA WG04 MR1; region not in the header) | MRI | – | test |
| `nm_bone` | pydicom `JPEG2000.dcm` (BodyPartExamined WHOLE BODY, bone scan) | nuclear medicine | whole body | train |
| `us_echo` | pydicom `examples_ybr_color.dcm` (frame 0, parasternal long axis) | ultrasound | heart | train |
| `fundus` | scikit-image `retina.jpg` (CC0) | fundus photography | eye | train |
| `fundus_detail` | scikit-image `microaneurysms.png` (CC0) | fundus photography | eye | test |
| `ihc` | scikit-image `ihc.png` (immunohistochemistry; no known restrictions) | histology | – | train |

pydicom's files are MIT-distributed test images (NEMA WG04 / GDCM); its other US files carry
burned-in institution names and dates, so they are left out, and scikit-image's `cell.png`
(round bright cells with dark rims) would look like the inserted lesion. The split is by source image: every
variant of a test source is in test, and every modality of the test split also has a train source.

Each source becomes `variants` images (224 × 224, as the encoders see them): mirrored left to
right or not, then rotated 0 / 90 / 180 / 270 degrees clockwise (the 8 elements of the square's
symmetry group: each variant's transform is unique), and in about two of three a synthetic lesion
is drawn: a white disc with a black rim (visible on any background), small / medium / large
(radius 4 / 8 / 13 % of the side), wholly inside one quadrant of the displayed image. Questions
(closed: yes/no or a named choice; open: a word or phrase), per variant:

modality (open, and closed "Is this a CT image?" with the true or another modality), region (open,
when the table gives one), mirrored (closed), rotation (open), lesion presence (closed), and with a
lesion: side (closed: left / right), quadrant (open) and size (closed: small / medium / large).
Plus one caption per image. "Left" is the image's left, not the patient's.

This is a regression and plumbing set: a model trained on it is scored on its own generator
(HOUSE_STYLE 14), so its figures say the pipeline learns, not how well a model reads medical images.
"""

from __future__ import annotations

import importlib.util
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from medllm.core import AssetError, DataError, owner_only, read_jsonl, write_json, write_jsonl
from medllm.vision.image import Image, read_image
from medllm.vision.vqa_loaders import VqaItem

DATASET = "medllm_generated"
SIZE = 224
SIZES = {"small": 0.04, "medium": 0.08, "large": 0.13}  # radius / side
QUADRANTS = ("upper left", "upper right", "lower left", "lower right")


@dataclass(frozen=True)
class Source:
    key: str
    package: str  # "pydicom" | "skimage"
    file: str
    modality: str
    region: str | None
    split: str


SOURCES = (
    Source("ct_spine", "pydicom", "CT_small.dcm", "CT", "chest", "train"),
    Source("ct_head_a", "pydicom", "693_J2KI.dcm", "CT", "head", "train"),
    Source("ct_head_b", "pydicom", "J2K_pixelrep_mismatch.dcm", "CT", "head", "test"),
    Source("mr_abdomen", "pydicom", "examples_overlay.dcm", "MRI", "abdomen", "train"),
    Source("mr_small", "pydicom", "MR_small.dcm", "MRI", None, "test"),
    Source("nm_bone", "pydicom", "JPEG2000.dcm", "nuclear medicine", "whole body", "train"),
    Source("us_echo", "pydicom", "examples_ybr_color.dcm", "ultrasound", "heart", "train"),
    Source("fundus", "skimage", "retina.jpg", "fundus photography", "eye", "train"),
    Source("fundus_detail", "skimage", "microaneurysms.png", "fundus photography", "eye", "test"),
    Source("ihc", "skimage", "ihc.png", "histology", None, "train"),
)
MODALITIES = sorted({s.modality for s in SOURCES})
_FOLDERS = {"pydicom": "data/test_files", "skimage": "data"}


@dataclass(frozen=True)
class Lesion:
    quadrant: str
    size: str
    center: tuple[int, int]  # (row, col) in the 224 × 224 image
    radius: int


@dataclass(frozen=True)
class Variant:
    id: str
    source: Source
    mirrored: bool
    rotation: int  # degrees clockwise
    lesion: Lesion | None
    split: str


@dataclass(frozen=True)
class Caption:
    id: str
    image: Path
    caption: str = field(repr=False)
    split: str


@dataclass
class VqaSet:
    items: list[VqaItem]
    captions: list[Caption]


def source_path(source: Source) -> Path:
    spec = importlib.util.find_spec(source.package)
    if spec is None or spec.origin is None:
        raise AssetError(f"{source.package} is not installed", fix="pip install 'medllm[vision]'")
    path = Path(spec.origin).parent / _FOLDERS[source.package] / source.file
    if not path.is_file():
        raise AssetError(
            f"{source.package} does not ship {source.file}",
            fix="install the version in pyproject's vision extra (pydicom 3, scikit-image 0.26)",
        )
    return path


def square(image: Image) -> np.ndarray:
    """First frame, 224 × 224, float32 [0, 1], (224, 224) grey or (224, 224, 3) colour."""
    from PIL import Image as PILImage

    frame = image.pixels[0]
    pil = PILImage.fromarray(np.clip(frame * 255.0 + 0.5, 0, 255).astype(np.uint8))
    return np.asarray(pil.resize((SIZE, SIZE), PILImage.Resampling.BILINEAR), np.float32) / 255


def plan(source: Source, variants: int, rng: np.random.Generator) -> list[Variant]:
    """`variants` distinct transforms of one source (cycling through all 8, then repeating), a
    lesion in two of three, quadrant and size cycled so that each is about equally common."""
    out = []
    for j in range(variants):
        mirrored, rotation = bool((j // 4) % 2), 90 * (j % 4)
        lesion = None
        if j % 3 != 2:
            n = j - j // 3  # index among the variants that get a lesion
            lesion = place(QUADRANTS[n % 4], list(SIZES)[(n // 4 + n) % 3], rng)
        out.append(
            Variant(f"{source.key}-{j:02d}", source, mirrored, rotation, lesion, source.split)
        )
    return out


def place(quadrant: str, size: str, rng: np.random.Generator) -> Lesion:
    radius = round(SIZES[size] * SIZE)
    half, margin = SIZE // 2, radius + 3  # the 2-px rim and one pixel of air inside the quadrant
    row0 = 0 if quadrant.startswith("upper") else half
    col0 = 0 if quadrant.endswith("left") else half
    row = int(rng.integers(row0 + margin, row0 + half - margin + 1))
    col = int(rng.integers(col0 + margin, col0 + half - margin + 1))
    return Lesion(quadrant, size, (row, col), radius)


def render(base: np.ndarray, v: Variant) -> np.ndarray:
    """Mirror, rotate clockwise, then draw the lesion on the displayed image."""
    x = base[:, ::-1] if v.mirrored else base
    x = np.rot90(x, k=-(v.rotation // 90)).copy()  # np.rot90 turns anticlockwise for k > 0
    if v.lesion is not None:
        rows, cols = np.ogrid[:SIZE, :SIZE]
        (r, c), rad = v.lesion.center, v.lesion.radius
        dist = np.sqrt((rows - r) ** 2 + (cols - c) ** 2)
        x[dist <= rad + 2] = 0.0
        x[dist <= rad] = 1.0
    return x


def questions(v: Variant, rng: np.random.Generator) -> Iterator[tuple[str, str, str, bool]]:
    """(question_type, question, answer, closed) of one variant."""
    s = v.source
    yield "modality", "What imaging modality is this?", s.modality, False
    asked = (
        s.modality
        if rng.random() < 0.5
        else str(rng.choice([m for m in MODALITIES if m != s.modality]))
    )
    yes = "yes" if asked == s.modality else "no"
    article = "an" if asked in ("MRI", "ultrasound") else "a"  # "an MRI": said "em"
    yield "modality", f"Is this {article} {asked} image?", yes, True
    if s.region:
        yield "region", "Which body region is shown?", s.region, False
    yield "mirrored", "Is this image mirrored left to right?", "yes" if v.mirrored else "no", True
    yield "rotation", "By how many degrees clockwise is this image rotated?", str(v.rotation), False
    lesion = v.lesion
    yield "presence", "Is there an inserted lesion?", "yes" if lesion else "no", True
    if lesion:
        side = lesion.quadrant.split()[1]
        yield "side", "Is the inserted lesion on the left or the right of the image?", side, True
        yield (
            "quadrant",
            "In which quadrant of the image is the inserted lesion?",
            lesion.quadrant,
            False,
        )
        yield "size", "Is the inserted lesion small, medium or large?", lesion.size, True


def caption(v: Variant) -> str:
    s = v.source
    text = f"{s.modality} image" + (f" of the {s.region}" if s.region else "")
    text += f", rotated {v.rotation} degrees clockwise"
    text += ", mirrored left to right" if v.mirrored else ", not mirrored"
    if v.lesion:
        return text + f"; a {v.lesion.size} inserted lesion in the {v.lesion.quadrant} quadrant."
    return text + "; no inserted lesion."


def make_vqa_set(out: str | Path, *, variants: int = 8, seed: int = 0) -> VqaSet:
    """Write `OUT/images/<id>.png`, `vqa.jsonl`, `captions.jsonl` and `manifest.json` (owner-only)
    and return the records. The same seed gives byte-identical files."""
    if variants < 1:
        raise DataError(f"variants {variants} is below 1", fix="give --variants 1 or more")
    from PIL import Image as PILImage

    out = Path(out)
    rng = np.random.default_rng(seed)
    items: list[VqaItem] = []
    captions: list[Caption] = []
    with owner_only(out):
        (out / "images").mkdir(exist_ok=True)
        for source in SOURCES:
            base = square(read_image(source_path(source)))
            for v in plan(source, variants, rng):
                image = out / "images" / f"{v.id}.png"
                pixels = np.clip(render(base, v) * 255.0 + 0.5, 0, 255).astype(np.uint8)
                PILImage.fromarray(pixels).save(image)
                captions.append(Caption(v.id, image, caption(v), v.split))
                for k, (qtype, q, a, closed) in enumerate(questions(v, rng)):
                    items.append(
                        VqaItem(f"{v.id}-q{k}", image, q, a, closed, qtype, DATASET, v.split)
                    )
        write_jsonl(out / "vqa.jsonl", (_row(i, out) for i in items))
        write_jsonl(
            out / "captions.jsonl",
            (
                {
                    "id": c.id,
                    "image": c.image.relative_to(out).as_posix(),
                    "caption": c.caption,
                    "split": c.split,
                }
                for c in captions
            ),
        )
        write_json(out / "manifest.json", _manifest(items, captions, variants, seed))
    return VqaSet(items, captions)


def _row(item: VqaItem, out: Path) -> dict[str, object]:
    return {
        "id": item.id,
        "image": item.image.relative_to(out).as_posix(),
        "question": item.question,
        "answer": item.answer,
        "closed": item.closed,
        "question_type": item.question_type,
        "split": item.split,
    }


def _manifest(
    items: list[VqaItem], captions: list[Caption], variants: int, seed: int
) -> dict[str, object]:
    def count(rows: list[str]) -> dict[str, int]:
        return {k: rows.count(k) for k in sorted(set(rows))}

    return {
        "dataset": DATASET,
        "variants": variants,
        "seed": seed,
        "images": count([c.split for c in captions]),
        "questions": count([i.split for i in items]),
        "question_types": count([i.question_type for i in items]),
        "closed": count(["closed" if i.closed else "open" for i in items]),
        "sources": [
            {"key": s.key, "package": s.package, "file": s.file, "split": s.split} for s in SOURCES
        ],
    }


def load_generated(path: Path, split: str | None = "test") -> list[VqaItem]:
    """A folder `make_vqa_set` wrote (or its vqa.jsonl) back into `VqaItem`s."""
    file = path / "vqa.jsonl" if path.is_dir() else path
    if split not in ("train", "test", None):
        raise DataError(f"the generated set has no split {split!r}", fix="use train, test or none")
    fields = ("id", "image", "question", "answer", "closed", "question_type", "split")
    items = []
    for _, row in read_jsonl(file, required=fields):
        item = VqaItem(
            id=str(row["id"]),
            image=file.parent / str(row["image"]),
            question=str(row["question"]),
            answer=str(row["answer"]),
            closed=bool(row["closed"]),
            question_type=str(row["question_type"]),
            dataset=DATASET,
            split=str(row["split"]),
        )
        if split is None or item.split == split:
            items.append(item)
    return items


def load_captions(path: str | Path, split: str | None = "train") -> list[Caption]:
    """The captions of a folder `make_vqa_set` wrote (or its captions.jsonl)."""
    path = Path(path)
    file = path / "captions.jsonl" if path.is_dir() else path
    out = []
    for _, row in read_jsonl(file, required=("id", "image", "caption", "split")):
        cap = Caption(
            str(row["id"]), file.parent / str(row["image"]), str(row["caption"]), str(row["split"])
        )
        if split is None or cap.split == split:
            out.append(cap)
    return out
