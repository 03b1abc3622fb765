"""PHI recognizers, one per file; each is registered by its `name` in `medllm.privacy.registry`."""
