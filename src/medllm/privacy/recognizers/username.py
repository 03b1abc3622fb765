"""User names and transcriptionist codes: "KRT/weller/amsden", "QBL:fenner", "M.D. HT42", "user: jdoe",
"login is ptrask7", "transcribed by jfenner", a portal header's "from: gus_the_plumber77"."""

from __future__ import annotations

import re

from medllm.core import Span
from medllm.privacy.recognizers.base import Pattern, PatternRecognizer, rx

# Dictation footers: author initials, then typist / transcriber user names.
_FOOTER = re.compile(
    r"(?m)^[ \t]*[A-Z]{2,4}(?P<rest>(?:[/:](?:[a-z][a-z0-9]{1,15}|[A-Za-z]+\d+)){1,3})[ \t]*$"
)


_NOT_LOGIN = frozenset(
    [
        "the",
        "phone",
        "nursing",
        "pharmacy",
        "staff",
        "patient",
        "me",
        "him",
        "her",
        "was",
        "and",
        "called",
        "notified",
        "here",
        "said",
        "reports",
    ]
)


# A lower-case token (a login's shape: letters, then optional digits or ".part" / "_part")
_LOGIN_SHAPE = re.compile(r"(?<![\w@./\\\-])[a-z]{3,}[0-9]*(?:[._][a-z0-9]{1,12})*(?![\w@\-]|\.\w)")


def derived_logins(text: str, names: list[Span], ordinary: frozenset[str]) -> list[Span]:
    """Logins built from a name found in the same note: "Brenda Jorgensen, RN   bjorgensen",
    "(nboudreauxhale)", "panhia.moua", "kalbrecht.csp": one or two initials then a surname, or a
    dotted login with a name part. No pattern can know these without the note's own names, and
    no library derives them, hence by hand; an ordinary English word is never one ("award" is
    not "a" + Ward)."""
    parts: set[str] = set()
    for s in names:
        words = [
            w.lower().replace("'", "")
            for w in re.findall(r"[A-Za-z][A-Za-z'\-]+", text[s.start : s.end])
        ]
        for i, w in enumerate(words):
            parts.add(w.replace("-", ""))
            parts.update(w.split("-"))
            if i + 1 < len(words):  # "Mai Ker" -> "maiker"
                parts.add((w + words[i + 1]).replace("-", ""))
    parts = {p for p in parts if len(p) >= 3}
    if not parts:
        return []
    out = []
    for m in _LOGIN_SHAPE.finditer(text):
        pieces = re.split(r"[._]", m.group(0))
        head = pieces[0].rstrip("0123456789")
        if head in ordinary and len(pieces) == 1:
            continue
        initial = any(len(head[k:]) >= 4 and head[k:] in parts for k in (1, 2))
        if initial or (len(pieces) > 1 and (pieces[1] in parts or head in parts)):
            out.append(Span("USERNAME", m.start(), m.end(), 0.8, "username"))
    return out


