"""Evasion forms of listed terms: pinyin, near-sound and near-shape characters, split characters.

Posts that want past a filter write 赌博 as dubo, 赌bo, du博, 堵博 or 贝者博. The lexicon adds
these forms of each blocking term to its automaton, pointing back to the listed term, so a
finding names the term and the form (`details.form`). Symbols, emoji, letters or digits
inserted between a term's characters are handled in lexicon.py (the gapped scan).

Data in wordlists/evasion/: pinyin.tsv and confusables.tsv are built by
scripts/build_evasion.py, split_characters.tsv is written by hand.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from itertools import combinations, islice, product
from typing import Callable

from .text import is_cjk

FILES = {"readings": "evasion/pinyin.tsv", "confusables": "evasion/confusables.tsv", "splits": "evasion/split_characters.tsv"}
FORM_ZH = {"pinyin": "拼音", "initials": "拼音首字母", "near_sound": "谐音字", "near_shape": "形近字", "split": "拆字", "gapped": "插入符号"}
# Mixed pinyin/character forms (赌bo, du博) for terms up to this long; longer terms get the
# full pinyin and initials only (the mixes grow as 2^n).
MAX_MIXED = 4
MAX_FULL_PINYIN = 4
MIN_SUBSTITUTED = 3
SPAM_TOKENS = frozenset({"qq", "wx", "vx", "k"})  # shortest term that gets near-sound and near-shape forms  # readings combinations of a term with several heteronyms


@dataclass(frozen=True)
class Evasion:
    readings: dict[str, tuple[str, ...]]
    sound: dict[str, str]
    shape: dict[str, str]
    splits: dict[str, str]

    @classmethod
    def load(cls, resources) -> "Evasion | None":
        if not all(resources.exists(name) for name in FILES.values()):
            return None
        readings = {ch: tuple(r.split(",")) for ch, r in _rows(resources, FILES["readings"], 2)}
        sound, shape = {}, {}
        for ch, near_sound, near_shape in _rows(resources, FILES["confusables"], 3):
            sound[ch], shape[ch] = near_sound, near_shape
        splits = dict(_rows(resources, FILES["splits"], 2))
        return cls(readings, sound, shape, splits)

    @cached_property
    def syllables(self) -> frozenset[str]:
        """Pinyin syllables, and the Latin tokens spam glues to them (qq号, wx, k粉)."""
        return frozenset(r for readings in self.readings.values() for r in readings) | SPAM_TOKENS

    def inside_pinyin(self, text: str, start: int, end: int) -> bool:
        """Is text[start:end] (a term's pinyin) part of a longer run of Latin letters that is
        pinyin on both sides (wangshang|dubo|pingtai)? Then it is a word of that run."""
        if not text[start:end].isascii():
            return False
        lo, hi = start, end
        while lo > 0 and _is_latin(text[lo - 1]):
            lo -= 1
        while hi < len(text) and _is_latin(text[hi]):
            hi += 1
        if (lo, hi) == (start, end):
            return False  # a run of its own: the ordinary boundary check decides
        return self._is_pinyin(text[lo:start]) and self._is_pinyin(text[end:hi])

    def _is_pinyin(self, run: str) -> bool:
        """Can the run be cut into pinyin syllables (empty counts)?"""
        reachable = [True] + [False] * len(run)
        for i in range(len(run)):
            if reachable[i]:
                for j in range(i + 1, min(len(run), i + 6) + 1):
                    if run[i:j] in self.syllables:
                        reachable[j] = True
        return reachable[-1]

    def forms(self, term: str, is_word: Callable[[str], bool]) -> list[tuple[str, str, str]]:
        """(form text, form kind, lead) for an all-Chinese term; a substituted form that is
        itself a dictionary word (菠菜 for 博彩) is left out: it means something else.

        A substituted FIRST character is returned as the rest of the term with the allowed
        first characters as `lead` (堵博网站 → "博网站", lead "堵睹…"): the lexicon checks the
        character before. Thousands of new first characters would make the automaton's root
        so wide that every draft's scan took twice as long."""
        if len(term) < 2 or not all(is_cjk(ch) for ch in term):
            return []
        found: dict[str, str] = {}
        leads: dict[str, list[str]] = {}  # kind -> allowed first characters
        readings = [self.readings.get(ch) for ch in term]
        if all(readings):
            for combo in islice(product(*readings), MAX_FULL_PINYIN):
                found.setdefault("".join(combo), "pinyin")
            if len(term) <= MAX_MIXED:
                first = [r[0] for r in readings]
                for size in range(1, len(term)):
                    for positions in combinations(range(len(term)), size):
                        mixed = "".join(first[i] if i in positions else ch for i, ch in enumerate(term))
                        found.setdefault(mixed, "pinyin")
            if len(term) >= 3:
                found.setdefault("".join(r[0][0] for r in readings), "initials")
        for i, ch in enumerate(term):
            # One character changed in a two-character term is too often another word (裸体 →
            # 络体 in 网络体系, 阴户 → 因户 in 因户施策): such terms only get their split forms.
            substitutable = len(term) >= MIN_SUBSTITUTED
            substitutes = [(c, "near_sound") for c in self.sound.get(ch, "")] if substitutable else []
            substitutes += [(c, "near_shape") for c in self.shape.get(ch, "")] if substitutable else []
            if ch in self.splits:
                substitutes.append((self.splits[ch], "split"))
            for substitute, kind in substitutes:
                variant = term[:i] + substitute + term[i + 1:]
                if is_word(variant) or (kind != "split" and _forms_word(variant, i, is_word)):
                    continue
                if i == 0 and kind != "split":
                    leads.setdefault(kind, []).append(substitute)
                else:
                    found.setdefault(variant, kind)
        found.pop(term, None)
        return [(text, kind, "") for text, kind in found.items()] + [
            (term[1:], kind, "".join(chars)) for kind, chars in leads.items()
        ]


def _is_latin(ch: str) -> bool:
    return "a" <= ch <= "z"


def _forms_word(variant: str, i: int, is_word: Callable[[str], bool]) -> bool:
    """Does the substituted character make a word with its neighbours (冰毒的 → 病毒的)? Then
    the variant reads as ordinary text, not as the term misspelt."""
    return any(
        is_word(variant[a:b])
        for a in range(max(0, i - 2), i + 1)
        for b in range(i + 1, min(len(variant), a + 3) + 1)
        if b - a >= 2
    )


def _rows(resources, name: str, columns: int):
    for raw in resources.read_text(name).splitlines():
        if not raw.strip() or raw.startswith("#"):
            continue
        parts = raw.split("\t")
        if len(parts) < columns - 1 or len(parts[0]) != 1:
            raise ValueError(f"{name}: bad line {raw!r}")
        yield tuple((parts + [""] * columns)[:columns])
