"""The serve stage's registrations: its config kind (`kind: serve`)."""

from __future__ import annotations

from medllm.core import schemas

schemas.register_lazy("serve", "medllm.serve.config:ServeConfig")
