"""The ground floor every stage stands on: records, errors, config loading, registries, packaged
assets, JSONL I/O, the train / held-out split, progress reporting and the answer notice.

Other stages import these from `medllm.core` only, never from its modules.
"""

from __future__ import annotations

from medllm.core.assets import cache_dir, locate, sha256_file, sha256_matches, stamp_sha256
from medllm.core.config import deep_merge, load_config, parse_overrides, read_yaml, validate
from medllm.core.errors import (
    AssetError,
    CapabilityError,
    ConfigError,
    ContextLengthError,
    DataError,
    MedllmError,
    ModelError,
)
from medllm.core.jsonl import (
    append_jsonl,
    atomic_open,
    check_out_file,
    decode_line,
    parse_json,
    parse_line,
    read_json,
    read_jsonl,
    write_json,
    write_jsonl,
)
from medllm.core.notice import DISCLAIMER, LETTERS
from medllm.core.private import check_out_apart, check_out_folder, owner_only
from medllm.core.progress import Progress, progress_bar
from medllm.core.records import ChatMessage, Chunk, Document, Hit, Question, Span
from medllm.core.registry import (
    REGISTRIES,
    Registry,
    UnknownNameError,
    get_registry,
    import_optional,
    load_builtin_registries,
)
from medllm.core.schemas import load_any, schemas
from medllm.core.splits import (
    HPO_DISEASE,
    ICD10CM,
    SPLITS,
    WHO_MEDICINE,
    check_split,
    in_split,
    is_heldout,
    shown_in,
    split_of,
)

__all__ = [
    "DISCLAIMER",
    "HPO_DISEASE",
    "ICD10CM",
    "LETTERS",
    "REGISTRIES",
    "SPLITS",
    "WHO_MEDICINE",
    "AssetError",
    "CapabilityError",
    "ChatMessage",
    "Chunk",
    "ConfigError",
    "ContextLengthError",
    "DataError",
    "Document",
    "Hit",
    "MedllmError",
    "ModelError",
    "Progress",
    "Question",
    "Registry",
    "Span",
    "UnknownNameError",
    "append_jsonl",
    "atomic_open",
    "cache_dir",
    "check_out_apart",
    "check_out_file",
    "check_out_folder",
    "check_split",
    "decode_line",
    "deep_merge",
    "get_registry",
    "import_optional",
    "in_split",
    "is_heldout",
    "load_any",
    "load_builtin_registries",
    "load_config",
    "locate",
    "owner_only",
    "parse_json",
    "parse_line",
    "parse_overrides",
    "progress_bar",
    "read_json",
    "read_jsonl",
    "read_yaml",
    "schemas",
    "sha256_file",
    "sha256_matches",
    "shown_in",
    "split_of",
    "stamp_sha256",
    "validate",
    "write_json",
    "write_jsonl",
]
