"""Image input: a DICOM file or a PNG / JPEG into one normalised array.

`read_image(path, window=None)` returns an `Image` whose `pixels` are float32 in [0, 1]:
`(frames, rows, cols)` for greyscale, `(frames, rows, cols, 3)` for colour (RGB). A single-frame
image still has its frame axis (frames = 1).

DICOM greyscale, in the order PS3.3 C.11 prescribes:
1. stored values → modality values by the Modality LUT (Rescale Slope / Intercept, or a Modality
   LUT Sequence): Hounsfield units for CT;
2. modality values → [0, 1] by a VOI transform: the `window=(center, width)` asked for, else the
   file's first Window Center / Width (LINEAR, LINEAR_EXACT or SIGMOID), else its VOI LUT
   Sequence, else the frame set's own min..max;
3. MONOCHROME1 (0 = white) is inverted, so 1.0 is always white.

DICOM colour: RGB as stored; YBR_FULL / YBR_FULL_422 converted to RGB (pydicom's `as_rgb`;
JPEG 2000's YBR_RCT / YBR_ICT are converted by the decoder); PALETTE COLOR through its LUT;
8-bit samples divided by 255, wider ones by their maximum (2**BitsStored - 1).
PNG / JPEG: greyscale (L, I;16, I) or RGB (others, alpha dropped), divided by the mode's maximum; a
window, if asked for, applies to the stored grey values.

Errors (`DataError`, naming the file and the fix): not found, not an image, a truncated or corrupt
file, a DICOM object without pixel data (a structured report, an RT plan), and a compressed
transfer syntax no installed decoder can read (which packages would).
"""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from medllm.core import DataError

if TYPE_CHECKING:
    from PIL.Image import Image as PILImage
    from pydicom import Dataset

PIL_SUFFIXES = frozenset({".png", ".jpg", ".jpeg"})
DICOM_SUFFIXES = frozenset({".dcm", ".dicom", ""})  # DICOM files often have no extension
_COLOUR = frozenset({"RGB", "YBR_FULL", "YBR_FULL_422", "YBR_RCT", "YBR_ICT", "PALETTE COLOR"})


@dataclass(frozen=True)
class Image:
    """A normalised image: `pixels` float32 in [0, 1], (frames, rows, cols[, 3])."""

    pixels: np.ndarray = field(repr=False)
    source: str
    kind: str  # "dicom" | "png" | "jpeg"
    photometric: str  # the file's (DICOM) or "MONOCHROME2" / "RGB" (PNG / JPEG)
    modality: str | None = None
    window: tuple[float, float] | None = None  # (center, width) applied, in modality units

    @property
    def frames(self) -> int:
        return int(self.pixels.shape[0])

    @property
    def is_colour(self) -> bool:
        return self.pixels.ndim == 4


def read_image(path: str | Path, *, window: tuple[float, float] | None = None) -> Image:
    """A DICOM, PNG or JPEG file as an `Image` (see the module doc for the transforms)."""
    path = Path(path)
    if not path.is_file():
        raise DataError("file not found", path=path, fix="give the path of an existing image")
    if window is not None and not window[1] >= 1:
        raise DataError(
            f"window width {window[1]} is below 1", path=path, fix="give --window CENTER,WIDTH>=1"
        )
    if _is_dicom(path):
        return read_dicom(path, window=window)
    if path.suffix.lower() in PIL_SUFFIXES:
        return _read_pil(path, window)
    raise DataError(
        f"not an image this reads (suffix {path.suffix!r})",
        path=path,
        fix="give a DICOM file (.dcm or no suffix), a .png or a .jpg",
    )


def _is_dicom(path: Path) -> bool:
    with path.open("rb") as f:
        head = f.read(132)
    return head[128:132] == b"DICM" or path.suffix.lower() in DICOM_SUFFIXES


# DICOM --------------------------------------------------------------------------------------
@contextmanager
def quiet_pydicom() -> Iterator[None]:
    """pydicom's value checks off: their warnings quote header values ("Invalid value for VR UI:
    '1.2.3…'"), which are PHI in a log. Values are still read and written as they are."""
    from pydicom import config

    modes = config.settings.reading_validation_mode, config.settings.writing_validation_mode
    config.settings.reading_validation_mode = config.IGNORE
    config.settings.writing_validation_mode = config.IGNORE
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)
            yield
    finally:
        config.settings.reading_validation_mode, config.settings.writing_validation_mode = modes


