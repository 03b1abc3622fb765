"""Vision: medical image input (DICOM, PNG, JPEG), DICOM de-identification, VQA data, and the
vision-language model (encoders, alignment modules, feature cache, the generated VQA set).

Public API: `read_image` / `Image` / `to_pil` (normalised pixels), `deidentify_dataset` and
`run_dicom_deid` (the PS3.15 Basic Application Level Confidentiality Profile), `load_vqa`
(VQA-RAD, SLAKE, PathVQA files into `VqaItem` records), `make_vqa_set` (questions with certain
answers on shipped images), the `encoders` / `aligners` registries with `load_encoder`,
`FeatureCache`, and `VisionLanguageModel`. pydicom and Pillow are imported inside the functions
that need them; torch, transformers and onnxruntime only when a name below that needs them is
first used (`from medllm.vision import read_image` imports none of them).
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

from medllm.vision.dicom_deid import DicomDeidResult, deidentify_dataset, remap_uid
from medllm.vision.dicom_runner import DicomDeidSummary, run_dicom_deid
from medllm.vision.features import FeatureCache
from medllm.vision.image import Image, read_image, to_pil
from medllm.vision.registry import aligners, encoders, load_encoder
from medllm.vision.vqa_gen import Caption, VqaSet, load_captions, make_vqa_set
from medllm.vision.vqa_loaders import VqaItem, load_vqa
from medllm.vision.vqa_score import majority_answers, normalise, score_vqa, token_recall

if TYPE_CHECKING:
    from medllm.vision.vlm import VisionLanguageModel

_LAZY = {"VisionLanguageModel": "medllm.vision.vlm"}  # imports torch + transformers


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        return getattr(import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'medllm.vision' has no attribute {name!r}")


__all__ = [
    "Caption",
    "DicomDeidResult",
    "DicomDeidSummary",
    "FeatureCache",
    "Image",
    "VisionLanguageModel",
    "VqaItem",
    "VqaSet",
    "aligners",
    "deidentify_dataset",
    "encoders",
    "load_captions",
    "load_encoder",
    "load_vqa",
    "majority_answers",
    "make_vqa_set",
    "normalise",
    "read_image",
    "remap_uid",
    "run_dicom_deid",
    "score_vqa",
    "to_pil",
    "token_recall",
]
