"""Leader names, titles and order against the office's roster (category `leader` of check "expression").

The roster is data the caller passes in (`ScreenOptions.roster`, built by review/ from the
LeaderRoster table): classifiers never read the database. Three mistakes are found:
  - a roster name with a title right before (县长李四) or after it (李四县长) that the person does not
    hold on the screening date: the suggestion is the title they do hold;
  - a person named with a title whose term ended (valid_to before the screening date), unless the
    sentence names a year of that term (2019年，时任县长李四……);
  - leaders of one unit listed in one sentence out of the roster's rank order (001: 重大表述错误).
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

YEAR = re.compile(r"((?:19|20)\d\d)\s*年")
CLAUSE_END = frozenset("。！？!?；;\n")
# Words that may stand between a title and a name without breaking the pair (县长 李四, 县长、李四 does).
TITLE_GAP = frozenset(" \u3000")
# Titles recognized next to a roster name besides the roster's own (a wrong title is usually one
# the roster does not list for that person: 县长 for the deputy).
COMMON_TITLES = (
    "书记", "副书记", "省委书记", "市委书记", "县委书记", "区委书记", "州委书记", "旗委书记", "镇党委书记", "乡党委书记",
    "省委副书记", "市委副书记", "县委副书记", "区委副书记", "纪委书记", "政法委书记", "组织部部长", "宣传部部长",
    "统战部部长", "常委", "委员", "省长", "副省长", "市长", "副市长", "常务副市长", "县长", "副县长", "常务副县长",
    "区长", "副区长", "州长", "副州长", "旗长", "副旗长", "镇长", "副镇长", "乡长", "副乡长", "主任", "副主任",
    "人大常委会主任", "人大常委会副主任", "主席", "副主席", "政协主席", "政协副主席", "秘书长", "部长", "副部长",
    "局长", "副局长", "厅长", "副厅长", "处长", "副处长", "院长", "副院长", "检察长", "副检察长", "调研员",
)


@dataclass(frozen=True)
class RosterEntry:
    name: str
    title: str
    rank: int  # 1 = first in protocol order
    unit: str = ""
    valid_from: date | None = None
    valid_to: date | None = None  # inclusive; None = still in office

    def current(self, on: date) -> bool:
        return (self.valid_from is None or self.valid_from <= on) and (self.valid_to is None or on <= self.valid_to)


@dataclass(frozen=True)
class LeaderIssue:
    kind: str  # "wrong_title" | "expired_title" | "order"
    start: int  # span in the text given to `find`
    end: int
    suggestion: str | None
    message: str


def sentence_bounds(text: str, pos: int) -> tuple[int, int]:
    start = pos
    while start > 0 and text[start - 1] not in CLAUSE_END:
        start -= 1
    end = pos
    while end < len(text) and text[end] not in CLAUSE_END:
        end += 1
    return start, end


class LeaderRules:
    def __init__(self, roster: tuple[RosterEntry, ...], on: date):
        self.on = on
        self.by_name: dict[str, list[RosterEntry]] = {}
        for entry in roster:
            self.by_name.setdefault(entry.name, []).append(entry)
        # Longest first, so 副县长 is taken before 县长.
        self.titles = sorted({e.title for e in roster if e.title} | set(COMMON_TITLES), key=len, reverse=True)

    def _title_before(self, text: str, start: int) -> tuple[int, str] | None:
        end = start
        while end > 0 and text[end - 1] in TITLE_GAP:
            end -= 1
        for title in self.titles:
            if text.endswith(title, 0, end):
                return end - len(title), title
        return None

    def _title_after(self, text: str, end: int) -> tuple[int, str] | None:
        for title in self.titles:
            if text.startswith(title, end):
                return end, title
        return None

    def mentions(self, text: str) -> list[tuple[int, int, str]]:
        """(start, end, name) of every roster name, longest name first where they overlap."""
        found = []
        for name in sorted(self.by_name, key=len, reverse=True):
            pos = text.find(name)
            while pos != -1:
                if not any(s < pos + len(name) and pos < e for s, e, _n in found):
                    found.append((pos, pos + len(name), name))
                pos = text.find(name, pos + 1)
        return sorted(found)

    def find(self, text: str) -> list[LeaderIssue]:
        if not self.by_name:
            return []
        mentions = self.mentions(text)
        issues = [issue for start, end, name in mentions if (issue := self._title_issue(text, start, end, name))]
        issues.extend(self._order_issues(text, mentions))
        return issues

    def _title_issue(self, text: str, start: int, end: int, name: str) -> LeaderIssue | None:
        found = self._title_before(text, start) or self._title_after(text, end)
        if found is None:
            return None
        tstart, title = found
        entries = self.by_name[name]
        held_now = [e for e in entries if e.current(self.on)]
        if any(e.title == title for e in held_now):
            return None
        span = (tstart, tstart + len(title))
        past = [e for e in entries if e.title == title and e.valid_to is not None and e.valid_to < self.on]
        if past:
            s0, s1 = sentence_bounds(text, start)
            if any(int(y) <= max(e.valid_to.year for e in past) for y in YEAR.findall(text[s0:s1])):
                return None  # the sentence dates the term: history, not a mistake
            now = held_now[0].title if held_now else None
            return LeaderIssue(
                "expired_title", *span, now,
                f"{name}已于{past[0].valid_to:%Y年%m月%d日}不再担任{title}"
                + (f"，现任{now}" if now else "") + "；如写历史，请注明时间或用“时任”。")
        if any(e.title == title for e in entries):
            return None  # a title they will hold (valid_from in the future) is not ours to judge
        now = held_now[0].title if held_now else None
        return LeaderIssue(
            "wrong_title", *span, now,
            f"领导名单中{name}的职务为{'、'.join(e.title for e in held_now) or '（当前无任职）'}，不是{title}。")

    def _order_issues(self, text: str, mentions: list[tuple[int, int, str]]) -> list[LeaderIssue]:
        """Within one sentence, the leaders of one unit must appear in rank order."""
        issues = []
        by_sentence: dict[tuple[int, int], list[tuple[int, int, RosterEntry]]] = {}
        for start, end, name in mentions:
            current = [e for e in self.by_name[name] if e.current(self.on)]
            if current:
                by_sentence.setdefault(sentence_bounds(text, start), []).append((start, end, min(current, key=lambda e: e.rank)))
        for listed in by_sentence.values():
            seen: dict[str, set[str]] = {}
            units: dict[str, list[tuple[int, int, RosterEntry]]] = {}
            for item in listed:
                if item[2].name not in seen.setdefault(item[2].unit, set()):  # first mention counts
                    seen[item[2].unit].add(item[2].name)
                    units.setdefault(item[2].unit, []).append(item)
            for items in units.values():
                ranks = [e.rank for _s, _e, e in items]
                if ranks == sorted(ranks):
                    continue
                expected = "、".join(e.name for _s, _e, e in sorted(items, key=lambda it: it[2].rank))
                first_wrong = next(k for k in range(1, len(items)) if ranks[k] < max(ranks[:k]))
                start, end, entry = items[first_wrong]
                issues.append(LeaderIssue(
                    "order", start, end, None,
                    f"领导排序与名单不符：{entry.name}应排在前面，按名单顺序应为{expected}。"))
        return issues
