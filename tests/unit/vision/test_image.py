"""`read_image` on pydicom's bundled DICOM files and on PNG / JPEG written by the test.

Expected pixels are computed here from the file's own stored values and header, by the PS3.3
formulas, so each assertion is an exact equality."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np
import pydicom
import pytest
from PIL import Image as PILImage
from pydicom.pixels import convert_color_space, pixel_array

from medllm.core import DataError
from medllm.vision import read_image, to_pil


def linear(x: np.ndarray, c: float, w: float) -> np.ndarray:
    """PS3.3 C.11.2.1.2.1 LINEAR window onto [0, 1], as float32 (what `read_image` returns)."""
    return linear64(x, c, w).astype(np.float32)


def linear64(x: np.ndarray, c: float, w: float) -> np.ndarray:
    return np.clip((x - (c - 0.5)) / (w - 1) + 0.5, 0, 1)


def test_ct_rescale_to_hounsfield_and_a_requested_window(dicom_file: Callable[[str], Path]) -> None:
    ds = pydicom.dcmread(dicom_file("CT_small.dcm"))
    hu = ds.pixel_array.astype(np.float64) * float(ds.RescaleSlope) + float(ds.RescaleIntercept)
    im = read_image(dicom_file("CT_small.dcm"), window=(40, 400))
    assert im.pixels.shape == (1, 128, 128) and im.pixels.dtype == np.float32
    assert im.modality == "CT" and im.window == (40, 400) and not im.is_colour
    expected = linear(hu, 40, 400)
    np.testing.assert_array_equal(im.pixels[0], expected)
    # (40, 400): white from 239 HU up, black from -160 HU down ((x - 39.5) / 399 = +-0.5)
    assert int((im.pixels == 1).sum()) == int((hu >= 239).sum()) > 0
    assert int((im.pixels == 0).sum()) == int((hu <= -160).sum())


def test_no_window_in_file_is_the_min_max_of_the_modality_values(
    dicom_file: Callable[[str], Path],
) -> None:
    ds = pydicom.dcmread(dicom_file("CT_small.dcm"))
    assert "WindowCenter" not in ds
    hu = ds.pixel_array.astype(np.float64) * float(ds.RescaleSlope) + float(ds.RescaleIntercept)
    im = read_image(dicom_file("CT_small.dcm"))
    expected = ((hu - hu.min()) / (hu.max() - hu.min())).astype(np.float32)
    np.testing.assert_array_equal(im.pixels[0], expected)
    assert im.window is None


def test_file_window_is_used_when_none_is_asked_for(dicom_file: Callable[[str], Path]) -> None:
    ds = pydicom.dcmread(dicom_file("MR_small.dcm"))
    c, w = float(ds.WindowCenter), float(ds.WindowWidth)
    im = read_image(dicom_file("MR_small.dcm"))
    assert im.window == (600.0, 1600.0) == (c, w)
    np.testing.assert_array_equal(im.pixels[0], linear(ds.pixel_array.astype(np.float64), c, w))


def test_monochrome1_is_inverted_after_the_window(dicom_file: Callable[[str], Path]) -> None:
    name = "dicomdirtests/77654033/CR1/6154"
    ds = pydicom.dcmread(dicom_file(name))
    assert ds.PhotometricInterpretation == "MONOCHROME1"
    values = ds.pixel_array * float(ds.RescaleSlope) + float(ds.RescaleIntercept)
    im = read_image(dicom_file(name))
    assert im.pixels.shape == (1, 16, 16)
    expected = (1 - linear64(values, float(ds.WindowCenter), float(ds.WindowWidth))).astype(
        np.float32
    )
    np.testing.assert_array_equal(im.pixels[0], expected)
    # the lowest stored value is the whitest pixel
    assert im.pixels[0].flat[int(np.argmin(values))] == im.pixels.max()


def test_multi_frame_greyscale_keeps_every_frame(dicom_file: Callable[[str], Path]) -> None:
    ds = pydicom.dcmread(dicom_file("rtdose.dcm"))
    im = read_image(dicom_file("rtdose.dcm"))
    assert im.pixels.shape == (15, 10, 10) and int(ds.NumberOfFrames) == 15
    dose = ds.pixel_array.astype(np.float64) * float(ds.get("RescaleSlope", 1) or 1)
    expected = ((dose - dose.min()) / (dose.max() - dose.min())).astype(np.float32)
    np.testing.assert_array_equal(im.pixels, expected)


def test_multi_frame_ybr_jpeg_becomes_rgb(dicom_file: Callable[[str], Path]) -> None:
    ds = pydicom.dcmread(dicom_file("examples_ybr_color.dcm"))
    im = read_image(dicom_file("examples_ybr_color.dcm"))
    assert ds.PhotometricInterpretation == "YBR_FULL_422"
    assert im.pixels.shape == (30, 240, 320, 3) and im.is_colour and im.frames == 30
    expected = (pixel_array(ds, as_rgb=True).astype(np.float64) / 255).astype(np.float32)
    np.testing.assert_array_equal(im.pixels, expected)


def test_uncompressed_ybr_full_422_is_converted_to_rgb(dicom_file: Callable[[str], Path]) -> None:
    ds = pydicom.dcmread(dicom_file("SC_ybr_full_422_uncompressed.dcm"))
    ybr = pixel_array(ds, as_rgb=False)
    rgb = convert_color_space(ybr, "YBR_FULL", "RGB").astype(np.float64) / 255
    im = read_image(dicom_file("SC_ybr_full_422_uncompressed.dcm"))
    assert im.pixels.shape == (1, 100, 100, 3)
    np.testing.assert_array_equal(im.pixels[0], rgb.astype(np.float32))
    assert not np.array_equal(ybr, np.rint(im.pixels[0] * 255).astype(np.uint8))


def test_rgb_is_the_stored_samples_over_255(dicom_file: Callable[[str], Path]) -> None:
    ds = pydicom.dcmread(dicom_file("examples_rgb_color.dcm"))
    im = read_image(dicom_file("examples_rgb_color.dcm"))
    assert im.pixels.shape == (1, 240, 320, 3)
    np.testing.assert_array_equal(np.rint(im.pixels[0] * 255).astype(np.uint8), ds.pixel_array)


def test_palette_colour_goes_through_its_lut(dicom_file: Callable[[str], Path]) -> None:
    im = read_image(dicom_file("examples_palette.dcm"))
    assert im.pixels.shape == (1, 350, 800, 3) and im.photometric == "PALETTE COLOR"
    assert float(im.pixels.min()) >= 0 and float(im.pixels.max()) <= 1


def test_jpeg2000_ct_decodes_with_pillow(dicom_file: Callable[[str], Path]) -> None:
    ds = pydicom.dcmread(dicom_file("J2K_pixelrep_mismatch.dcm"))
    im = read_image(dicom_file("J2K_pixelrep_mismatch.dcm"), window=(40, 80))
    hu = ds.pixel_array * float(ds.RescaleSlope) + float(ds.RescaleIntercept)
    assert im.pixels.shape == (1, 512, 512)
    np.testing.assert_array_equal(im.pixels[0], linear(hu, 40, 80))


def test_png_grey_rgb_and_window(dicom_file: Callable[[str], Path], tmp_path: Path) -> None:
    grey = np.arange(128, dtype=np.uint8).reshape(8, 16) * 2  # 0, 2, ..., 254
    PILImage.fromarray(grey, mode="L").save(tmp_path / "g.png")
    im = read_image(tmp_path / "g.png")
    assert im.pixels.shape == (1, 8, 16) and im.kind == "png"
    np.testing.assert_array_equal(im.pixels[0], (grey / 255).astype(np.float32))
    windowed = read_image(tmp_path / "g.png", window=(128, 64))
    np.testing.assert_array_equal(windowed.pixels[0], linear(grey.astype(np.float64), 128, 64))
    rgb = np.zeros((4, 6, 3), dtype=np.uint8)
    rgb[..., 0], rgb[1, 2] = 200, (10, 20, 30)
    PILImage.fromarray(rgb, mode="RGB").save(tmp_path / "c.png")
    im = read_image(tmp_path / "c.png")
    assert im.pixels.shape == (1, 4, 6, 3)
    np.testing.assert_array_equal(np.rint(im.pixels[0] * 255).astype(np.uint8), rgb)


def test_to_pil_renders_8_bit(dicom_file: Callable[[str], Path], tmp_path: Path) -> None:
    im = read_image(dicom_file("CT_small.dcm"), window=(40, 400))
    out = to_pil(im)
    assert out.mode == "L" and out.size == (128, 128)
    np.testing.assert_array_equal(np.asarray(out), np.rint(im.pixels[0] * 255).astype(np.uint8))
    assert to_pil(read_image(dicom_file("examples_ybr_color.dcm")), frame=29).mode == "RGB"
    with pytest.raises(DataError, match="frame 30 does not exist"):
        to_pil(read_image(dicom_file("examples_ybr_color.dcm")), frame=30)


# errors --------------------------------------------------------------------------------------
def test_compressed_without_a_decoder_names_the_file_and_the_packages(
    dicom_file: Callable[[str], Path],
) -> None:
    path = dicom_file("MR_small_jpeg_ls_lossless.dcm")
    with pytest.raises(DataError) as e:
        read_image(path)
    msg = str(e.value)
    assert str(path) in msg and "JPEG-LS Lossless" in msg and "pylibjpeg" in msg


def test_structured_report_has_no_pixel_data(dicom_file: Callable[[str], Path]) -> None:
    path = dicom_file("reportsi.dcm")
    with pytest.raises(DataError, match="no pixel data \\(Basic Text SR Storage\\)") as e:
        read_image(path)
    assert str(path) in str(e.value)


@pytest.mark.parametrize("keep", [100, 1000, 3000, 20000])
def test_truncated_dicom_is_an_error_naming_the_file(
    dicom_file: Callable[[str], Path], tmp_path: Path, keep: int
) -> None:
    cut = tmp_path / "cut.dcm"
    cut.write_bytes(dicom_file("CT_small.dcm").read_bytes()[:keep])
    with pytest.raises(DataError) as e:
        read_image(cut)
    assert str(e.value).startswith(f"{cut}: ") and "fix:" in str(e.value)
    assert "truncated" in str(e.value) or "not a DICOM file" in str(e.value)


def test_pydicoms_own_truncated_file(dicom_file: Callable[[str], Path]) -> None:
    with pytest.raises(DataError, match="pixel data truncated"):
        read_image(dicom_file("MR_truncated.dcm"))


def test_truncated_png_missing_file_and_unknown_suffix(
    dicom_file: Callable[[str], Path], tmp_path: Path
) -> None:
    PILImage.fromarray(np.zeros((64, 64), dtype=np.uint8) + 7).save(tmp_path / "a.png")
    (tmp_path / "cut.png").write_bytes((tmp_path / "a.png").read_bytes()[:40])
    with pytest.raises(DataError, match=r"cut\.png: not a readable image"):
        read_image(tmp_path / "cut.png")
    with pytest.raises(DataError, match="file not found"):
        read_image(tmp_path / "none.png")
    (tmp_path / "x.gif").write_bytes(b"GIF89a")
    with pytest.raises(DataError, match="not an image this reads"):
        read_image(tmp_path / "x.gif")


def test_voi_lut_sequence_maps_the_modality_values(
    dicom_file: Callable[[str], Path], tmp_path: Path
) -> None:
    """MR_small with its window replaced by a VOI LUT: entry k for stored value first + k."""
    from pydicom import Dataset

    ds = pydicom.dcmread(dicom_file("MR_small.dcm"))
    del ds.WindowCenter, ds.WindowWidth
    stored = ds.pixel_array.astype(np.int64)
    first, n = int(stored.min()), int(stored.max() - stored.min() + 1)
    table = (np.arange(n) * 4095 // (n - 1)).astype(np.uint16)  # a 12-bit ramp
    item = Dataset()
    item.LUTDescriptor = [n, first, 12]
    item.add_new(0x00283006, "US", table.tolist())  # LUT Data
    ds.VOILUTSequence = [item]
    ds.save_as(tmp_path / "voi.dcm", enforce_file_format=False)
    im = read_image(tmp_path / "voi.dcm")
    expected = (table[stored - first].astype(np.float64) / 4095).astype(np.float32)
    np.testing.assert_array_equal(im.pixels[0], expected)
    assert im.window is None