def read_dataset(path: Path, *, stop_before_pixels: bool = False) -> Dataset:
    """pydicom's dataset, or a DataError for a file that is not (complete) DICOM."""
    import pydicom
    from pydicom.errors import InvalidDicomError

    try:
        with quiet_pydicom():
            ds = pydicom.dcmread(path, force=True, stop_before_pixels=stop_before_pixels)
            for _ in ds.iterall():  # parses every element now: a truncated header fails here
                pass
    except (InvalidDicomError, EOFError, OSError, ValueError, TypeError, KeyError) as e:
        raise DataError(
            f"not a readable DICOM file, truncated or corrupt ({type(e).__name__})",
            path=path,
            fix="copy the file again from its source (PACS export, CD) and check its size",
        ) from None
    meta = getattr(ds, "file_meta", None)
    known = "SOPClassUID" in ds or "PixelData" in ds or "MediaStorageSOPClassUID" in (meta or {})
    if len(ds) == 0 or not known:
        raise DataError(
            "not a DICOM file (no image or SOP class attributes in it)",
            path=path,
            fix="give a DICOM file, or a .png / .jpg with its own suffix",
        )
    return ds


def read_dicom(path: str | Path, *, window: tuple[float, float] | None = None) -> Image:
    """A DICOM image file as an `Image` (modality LUT, VOI window, MONOCHROME1, colour → RGB)."""
    path = Path(path)
    ds = read_dataset(path)
    if "PixelData" not in ds:
        what = _sop_name(ds)
        if what.endswith("Image Storage"):  # an image class without its pixels: cut short
            raise DataError(
                f"DICOM image ({what}) without pixel data: the file is truncated",
                path=path,
                fix="copy the file again from its source (PACS export, CD) and check its size",
            )
        raise DataError(
            f"DICOM object has no pixel data ({what}): it is not an image",
            path=path,
            fix="give an image object (CT, MR, CR, US, ...); reports and RT plans hold no image",
        )
    stored = _decoded(ds, path)
    frames = int(ds.get("NumberOfFrames") or 1)
    photometric = str(ds.get("PhotometricInterpretation", "MONOCHROME2")).strip()
    colour = photometric in _COLOUR or int(ds.get("SamplesPerPixel") or 1) == 3
    if colour:
        pixels, applied = _colour(ds, stored), None
    else:
        pixels, applied = _grey(ds, stored, window, photometric)
    if frames == 1:
        pixels = pixels[None]  # (rows, cols[, 3]) → (1, rows, cols[, 3])
    modality = str(ds.get("Modality", "")) or None
    return Image(pixels.astype(np.float32), str(path), "dicom", photometric, modality, applied)


def _sop_name(ds: Dataset) -> str:
    uid = ds.get("SOPClassUID")
    return str(getattr(uid, "name", uid)) if uid else "no SOP Class UID"


def _decoded(ds: Dataset, path: Path) -> np.ndarray:
    """The stored pixel values (YBR converted to RGB), or a DataError saying why not."""
    from pydicom.pixels import get_decoder, pixel_array

    ts = ds.file_meta.get("TransferSyntaxUID") if hasattr(ds, "file_meta") else None
    if ts is not None and ts.is_compressed:
        try:
            decoder = get_decoder(ts)
        except NotImplementedError:
            raise DataError(
                f"transfer syntax {ts} ({ts.name}) is not supported by pydicom",
                path=path,
                fix="convert the file to an uncompressed transfer syntax first "
                "(dcmtk: dcmconv +te; gdcm: gdcmconv --raw)",
            ) from None
        if not decoder.is_available:
            needs = "; ".join(decoder.missing_dependencies)
            raise DataError(
                f"compressed pixel data ({ts.name}) and no decoder for it is installed",
                path=path,
                fix=f"install one of: {needs}; or decompress it (gdcmconv --raw IN OUT)",
            )
    try:
        with quiet_pydicom():
            return np.asarray(pixel_array(ds, as_rgb=True))
    except (ValueError, EOFError) as e:
        short = "truncated" if "less than expected" in str(e) else "unreadable"
        raise DataError(
            f"pixel data {short} ({type(e).__name__})",
            path=path,
            fix="copy the file again from its source; its pixel data are incomplete",
        ) from None
    except (RuntimeError, NotImplementedError):
        name = ts.name if ts is not None else "unknown transfer syntax"
        raise DataError(
            f"compressed pixel data ({name}) that the installed decoders could not read",
            path=path,
            fix="install pylibjpeg with pylibjpeg-libjpeg and pylibjpeg-openjpeg, or gdcm; "
            "or decompress it (gdcmconv --raw IN OUT)",
        ) from None


def _colour(ds: Dataset, stored: np.ndarray) -> np.ndarray:
    """RGB in [0, 1]: palette colour through its LUT, samples divided by their maximum."""
    from pydicom.pixels import apply_color_lut

    photometric = str(ds.get("PhotometricInterpretation", "")).strip()
    if photometric == "PALETTE COLOR":
        rgb = np.asarray(apply_color_lut(stored, ds), dtype=np.float64)
        bits = int(ds.RedPaletteColorLookupTableDescriptor[2])  # LUT entries: 8 or 16 bit
        return rgb / float(2**bits - 1)
    bits = int(ds.get("BitsStored") or ds.get("BitsAllocated") or 8)
    return np.asarray(stored, dtype=np.float64) / float(2**bits - 1)


