from __future__ import annotations

from medllm.cli import main

main()
