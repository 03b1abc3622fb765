"""One error hierarchy. Every message says what went wrong and how to fix it, and never carries PHI."""

from __future__ import annotations

from pathlib import Path


class MedllmError(Exception):
    """Base of every error medllm raises on purpose; the CLI prints it as one line and exits 2."""

    def __init__(self, message: str, *, fix: str | None = None) -> None:
        self.message = message
        self.fix = fix
        super().__init__(f"{message} (fix: {fix})" if fix else message)


class ConfigError(MedllmError):
    """A config file or override is invalid."""


class DataError(MedllmError):
    """A data file or record is malformed. Names the file, line (or record) and field."""

    def __init__(
        self,
        message: str,
        *,
        path: str | Path | None = None,
        line: int | None = None,
        field: str | None = None,
        fix: str | None = None,
    ) -> None:
        self.path = str(path) if path is not None else None
        self.line = line
        self.field = field
        where = self.path or ""
        if line is not None:
            where += f":{line}"
        prefix = f"{where}: " if where else ""
        if field is not None:
            prefix += f'field "{field}": '
        super().__init__(prefix + message, fix=fix)


class AssetError(MedllmError):
    """A packaged model or data file is missing or does not match its checksum."""


class ModelError(MedllmError):
    """A model cannot be loaded or queried (bad spec, unreachable server, ...)."""


class CapabilityError(ModelError):
    """The backend cannot do what was asked (e.g. a server that returns no log-probs)."""


class ContextLengthError(ModelError):
    """The prompt does not fit into the model's context window."""
