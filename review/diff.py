"""Differences between two texts for reviewers: what changed since the previous revision.

Chinese has no spaces, so a word diff means nothing; lines are compared first (cheap, and keeps
paragraph moves readable), then the characters inside each changed block. The result is a list of
(op, text) segments the template renders as plain text inside <ins>/<del>, never as HTML.
"""
from __future__ import annotations

from dataclasses import dataclass
from difflib import SequenceMatcher

# Character-level matching is quadratic in the worst case; past this a changed block is shown
# as a whole deletion and insertion, which is still correct, just coarser.
CHAR_DIFF_LIMIT = 4000


@dataclass(frozen=True)
class Segment:
    op: str  # "equal" | "insert" | "delete"
    text: str


@dataclass(frozen=True)
class TextDiff:
    segments: tuple[Segment, ...]

    @property
    def changed(self) -> bool:
        return any(s.op != "equal" for s in self.segments)

    @property
    def inserted(self) -> int:
        return sum(len(s.text) for s in self.segments if s.op == "insert")

    @property
    def deleted(self) -> int:
        return sum(len(s.text) for s in self.segments if s.op == "delete")

    def to_list(self) -> list[dict]:
        return [{"op": s.op, "text": s.text} for s in self.segments]


def diff_text(old: str, new: str) -> TextDiff:
    old_lines = old.splitlines(keepends=True)
    new_lines = new.splitlines(keepends=True)
    segments: list[Segment] = []
    matcher = SequenceMatcher(None, old_lines, new_lines, autojunk=False)
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        a, b = "".join(old_lines[i1:i2]), "".join(new_lines[j1:j2])
        if op == "equal":
            segments.append(Segment("equal", a))
        elif op == "replace" and len(a) + len(b) <= CHAR_DIFF_LIMIT:
            segments.extend(_char_diff(a, b))
        else:
            if a:
                segments.append(Segment("delete", a))
            if b:
                segments.append(Segment("insert", b))
    return TextDiff(tuple(_merge(segments)))


def _char_diff(a: str, b: str) -> list[Segment]:
    out = []
    for op, i1, i2, j1, j2 in SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if op == "equal":
            out.append(Segment("equal", a[i1:i2]))
            continue
        if i2 > i1:
            out.append(Segment("delete", a[i1:i2]))
        if j2 > j1:
            out.append(Segment("insert", b[j1:j2]))
    return out


def _merge(segments: list[Segment]) -> list[Segment]:
    merged: list[Segment] = []
    for seg in segments:
        if not seg.text:
            continue
        if merged and merged[-1].op == seg.op:
            merged[-1] = Segment(seg.op, merged[-1].text + seg.text)
        else:
            merged.append(seg)
    return merged


def apply(diff: TextDiff, side: str) -> str:
    """The old ("old") or new ("new") text back from a diff: the property tests rely on it."""
    keep = {"old": ("equal", "delete"), "new": ("equal", "insert")}[side]
    return "".join(s.text for s in diff.segments if s.op in keep)