class UsernameRecognizer(PatternRecognizer):
    name = "username"
    kinds = ("USERNAME",)
    patterns = (
        Pattern(
            "USERNAME",
            rx(
                r"(?i:\b(?:user(?:\s*name)?|username|login|user\s*id|userid|handle|screen\s*name"
                r"|log-?in\s*(?:id|name)|sign-?in\s*(?:id|name)|account\s*name|portal\s*(?:id|name)"
                r"|mychart\s*(?:id|user(?:name)?))\b)[\s:#=]*"
                r"(?:(?i:is|was)[ \t]+)?(?P<phi>[A-Za-z][\w.\-]{1,30})"
            ),
            0.9,
        ),
        Pattern(
            "USERNAME",
            rx(r"(?:M\.D\.|MD|R\.N\.|RN|N\.P\.|NP|D\.O\.)[,]?[ \t]+(?P<phi>[A-Z]{2,3}\d{1,4})\b"),
            0.85,
        ),
        # "transcribed by jfenner", "phoned by mkwan2": a lower-case login after an action word.
        Pattern(
            "USERNAME",
            rx(
                r"(?i:\b(?:transcribed|typed|entered|keyed|documented|charted|phoned|logged|verified"
                r"|released|uploaded|scanned)[ \t]+by)[ \t]+(?P<phi>[a-z][a-z0-9_.]{1,24}[a-z0-9])(?![\w@])"
            ),
            0.8,
            lambda s: not s.isalpha() or s not in _NOT_LOGIN,
        ),
        # a portal message's header "from: gus_the_plumber77": a handle (with a digit or "_")
        Pattern(
            "USERNAME",
            rx(
                r"(?i:\b(?:from|sender|sent[ \t]+by|to|reply[ \t]+to)[ \t]*:[ \t]*)"
                r"(?P<phi>[A-Za-z][A-Za-z0-9._]*(?:_|\d)[A-Za-z0-9._]*[A-Za-z0-9]"
                r"|[a-z]+(?:\.[a-z]+)+)(?![\w@.])"
            ),
            0.8,
        ),
        # "portal access as nwhitlock_uk", "Viber danylo.k.parma", "tech rdominguez": a handle
        # after the app or the role that uses it
        Pattern(
            "USERNAME",
            rx(
                r"(?i:\b(?:(?:portal|proxy|account)[ \t]+access[ \t]+as|logged[ \t]+in[ \t]+as"
                r"|viber|whatsapp|skype|telegram|signal|instagram|snapchat|discord|wechat|tiktok"
                r"|twitter|tech|scribe)[ \t]*:?[ \t]+)"
                r"(?P<phi>[a-z][a-z0-9._]{2,30}[a-z0-9])(?![\w@])"
            ),
            0.75,
            lambda s: not s.isalpha() or s not in _NOT_LOGIN,
        ),
        # "e-signed by kpatel3", "last edited by m.oyelaran", "signed in as tw_brook": a login after
        # an audit-trail verb; it must hold a digit, "_" or "." (verbs like "reviewed by" are also
        # followed by departments and plain words)
        Pattern(
            "USERNAME",
            rx(
                r"(?i:\b(?:e-?signed|signed|edited|modified|created|reviewed|approved|accessed"
                r"|printed|faxed|amended|cosigned|co-signed|signed[ \t]+in[ \t]+as)[ \t]+(?:by[ \t]+)?)"
                r"(?P<phi>[a-z][a-z0-9_.]{1,24}[a-z0-9])(?![\w@])"
            ),
            0.75,
            lambda s: any(c.isdigit() or c in "_." for c in s),
        ),
        # a social handle: "@kofi_m", "IG @bex.runs" (not an e-mail: nothing word-like before "@")
        Pattern(
            "USERNAME",
            rx(r"(?<![\w.@])@(?P<phi>[A-Za-z][A-Za-z0-9_.]{2,29}[A-Za-z0-9])(?![\w@])"),
            0.75,
        ),
        # a Windows domain login: "EPIC\dgrove", "YBH\kmcinerney"
        Pattern(
            "USERNAME", rx(r"(?<![\w\\])[A-Z][A-Z0-9]{1,9}\\[A-Za-z][\w.\-]{1,24}[A-Za-z0-9]"), 0.85
        ),
        # an underscore handle: "svc_adt_extract", "kowalczyk_t", "T_HAYWOOD", "nuance_tx0417"
        Pattern(
            "USERNAME",
            rx(r"(?<![\w@./\\\-])[A-Za-z][A-Za-z0-9]*(?:_[A-Za-z0-9]+)+(?![\w@.\-])"),
            0.7,
        ),
        # a login in brackets after a name and credential: "Shawna Lightfoot, RN (slightfoot)"
        Pattern(
            "USERNAME",
            rx(
                r"\b(?:RN|MD|DO|NP|PA-C|PA|PharmD|CMA|LPN|LVN|RRT|EN|MLS\(ASCP\)|MT|CNA|SW|LCSW|PT|OT)"
                r"[ \t]*\((?P<phi>[a-z][a-z0-9_.]{3,24})\)"
            ),
            0.8,
        ),
        # an audit line's "19:40 gkessler:", a messaging id after its label, a login after
        # "taken by" / "printed by", a transcriptionist's "AP/tx0417"
        Pattern("USERNAME", rx(r"(?<=\d\d:\d\d[ ])(?P<phi>[a-z][a-z0-9_.]{3,24})(?=:[ \t])"), 0.7),
        Pattern(
            "USERNAME",
            rx(
                r"(?i:\b(?:edi|secure[ \t]+messaging|sender[ \t]+id|messaging[ \t]+id)[ \t]*:[ \t]*)"
                r"(?P<phi>[a-z][a-z0-9_.]{3,24})(?![\w@.])"
            ),
            0.75,
        ),
        Pattern(
            "USERNAME",
            rx(
                r"(?i:\b(?:taken|printed|signed|created|completed|edited|modified|updated|dictated)"
                r"[ \t]+by)[ \t]+(?P<phi>[A-Za-z][A-Za-z0-9]*(?:[_\\][A-Za-z0-9]+)+|[a-z]+\d+)(?![\w@])"
            ),
            0.75,
        ),
        Pattern("USERNAME", rx(r"(?<![\w/])[A-Z]{2,3}/(?P<phi>[a-z]{1,4}\d{2,6})\b"), 0.7),
    )

    def analyze(self, text: str) -> list[Span]:
        spans = super().analyze(text)
        for m in _FOOTER.finditer(text):
            for part in re.finditer(r"[A-Za-z][A-Za-z0-9]+", m.group("rest")):
                start = m.start("rest") + part.start()
                spans.append(Span("USERNAME", start, start + len(part.group(0)), 0.8, self.name))
        return spans
