"""Vocabulary and user-file sources. Each vocabulary module offers typed records and `documents()`."""

from __future__ import annotations
