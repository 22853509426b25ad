"""Category wordlists matched on normalized text, confirmed by word boundaries.

One matcher serves every wordlist-driven check (prohibited content, sensitive topics):
  1. Aho–Corasick over `Field.normalized` finds candidate terms in one pass (defeats
     traditional script, full-width forms, case and inserted separators, see text.py);
  2. a candidate whose edge falls inside a word of the field's tokens is rejected (消毒品 is
     消毒/品, so it holds no 毒品; 西藏独特 holds no 藏独); the tokens are the Screener's, of the
     whole field, computed once in the Document (wordlist terms are in its dictionary);
  3. spans are mapped back to the original field, so `finding.text == original[start:end]`.
Evasion (prohibited only): each blocking term also enters the automaton in its pinyin,
near-sound, near-shape and split-character forms (evasion.py), and a second pass over the
field's Chinese characters alone finds terms with anything inserted between their characters.

The file format is documented in wordlists/README.md.
"""
from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, field

import ahocorasick

from .evasion import FORM_ZH, Evasion
from .text import Field, is_cjk
from .tokenize import dictionary, plain_tokenizer

# A multi-word pattern "A...B" matches A followed by B within this many characters.
PATTERN_GAP = 12
# A sentence (or clause list) ends here: multi-word patterns and context never cross these.
SENTENCE_END = frozenset("。！？!?；;\n")
ACTIONS = ("block", "escalate", "warn")
# Inserted between two characters of a term, at most this many characters count as evasion
# (赌😀😀博, 六a合b彩); a sentence end or a line break never does.
MAX_GAP = 4
GAP_WINDOW = 12  # characters searched on each side of a suspicious gap (longest terms + gaps)
_CJK = "\u4e00-\u9fff\u3400-\u4dbf"
# What real text puts between two Chinese characters and evasion does not: clause punctuation,
# numbers and Latin words before a unit or after 第 (2024年, 第3条, 5G网络 are left alone:
# digits or letters count as evasion only as one or two characters not followed by a unit).
_ORDINARY = "，,、：:；;“”‘’\"'（）()《》〈〉【】「」『』—-–%％"
_UNITS = "年月日号时分秒个万亿元角人次家项条件名位岁吨米里天周期届批台辆只座所份例倍度亩层栋户间张页版章节"
_SUSPICIOUS_GAP = re.compile(
    f"(?<=[{_CJK}])(?:"
    f"[^{_CJK}0-9a-z\n{re.escape(_ORDINARY + ''.join(SENTENCE_END))}][^{_CJK}\n]{{0,{MAX_GAP - 1}}}"
    f"|[0-9a-z]{{1,2}}(?=[{_CJK}])(?![{_UNITS}])"
    f")(?=[{_CJK}])"
)


def normalize_term(term: str) -> str:
    """The form a term takes in `Field.normalized`, so both sides of the match agree."""
    return Field("title", term.strip()).normalized


@dataclass(frozen=True)
class Term:
    text: str  # normalized; for a pattern, its first part
    weight: float = 1.0
    note: str = ""
    follow: str = ""  # second part of a multi-word pattern "A...B" ("" for a plain term)
    listed: str = ""  # for an evasion form (dubo, 堵博): the listed term it stands for
    form: str = ""  # which evasion form (evasion.FORM_ZH); "" for the listed term itself
    lead: str = ""  # for a form keyed by all but its first character: the allowed first characters

    @property
    def label(self) -> str:
        """The list entry as an administrator wrote it (normalized)."""
        return self.listed or self.text + (f"...{self.follow}" if self.follow else "")


@dataclass
class Category:
    id: str
    check: str
    action: str
    rule: str
    message: str
    name: str = ""
    context: bool = False  # may a protective context (打击, 辟谣, ...) lower block to escalate?
    terms: list[Term] = field(default_factory=list)
    exceptions: list[str] = field(default_factory=list)
    source: str = ""  # the file it came from, for error messages


class WordlistError(ValueError):
    pass


