"""The de-identification config (`kind: deid`): which recognizers, which transform, how to run."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator


class DeidConfig(BaseModel):
    model_config = ConfigDict(extra="forbid")

    recognizers: list[str] = Field(
        default_factory=list,
        description="recognizer names (see `medllm ls recognizers`); empty = every default one "
        "(all but spacy_ner); '+name' adds to the defaults, '-name' removes from them",
    )
    transform: str = Field(
        "redact", description="redact | mask | surrogate (`medllm ls transforms`)"
    )
    secret: str | None = Field(
        None,
        description="key for surrogates, date shifts and pseudonymous names and ids; the same key "
        "gives the same output on a later run; none = $MEDLLM_DEID_KEY, else a random key per run "
        "(never stored)",
    )
    min_score: float = Field(0.0, ge=0, le=1, description="drop detections scored below this")
    fail_safe: Literal["strict", "balanced", "off"] = Field(
        "balanced",
        description="after the recognizers, remove tokens that are not known vocabulary or "
        "clinical numbers and look like a name, an identifier or an address part (as Philter "
        "does); strict: also every unknown lower-case word and 4-digit numbers; off: recognizers "
        "only",
    )
    text_fields: list[str] = Field(
        default_factory=lambda: ["text"], description="JSONL fields to de-identify (strings)"
    )
    keep_fields: list[str] = Field(
        default_factory=list,
        description="JSONL fields copied as they are (you vouch they hold no PHI); all other "
        "fields except id and patient are dropped",
    )
    id_field: str = Field(
        "id",
        description="JSONL field holding the record id (written as a keyed pseudonym id-<16 hex> "
        "unless keep_ids)",
    )
    keep_names: bool = Field(
        False,
        description="keep input file and folder names in OUT; default: every path component "
        "becomes doc-<12 hex> (keyed HMAC, extension kept), as names often hold a patient key",
    )
    keep_ids: bool = Field(
        False, description="keep JSONL record ids as they are (you vouch they hold no PHI)"
    )
    patient_field: str | None = Field(
        "patient_id",
        description="JSONL field naming the patient, so surrogates and date shifts are per patient "
        "(written back as a keyed pseudonym); records without it are their own patient",
    )
    workers: int = Field(1, ge=1, le=64, description="worker processes")
    window_chars: int = Field(
        262_144,
        ge=100,
        description="a text file is de-identified in windows of about this many characters "
        "(cut after a newline or space where it can), each seen with 2,000 characters of context "
        "on either side, so memory stays flat on a note of any size",
    )
    on_error: Literal["fail", "skip"] = Field(
        "fail",
        description="fail: stop at the first record that cannot be processed, nothing of that file "
        "is written; skip: leave that record out (counted in the manifest), never written in clear",
    )

    @field_validator("fail_safe", mode="before")
    @classmethod
    def _yaml_off(cls, v: object) -> object:
        # YAML 1.1 reads a bare `off` (in a file or `--set fail_safe=off`) as False.
        return "off" if v is False else v

    def recognizer_names(self) -> list[str]:
        from medllm.privacy.registry import DEFAULT_RECOGNIZERS, recognizers

        plain = [r for r in self.recognizers if r[:1] not in "+-"]
        names = list(plain) if plain else list(DEFAULT_RECOGNIZERS)
        for r in self.recognizers:
            if r.startswith("+") and r[1:] not in names:
                names.append(r[1:])
            elif r.startswith("-") and r[1:] in names:
                names.remove(r[1:])
        for n in names:
            recognizers.get(n)  # unknown names fail here, with "did you mean"
        return names

    def check_names(self) -> None:
        """`medllm validate`: the transform and recognizer names are registered ones."""
        from medllm.privacy.registry import recognizers, transforms

        transforms.get(self.transform)
        for r in self.recognizers:
            recognizers.get(r.lstrip("+-"))
