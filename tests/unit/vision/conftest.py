"""pydicom's bundled test files, read where the installed package holds them (never downloaded:
`get_testdata_file` would fetch names the wheel lacks)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

pydicom = pytest.importorskip("pydicom")

TEST_FILES = Path(pydicom.__file__).parent / "data" / "test_files"


def _dicom_file(name: str) -> Path:
    path = TEST_FILES / name
    assert path.exists(), f"{name} is not shipped in this pydicom"
    return path


@pytest.fixture(scope="session")
def dicom_file() -> Callable[[str], Path]:
    """`dicom_file("CT_small.dcm")`: the path of one of pydicom's shipped test files."""
    return _dicom_file
