"""The table of `bad_inputs.py`: bad inputs across the CLI, as a new user would try them.

Each `Case` names the command (`{tmp}`: the case's temp folder, also its working directory;
`{repo}`: this checkout), the files it sets up there, the exit code and a regex on the message a
user reads first. `issue` quotes issue #24's wording where the case is one it lists. All PHI here is
synthetic. Areas live in the two modules below; `CASES` is all of them in order.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "tests" / "fixtures"

# Synthetic PHI planted in de-identification inputs; none may appear in any output.
NOTE = "Seen by Dr. Alma Quist on 2024-03-14. Call 555-201-3344. MRN 4839201.\n"
PHI = ("Alma Quist", "Quist", "555-201-3344", "4839201", "2024-03-14")


@dataclass(frozen=True)
class Link:
    """A symlink to `target` ({tmp} and {repo} are replaced)."""

    target: str


Files = dict[str, "str | bytes | Link"]


@dataclass(frozen=True)
class Case:
    id: str
    area: str
    argv: list[str]
    expect: str  # regex searched in the message (first `error:` line, else the usage error)
    code: int = 2
    files: Files = field(default_factory=dict)  # "DIR/" → a folder
    pre: list[list[str]] = field(default_factory=list)  # commands run first (results ignored)
    phi: tuple[str, ...] = ()  # planted values that must not appear anywhere
    scan: tuple[str, ...] = ()  # outputs (files / folders under {tmp}) scanned for `phi`
    need: tuple[str, ...] = ()  # regexes that must match stdout+stderr (multiline)
    forbid: tuple[str, ...] = ()  # regexes that must not
    issue: str = ""  # issue #24's wording, where it lists this case
    timeout: float = 60.0
    max_seconds: float | None = None
    max_rss_mb: float | None = None
    sigint_after: float | None = None
    env: dict[str, str] = field(default_factory=dict)
    check: Callable[[Path], str | None] | None = None  # extra check on {tmp}: a reason, or None


def fixture(rel: str) -> str:
    return (FIXTURES / rel).read_text(encoding="utf-8")


def _all() -> list[Case]:
    from bad_input_cases_a import cases as cases_a
    from bad_input_cases_b import cases as cases_b

    return [*cases_a(), *cases_b()]


CASES: list[Case] = _all()