def parse_wordlist(source: str, text: str, default_id: str, check: str) -> Category:
    """Parse one category file: `@key value` directives, `!exception` and `term | weight | note`."""
    meta = {"category": default_id, "action": "block", "rule": "", "message": "", "name": "", "context": "off"}
    terms: list[Term] = []
    exceptions: list[str] = []
    for lineno, raw in enumerate(text.splitlines(), 1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("@"):
            key, _, value = line[1:].partition(" ")
            if key not in meta:
                raise WordlistError(f"{source}:{lineno}: unknown directive @{key}")
            meta[key] = value.strip()
            continue
        if line.startswith("!"):
            exception = normalize_term(line[1:])
            if exception:
                exceptions.append(exception)
            continue
        parts = [p.strip() for p in line.split("|")]
        weight = 1.0
        if len(parts) > 1 and parts[1]:
            try:
                weight = float(parts[1])
            except ValueError:
                raise WordlistError(f"{source}:{lineno}: weight {parts[1]!r} is not a number") from None
            if not 0 < weight <= 1:
                raise WordlistError(f"{source}:{lineno}: weight must be in (0, 1]")
        note = parts[2] if len(parts) > 2 else ""
        first, _, second = parts[0].partition("...")
        first, second = normalize_term(first), normalize_term(second)
        if not first or ("..." in parts[0] and not second):
            raise WordlistError(f"{source}:{lineno}: empty term")
        terms.append(Term(first, weight, note, second))
    if meta["action"] not in ACTIONS:
        raise WordlistError(f"{source}: @action must be one of {ACTIONS}")
    if not meta["message"]:
        raise WordlistError(f"{source}: @message is required (which rule the content breaks)")
    return Category(
        id=meta["category"], check=check, action=meta["action"], rule=meta["rule"],
        message=meta["message"], name=meta["name"], context=meta["context"] == "on",
        terms=terms, exceptions=exceptions, source=source,
    )


@dataclass(frozen=True)
class Hit:
    category: Category
    term: Term
    start: int  # normalized offsets
    end: int
    gapped: bool = False  # found with characters inserted between the term's characters


_EXCEPTION = object()


class Lexicon:
    """Every category of one check, compiled into a single automaton."""

    def __init__(self, categories: list[Category], evasion: Evasion | None = None):
        self.categories = categories
        self.evasion = evasion
        self.automaton = ahocorasick.Automaton()
        entries: dict[str, list] = {}
        for category in categories:
            for term in category.terms:
                entries.setdefault(term.text, []).append((category, term))
            for exception in category.exceptions:
                entries.setdefault(exception, []).append((category, _EXCEPTION))
        if evasion:
            self._add_evasion_forms(entries, evasion)
        for key, values in entries.items():
            self.automaton.add_word(key, (len(key), tuple(values)))
        self.size = len(entries)
        if entries:
            self.automaton.make_automaton()

    @property
    def words(self) -> list[str]:
        """Terms the Screener's tokenizer must know, so it keeps them whole when it decides edges."""
        return [w for c in self.categories for t in c.terms for w in (t.text, t.follow) if w and _has_cjk(w)]

    def _add_evasion_forms(self, entries: dict[str, list], evasion: Evasion) -> None:
        """Evasion forms of every term that blocks. A form another entry already holds for the
        same category is skipped; one that is a dictionary word is never made (evasion.py)."""
        is_word = lambda text: bool(dictionary().count(text))  # noqa: E731
        for category in self.categories:
            if category.action != "block":
                continue
            for term in category.terms:
                if term.follow or term.weight < 0.5:
                    continue
                for text, form, lead in evasion.forms(term.text, is_word):
                    held = entries.setdefault(text, [])
                    if lead or not any(c is category for c, _ in held):
                        held.append((category, Term(text, term.weight, term.note, listed=term.text, form=form, lead=lead)))

    @classmethod
    def load(cls, resources, directory: str, check: str, evasion: Evasion | None = None) -> "Lexicon":
        categories = []
        for name in resources.names(f"{directory}/*.txt"):
            stem = name.rsplit("/", 1)[-1][: -len(".txt")]
            categories.append(parse_wordlist(name, resources.read_text(name), stem, check))
        return cls(categories, evasion)

    def scan(self, fld: Field) -> list[Hit]:
        """Confirmed hits in one field, longest per category where they overlap."""
        text = fld.normalized
        if not text or not self.size:
            return []
        confirmed = self._confirmed(text, self._candidates(text), fld.word_at)
        if self.evasion:
            confirmed += self._gapped(fld)
        return _longest_per_category(confirmed)

    def _gapped(self, fld: Field) -> list[Hit]:
        """Terms with symbols, emoji, letters or digits between their characters. Only the
        neighbourhood of a suspicious gap is searched, on its Chinese characters alone (a
        whole-field second pass would double the check's time); every gap of a hit must be
        short and inside one sentence."""
        text = fld.normalized
        windows: list[list[int]] = []
        for match in _SUSPICIOUS_GAP.finditer(text):
            lo, hi = max(0, match.start() - GAP_WINDOW), min(len(text), match.end() + GAP_WINDOW)
            if windows and lo <= windows[-1][1]:
                windows[-1][1] = hi
            else:
                windows.append([lo, hi])
        hits: dict[tuple, Hit] = {}
        for lo, hi in windows:
            index = [i for i in range(lo, hi) if is_cjk(text[i])]
            view = "".join(text[i] for i in index)
            candidates = []
            for hit in self._candidates(view):
                positions = index[hit.start:hit.end]
                if hit.term.follow or positions[-1] - positions[0] == len(positions) - 1:
                    continue  # a pattern, or contiguous: the first pass has it
                gaps = (text[a + 1:b] for a, b in zip(positions, positions[1:]))
                if all(len(gap) <= MAX_GAP and not SENTENCE_END.intersection(gap) for gap in gaps):
                    candidates.append(hit)
            # The view is not the field's text: its words come from the same tokenizer, cut anew.
            tokenizer = fld.tokenizer or plain_tokenizer()
            for h in self._confirmed(view, candidates, _word_at(tokenizer.cut(view)) if candidates else None):
                found = Hit(h.category, h.term, index[h.start], index[h.end - 1] + 1, gapped=True)
                hits[(id(found.category), found.term, found.start, found.end)] = found
        return list(hits.values())

    def _candidates(self, text: str) -> list[Hit]:
        """Every automaton match in `text`, minus those inside an exception of their category."""
        candidates: list[Hit] = []
        excepted: dict[int, list[tuple[int, int]]] = {}  # category -> exception spans
        for end_index, (length, values) in self.automaton.iter(text):
            start, end = end_index + 1 - length, end_index + 1
            for category, term in values:
                if term is _EXCEPTION:
                    excepted.setdefault(id(category), []).append((start, end))
                elif not term.lead:
                    candidates.append(Hit(category, term, start, end))
                elif start > 0 and text[start - 1] in term.lead:
                    candidates.append(Hit(category, term, start - 1, end))
        if candidates and excepted:
            index = {key: _ExceptionSpans(spans) for key, spans in excepted.items()}
            candidates = [
                h for h in candidates
                if id(h.category) not in index or not index[id(h.category)].covers(h.start, h.end)
            ]
        return candidates

    def _confirmed(self, text: str, candidates: list[Hit], word_at) -> list[Hit]:
        """Candidates on word boundaries (`word_at(i)`: the span of the word holding character i);
        patterns completed by their second part."""
        if not candidates:
            return []
        confirmed: list[Hit] = []
        for hit in candidates:
            if hit.term.form == "pinyin" and self.evasion and self.evasion.inside_pinyin(text, hit.start, hit.end):
                confirmed.append(hit)  # wangshang|dubo|pingtai: a term's pinyin inside a longer pinyin run
                continue
            if not _on_word_boundaries(text, word_at, hit.start, hit.end):
                continue
            if hit.term.follow:
                hit = _complete_pattern(text, word_at, hit)
                if hit is None:
                    continue
            confirmed.append(hit)
        return confirmed


class _ExceptionSpans:
    """Exception spans of one category, sorted by start with a running maximum of ends, so
    one bisection tells whether a hit lies inside any of them (no pairwise scan)."""

    def __init__(self, spans: list[tuple[int, int]]):
        spans.sort()
        self.starts = [start for start, _ in spans]
        self.reach: list[int] = []
        furthest = -1
        for _, end in spans:
            furthest = max(furthest, end)
            self.reach.append(furthest)

    def covers(self, start: int, end: int) -> bool:
        i = bisect.bisect_right(self.starts, start) - 1
        return i >= 0 and self.reach[i] >= end


def _complete_pattern(text: str, word_at, hit: Hit) -> Hit | None:
    """For "A...B": B must follow A within PATTERN_GAP characters, inside the same sentence."""
    follow = hit.term.follow
    limit = min(len(text), hit.end + PATTERN_GAP + len(follow))
    for stop, ch in enumerate(text[hit.end:limit], hit.end):
        if ch in SENTENCE_END:
            limit = stop
            break
    pos = text.find(follow, hit.end, limit)
    while pos != -1:
        if _on_word_boundaries(text, word_at, pos, pos + len(follow)):
            return Hit(hit.category, hit.term, hit.start, pos + len(follow))
        pos = text.find(follow, pos + 1, limit)
    return None


def _longest_per_category(hits: list[Hit]) -> list[Hit]:
    """Sort and sweep (not pairwise): drop a hit inside a longer hit of the same category."""
    hits.sort(key=lambda h: (h.start, -h.end, -h.term.weight))
    kept: list[Hit] = []
    reach: dict[int, int] = {}  # category -> furthest end kept so far
    for hit in hits:
        key = id(hit.category)
        if hit.end <= reach.get(key, -1):
            continue
        reach[key] = hit.end
        kept.append(hit)
    return kept


def _has_cjk(text: str) -> bool:
    return any(is_cjk(ch) for ch in text)


def _is_ascii_alnum(ch: str) -> bool:
    return ch.isascii() and ch.isalnum()


def _on_word_boundaries(text: str, word_at, start: int, end: int) -> bool:
    """Whether a span of `text` starts and ends on word boundaries (消毒|品 holds no 毒品, 西藏|独特
    no 藏独); a word that swallows the whole span is fine (贩卖毒品 ⊇ 毒品). `word_at(i)` is the
    span of the word holding character i (`Field.word_at` for a field's normalized text)."""
    # Latin/digit terms: jieba keeps "analysis" whole, so check the neighbours directly.
    if _is_ascii_alnum(text[start]) and start > 0 and _is_ascii_alnum(text[start - 1]):
        return False
    if _is_ascii_alnum(text[end - 1]) and end < len(text) and _is_ascii_alnum(text[end]):
        return False
    a, b = word_at(start)
    if a < start:
        return b >= end
    a, b = word_at(end - 1)
    if b > end:
        return a <= start
    return True


def _word_at(words: list[tuple[str, int, int]]):
    """`word_at` over a tokenizer's cut of a text that is not a field's (a gapped window)."""
    starts = [start for _, start, _ in words]
    return lambda i: words[bisect.bisect_right(starts, i) - 1][1:]


class WordlistCheck:
    """A check whose categories are wordlist files; shared by prohibited and sensitive_topic.

    `context` (ContextCues) lets a protective context lower `block` to `escalate` for the
    categories that allow it (`@context on`).
    """

    version = None  # wordlists are versioned by Resources.version()

    def __init__(self, name: str, lexicon: Lexicon, context=None):
        self.name = name
        self.lexicon = lexicon
        self.context = context

    @property
    def dictionary_words(self) -> list[str]:
        return self.lexicon.words

    def check(self, doc) -> list:
        from .findings import Finding

        findings = []
        for fld in doc.fields:
            hits = self.lexicon.scan(fld)
            if not hits:
                continue
            finder = self.context.finder(fld, doc.title) if self.context else None
            for hit in hits:
                category, action, score = hit.category, hit.category.action, hit.term.weight
                message = category.message
                details = {"term": hit.term.label}
                forms = [f for f in (hit.term.form, "gapped" if hit.gapped else "") if f]
                if forms:
                    details["form"] = "+".join(forms)
                    message += f"（疑似规避写法：{'、'.join(FORM_ZH[f] for f in forms)}，对应“{hit.term.label}”）"
                # The category as its file names it: a category an administrator adds shows by name.
                if category.name:
                    details["name"] = category.name
                if category.rule:
                    details["rule"] = category.rule
                if action == "block" and score < 0.5:
                    # A low weight marks an ambiguous term: a person decides (see README).
                    action = "escalate"
                    message += "（该词存在歧义，请审核人确认）"
                cue = finder.cue_for(hit.start, hit.end) if finder and category.context else None
                if cue and action == "block":
                    action, score = "escalate", score * 0.5
                    message += f"（出现在“{cue[0]}”等{_KIND_ZH[cue[1]]}语境中，未直接拦截，须经主要领导审核确认）"
                    details["context"] = {"cue": cue[0], "kind": cue[1]}
                start, end = fld.original_span(hit.start, hit.end)
                findings.append(Finding(
                    check=self.name, category=category.id, field=fld.name, start=start, end=end,
                    text=fld.original[start:end], score=score, action=action, message=message,
                    details=details,
                ))
        return findings


_KIND_ZH = {
    "crackdown": "打击整治", "warning": "警示提醒", "education": "宣传教育", "refutation": "辟谣", "condemnation": "反对谴责",
}
