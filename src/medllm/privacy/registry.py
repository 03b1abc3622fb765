"""The privacy stage's registries: recognizers (detectors by name) and transforms.

Entries are lazy ("module:Class"), so `medllm ls recognizers` imports nothing heavy.
"""

from __future__ import annotations

from typing import Any

from medllm.core import Registry, schemas

recognizers: Registry[Any] = Registry(
    "recognizers", "PHI detectors for `medllm deid` (text → Span)"
)
transforms: Registry[Any] = Registry(
    "transforms", "PHI transforms for `medllm deid` (spans → text)"
)

# name → class; the default set is every recognizer except the optional ones below.
RECOGNIZERS = {
    "phone": "PhoneRecognizer",
    "email": "EmailRecognizer",
    "url": "UrlRecognizer",
    "ip": "IpRecognizer",
    "ssn": "SsnRecognizer",
    "mrn": "MrnRecognizer",
    "account": "AccountRecognizer",
    "health_plan": "HealthPlanRecognizer",
    "license": "LicenseRecognizer",
    "device": "DeviceRecognizer",
    "vehicle": "VehicleRecognizer",
    "id_number": "IdNumberRecognizer",
    "date": "DateRecognizer",
    "age": "AgeRecognizer",
    "zip": "ZipRecognizer",
    "address": "AddressRecognizer",
    "location": "LocationRecognizer",
    "country": "CountryRecognizer",
    "name": "NameRecognizer",
    "username": "UsernameRecognizer",
    "hospital": "HospitalRecognizer",
    "profession": "ProfessionRecognizer",
    "spacy_ner": "SpacyNerRecognizer",
    "learned_ner": "LearnedNerRecognizer",
}
# Optional: spaCy NER (slow; `--recognizer +spacy_ner`). Professions and countries are i2b2 types
# that Safe Harbor does not list; they are on by default (a rare profession identifies a person
# in a small town), and `--recognizer=-profession` / `--recognizer=-country` keeps them.
# Optional too: the learned tagger (`medllm deid train-ner` first; `--recognizer +learned_ner`).
OPTIONAL_RECOGNIZERS = ("spacy_ner", "learned_ner")
DEFAULT_RECOGNIZERS = tuple(n for n in RECOGNIZERS if n not in OPTIONAL_RECOGNIZERS)

for _name, _cls in RECOGNIZERS.items():
    recognizers.register_lazy(_name, f"medllm.privacy.recognizers.{_name}:{_cls}")

for _name, _cls in {"redact": "Redact", "mask": "Mask", "surrogate": "Surrogate"}.items():
    transforms.register_lazy(_name, f"medllm.privacy.transforms.{_name}:{_cls}")

schemas.register_lazy("deid", "medllm.privacy.config:DeidConfig")
