"""Shared synthetic gold notes for the privacy tests (generated, never real PHI)."""

from __future__ import annotations

import pytest

from medllm.privacy.gold.synthetic import GoldNote, generate_notes


@pytest.fixture(scope="session")
def gold_notes() -> list[GoldNote]:
    return generate_notes(100, seed=0)
