"""Vision: medical image input (DICOM, PNG, JPEG), DICOM de-identification, VQA data loaders.

Public API: `read_image` / `Image` / `to_pil` (normalised pixels), `deidentify_dataset` and
`run_dicom_deid` (the PS3.15 Basic Application Level Confidentiality Profile), and `load_vqa`
(VQA-RAD, SLAKE, PathVQA files into `VqaItem` records). pydicom and Pillow are imported inside the
functions that need them (the `vision` extra); nothing here imports torch.
"""

from __future__ import annotations

from medllm.vision.dicom_deid import DicomDeidResult, deidentify_dataset, remap_uid
from medllm.vision.dicom_runner import DicomDeidSummary, run_dicom_deid
from medllm.vision.image import Image, read_image, to_pil
from medllm.vision.vqa_loaders import VqaItem, load_vqa

__all__ = [
    "DicomDeidResult",
    "DicomDeidSummary",
    "Image",
    "VqaItem",
    "deidentify_dataset",
    "load_vqa",
    "read_image",
    "remap_uid",
    "run_dicom_deid",
    "to_pil",
]