def _grey(
    ds: Dataset, stored: np.ndarray, window: tuple[float, float] | None, photometric: str
) -> tuple[np.ndarray, tuple[float, float] | None]:
    """Modality LUT, then VOI to [0, 1], then MONOCHROME1 inversion; (pixels, window used)."""
    from pydicom.pixels import apply_modality_lut, apply_voi_lut

    values = np.asarray(apply_modality_lut(stored, ds), dtype=np.float64)
    applied = window or _file_window(ds)
    if applied is not None:
        function = "LINEAR" if window is not None else str(ds.get("VOILUTFunction", "LINEAR"))
        out = voi_window(values, applied[0], applied[1], function)
    elif "VOILUTSequence" in ds:
        # the LUT maps modality values (PS3.3 C.11.2: VOI comes after the Modality LUT)
        lut = np.asarray(apply_voi_lut(np.rint(values).astype(np.int64), ds, prefer_lut=True))
        lut = lut.astype(np.float64)
        bits = int(ds.VOILUTSequence[0].LUTDescriptor[2])
        out = lut / float(2**bits - 1)
    else:
        out = _min_max(values)
    if photometric == "MONOCHROME1":
        out = 1.0 - out
    return out, applied


def _file_window(ds: Dataset) -> tuple[float, float] | None:
    """The file's first Window Center / Width (multi-valued: the first pair), if any."""
    center, width = ds.get("WindowCenter"), ds.get("WindowWidth")
    if center is None or width is None or center == "" or width == "":
        return None
    try:
        c, w = _first(center), _first(width)
    except (TypeError, ValueError, IndexError):
        return None
    return (c, w) if w >= 1 else None


def _first(value: Any) -> float:
    """A DS value or the first of a multi-valued one (pydicom's MultiValue)."""
    from pydicom.multival import MultiValue

    return float(value[0]) if isinstance(value, MultiValue | list | tuple) else float(value)


def voi_window(values: np.ndarray, center: float, width: float, function: str = "LINEAR") -> Any:
    """PS3.3 C.11.2.1.2 windowing to [0, 1]: LINEAR (the default), LINEAR_EXACT or SIGMOID."""
    x = np.asarray(values, dtype=np.float64)
    if function == "SIGMOID":
        return 1.0 / (1.0 + np.exp(-4.0 * (x - center) / width))
    if function == "LINEAR_EXACT":
        return np.clip((x - center) / width + 0.5, 0.0, 1.0)
    return np.clip((x - (center - 0.5)) / (width - 1.0) + 0.5, 0.0, 1.0)


def _min_max(values: np.ndarray) -> np.ndarray:
    lo, hi = float(values.min()), float(values.max())
    if hi == lo:
        return np.zeros_like(values)
    return (values - lo) / (hi - lo)


# PNG / JPEG ---------------------------------------------------------------------------------
_PIL_MAX = {"L": 255.0, "I;16": 65535.0, "I;16B": 65535.0, "1": 1.0}


def _read_pil(path: Path, window: tuple[float, float] | None) -> Image:
    from PIL import Image as PILModule
    from PIL import UnidentifiedImageError

    try:
        with PILModule.open(path) as im:
            im.load()
            mode = im.mode
            if mode in ("L", "I;16", "I;16B", "I", "1"):
                stored = np.asarray(im, dtype=np.float64)
                maximum = _PIL_MAX.get(mode) or float(max(stored.max(), 1.0))
            else:
                stored = np.asarray(im.convert("RGB"), dtype=np.float64)
                maximum = 255.0
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as e:
        raise DataError(
            f"not a readable image, truncated or corrupt ({type(e).__name__})",
            path=path,
            fix="copy the file again from its source, or convert it to PNG",
        ) from None
    kind = "jpeg" if path.suffix.lower() in (".jpg", ".jpeg") else "png"
    if stored.ndim == 3:
        return Image((stored / maximum)[None].astype(np.float32), str(path), kind, "RGB")
    grey = voi_window(stored, *window) if window is not None else stored / maximum
    return Image(grey[None].astype(np.float32), str(path), kind, "MONOCHROME2", None, window)


# output -------------------------------------------------------------------------------------
def to_pil(image: Image, frame: int = 0) -> PILImage:
    """One frame as an 8-bit PIL image (mode L or RGB), for display or a PNG."""
    from PIL import Image as PILModule

    if not 0 <= frame < image.frames:
        raise DataError(
            f"frame {frame} does not exist (the image has {image.frames})",
            path=image.source,
            fix=f"give a frame from 0 to {image.frames - 1}",
        )
    data = np.rint(np.clip(image.pixels[frame], 0.0, 1.0) * 255.0).astype(np.uint8)
    return PILModule.fromarray(data, mode="RGB" if image.is_colour else "L")
