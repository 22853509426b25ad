"""Live screening while an editor types: the same screener the workers use, nothing stored.

The editor sees what screening will say before submitting (000 §17, 002 §19: de-identify first),
so the findings here must be the real ones: the shared ScreenerCache, with the administrators'
current wordlists, and the draft's own options (disclosure, repost fields).
"""
from __future__ import annotations

from sqlalchemy.orm import Session

from classifiers import RepostInfo, ScreenOptions

from .errors import InvalidInput
from .screening import ScreenerCache
from .workflow import BODY_MAX, TITLE_MAX, clean_repost

# A preview runs on every pause in typing; a whole book would stall the page, so cap it lower
# than what a saved draft may hold and say so.
PREVIEW_MAX = 50_000


def preview(session: Session, cache: ScreenerCache, title: str, body: str, *, disclosure: bool = False,
            repost: dict | None = None) -> dict:
    if not isinstance(title, str) or not isinstance(body, str):
        raise InvalidInput("标题和正文必须是文本")
    if len(title) > TITLE_MAX:
        raise InvalidInput(f"标题不能超过 {TITLE_MAX} 个字符")
    if len(body) > min(BODY_MAX, PREVIEW_MAX):
        raise InvalidInput(f"正文超过 {PREVIEW_MAX} 字，实时检查已暂停；提交后仍会完整审查")
    # The saved revision normalizes line endings the same way, so offsets agree with what is stored.
    body = body.replace("\r\n", "\n")
    options = ScreenOptions(disclosure=bool(disclosure), repost=RepostInfo.from_dict(clean_repost(repost)))
    result = cache.get(session).screen(title, body, options)
    return {
        "sensitivity": result["sensitivity"],
        "route": result["route"],
        "findings": result["findings"],
        "highlights": highlights(result["findings"]),
        "deidentified": result["deidentified"],
        "title": title,
        "body": body,
    }


def highlights(findings: list[dict]) -> list[dict]:
    """What to mark: each finding, or, for one that names its regions (a copy: details.spans), each
    region; so the lines an editor wrote between two copied passages are not marked as copied.
    `index` is the finding's position in `findings`."""
    marks = []
    for index, finding in enumerate(findings):
        regions = (finding.get("details") or {}).get("spans") or [(finding["start"], finding["end"])]
        marks.extend({**finding, "start": start, "end": end, "index": index} for start, end in regions)
    return marks


def segments(text: str, findings: list[dict], field: str) -> list[tuple[str, dict | None]]:
    """`text` cut at the findings' offsets: (piece, finding or None). Overlaps are cut so every
    character appears once; the template escapes each piece, so user text never becomes markup."""
    spans = sorted((f for f in highlights(findings) if f.get("field") == field), key=lambda f: (f["start"], -f["end"]))
    out: list[tuple[str, dict | None]] = []
    cursor = 0
    for finding in spans:
        start, end = max(finding["start"], cursor), min(finding["end"], len(text))
        if start >= end:
            continue
        if start > cursor:
            out.append((text[cursor:start], None))
        out.append((text[start:end], finding))
        cursor = end
    if cursor < len(text):
        out.append((text[cursor:], None))
    return out
