"""Names of private individuals and street-level addresses (000 §17, 002 §19).

Person names come from small rules, each returning the names it finds in a field: a context word
(患者, 业主, 市民 …) or an official title (市长) right before a surname (CueBefore), an age
before a name (AgeBefore), a cue right after a full name (CueAfter: 张三女士; Annotated: 张三（男，…）),
leaders on the public-figures list (PublicFigures), middle-dot minority names (DottedNames:
买买提·艾力) and, for names no cue announces, the learned model (ModelNames: pii_name_model.py),
whose hits the words around them make officials, public figures or private individuals.
PersonRecognizer runs them in that order and merges what they find. The rules read names through
NameParser (pii_name_parser.py): the name lists and how a name is read from a position.
Addresses anchor on a numbered part (文三路123号, 12幢7单元) and extend left over the place-name
tokens before it.
"""
from __future__ import annotations

import bisect
import re
from pathlib import Path
from typing import NamedTuple

from .pii_name_model import MODEL_DIR, NameModel, best_spans
from .pii_name_parser import _DOTS, _NAME_MASKS, _POST_CUE, _QUOTES, NameParser
from .pii_numbers import Hit
from .text import Field, is_cjk
from .tokenize import Tokenizer

_AGE = re.compile(r"(?<![0-9])[0-9]{1,3}岁的?")
_DOT_BETWEEN_CJK = re.compile(rf"[\u4e00-\u9fff][{_DOTS}][\u4e00-\u9fff]")
_DOTTED = re.compile(rf"[\u4e00-\u9fff]{{1,8}}(?:[{_DOTS}][\u4e00-\u9fff]{{1,8}}){{1,2}}")
# Tags jieba's dictionary gives to words that cannot be a given name (verbs, prepositions …).
_FUNCTION_TAGS = frozenset("v vd vn p c u uj ul ud uz ug uv r rr rz d ad a t tg m q f y e o x zg".split())
# A name the model proposes that ends in one of these is a place or an organization (唐陵村, 某某店).
_PLACE_ENDS = "村镇乡县市省州区路街巷楼店厂局处所站港湾"
# 王晓萍（女）、梁玉华（女）: a closed sex annotation is how appointment rosters list officials.
_ROSTER = re.compile(r"\((?:男|女)\)")
_SENTENCE_ENDS = "。！？；\n"
PRIVACY_WINDOW = 8


def _inside_word(text: str, start: int, end: int, words: Tokenizer) -> bool:
    """Whether a dictionary word of up to six characters holds the span and more (顿涅茨克)."""
    return any(words.freq(text[s:e]) for s in range(max(0, start - 3), start + 1) for e in range(end, min(len(text), end + 3) + 1)
               if (s, e) != (start, end) and e - s <= 6)


class NameHit(NamedTuple):
    """A name a rule found: normalized [start, end), how much of it is the surname, who the
    person is ("private", "official", …), which cue said so, and a score if the rule has one."""

    start: int
    end: int
    surname_len: int
    kind: str
    cue: str
    score: float | None = None


class CueBefore:
    """患者张三, 市长李四, 业主张三、李四和王五, 学生elaine, 女孩贡桑: the longest cue ending at each
    position (犯罪嫌疑人 > 嫌疑人) that starts a word there (房山区|长阳镇 holds 区长, 行业|主管
    holds 业主: not cues), then the name after it."""

    def __init__(self, names: NameParser):
        self.names = names

    def find(self, fld: Field) -> list[NameHit]:
        names, text, hits = self.names, fld.normalized, []
        for end, (word, kind, pos) in names._cue_hits(names.cues, fld, names._name_after).items():
            private = kind == "private"
            foreign = (names._latin(fld, pos) or names._transliterated(text, pos)) if private else None
            # A quoted name with no surname is a nickname or a programme's (志愿者“小青荷”), not a person's.
            bare = ((names._minority_name(text, pos) or (None if names._surname_len(text, pos) else names._bare_name(text, pos)))
                    if private and not foreign and text[pos - 1] not in _QUOTES else None)
            if foreign or bare:
                hits.append(NameHit(pos, foreign or bare, 1, kind, word))  # the mask keeps the first character
                continue
            while True:
                parsed = names._forward(text, pos, private)
                if not parsed:
                    break
                name_end, sn = parsed
                hits.append(NameHit(pos, name_end, sn, kind, word))
                # 业主张三、李四和王五: one cue, a list of names.
                if name_end + 1 < len(text) and text[name_end] in "、和及与" and names._surname_len(text, name_end + 1, private):
                    pos = name_end + 1
                    continue
                break
        return hits


class AgeBefore:
    """An age right before a name with no listed surname (67岁的普汝明) or a context surname
    (7岁的于乐乐); with a listed surname, the model finds the name and its privacy gate reads the age."""

    def __init__(self, names: NameParser):
        self.names = names

    def find(self, fld: Field) -> list[NameHit]:
        names, text, hits = self.names, fld.normalized, []
        for m in _AGE.finditer(text):
            pos = m.end()
            if names._surname_len(text, pos):
                continue
            parsed = names._forward(text, pos, after_private_cue=True) if names._surname_len(text, pos, True) else None
            end, sn = parsed or (names._minority_name(text, pos) or names._bare_name(text, pos), 1)
            if end:
                hits.append(NameHit(pos, end, sn, "private", m.group()))
        return hits


class CueAfter:
    """张三女士, 李四同志, 王局长: a cue right after a full name (副局长 wins over 局长, so 副 is not
    taken as part of the name)."""

    def __init__(self, names: NameParser):
        self.names = names

    def find(self, fld: Field) -> list[NameHit]:
        names, text, hits = self.names, fld.normalized, []
        for _end, (word, kind, start) in names._cue_hits(names.after, fld, names._name_before).items():
            if found := names._backward(fld, start):
                hits.append(NameHit(found[0], start, found[1], kind, word))
        return hits


class Annotated:
    """张三（男，1980年…）, 张三，女，45岁, 钱海洋（化名）, 敬永安：本院…: a sex, an age, an alias or a
    court's address right after a name."""

    def __init__(self, names: NameParser):
        self.names = names

    def find(self, fld: Field) -> list[NameHit]:
        names, text, hits = self.names, fld.normalized, []
        for m in _POST_CUE.finditer(text):
            if found := names._backward(fld, m.start(), strong=bool(m.group("alias")), annotated=True):
                hits.append(NameHit(found[0], m.start(), found[1], "private", m.group()))
        return hits


class PublicFigures:
    """Leaders on public_figures.txt, wherever they are named (李强强调 is 李强 and 强调)."""

    def __init__(self, names: NameParser):
        self.names = names

    def find(self, fld: Field) -> list[NameHit]:
        return [NameHit(end + 1 - len(name), end + 1, 1, "official", "public_figures")
                for end, name in self.names.public_figures.iter(fld.normalized)]


def _dotted_matches(original: str):
    """_DOTTED matches, searched only around dots between CJK characters (a full-text regex
    scan backtracks at every CJK character and costs more than everything else here)."""
    covered = 0
    for dot in _DOT_BETWEEN_CJK.finditer(original):
        if dot.start() < covered:
            continue
        m = _DOTTED.search(original, max(covered, dot.start() - 7), dot.end() + 18)
        if m:
            covered = m.end()
            yield m


class DottedNames:
    """Middle-dot names: a minority name (买买提·艾力) or any dotted name a cue announces."""

    def __init__(self, names: NameParser):
        self.names = names

    def find(self, fld: Field) -> list[Hit]:
        """买买提·艾力: the dot is removed from `normalized`, so scan the original and map back."""
        names = self.names
        original = fld.original
        if not any(d in original for d in _DOTS):
            return []
        hits = []
        positions = range(len(fld.normalized))

        def where(i: int) -> int:  # original offset of normalized character i (increasing)
            return fld.original_span(i, i + 1)[0]

        for m in _dotted_matches(original):
            parts = re.split(f"[{_DOTS}]", m.group())
            left, right = parts[0], parts[-1]
            if not any(p in m.group() for p in names.minority) and not any(True for _ in names.cues.iter(left)) \
                    and not any(True for _ in names.after.iter(right)):
                continue  # 中国·深圳, 迈克尔·乔丹: no minority name part and no cue (checked cheaply first)
            # The left run may carry a cue (村民买买提): the name starts after it.
            cue_kind = None
            for end, (word, kind) in names.cues.iter(left):
                if end + 1 < len(left):
                    left, cue_kind = left[end + 1:], kind
            left = names._name_part(left, from_end=True)
            cut = len(right)
            for end, (word, kind) in names.after.iter(right):
                if word.startswith("的"):
                    continue  # 廷·巴特尔的父亲: a possessive is too weak for a dotted, mostly foreign or public name
                if end - len(word) + 1 < cut:  # 阿布拉委员: the name ends where a title starts
                    cut, cue_kind = end - len(word) + 1, kind
            right = names._name_part(right[:cut], from_end=False)
            if not right or not left:
                continue
            middle = parts[1:-1]
            if not any(p in x for x in [left, right, *middle] for p in names.minority) and cue_kind is None:
                continue  # 中国·深圳, 迈克尔·乔丹: not a minority name and no privacy cue
            ostart = m.start() + len(parts[0]) - len(left)
            oend = m.end() - (len(parts[-1]) - len(right))
            nstart = bisect.bisect_left(positions, ostart, key=where)
            nend = bisect.bisect_left(positions, oend, key=where)
            if fld.original_span(nstart, nend) != (ostart, oend):
                continue
            kind = cue_kind or "private"
            hits.append(Hit("person", nstart, nend, 0.3 if kind == "official" else 0.8, kind, nstart, {"cue": "·"}))
        return hits


class ModelNames:
    """Names no cue announces, from the learned model; where a cue rule found a name first, its
    reading stands (an official in the role, a masked name), and famous names and common words are
    not reported."""

    def __init__(self, names: NameParser, resources):
        self.names = names
        settings = resources.read_toml("pii/names.toml")
        model_file = Path(settings["model"])
        self.model = NameModel.load(model_file if model_file.is_absolute() else MODEL_DIR / model_file)
        self.threshold = float(settings["threshold"])

    def find(self, fld: Field, taken: list[Hit]) -> list[NameHit]:
        text, hits = fld.normalized, []
        for cand, probability in best_spans(*self.model.scores(self.names.featurizer, text), self.threshold):
            if not any(cand.start < h.end and h.start < cand.end for h in taken):
                kind = self._kind(text, cand)
                if kind:
                    hits.append(NameHit(cand.start, cand.end, cand.surname_len, kind, "model", round(probability, 3)))
        return hits

    def _kind(self, text: str, cand) -> str | None:
        """Who a name the model found is, from the words around it; None if it is not a name to report."""
        names = self.names
        name = text[cand.start:cand.end]
        if (names._known(name) or name[-1] in _PLACE_ENDS or any(name[k:] in names.after_private for k in (1, 2))
                or cand.kind == "translit" and names.words.tag(name) not in (None, "nrt") or _inside_word(text, cand.start, cand.end, names.words)):
            return None  # a famous name or a word; 唐陵村; 周师傅 is de-identified; 哈萨克斯坦; 顿|涅茨克
        if (text.endswith(names.official_words, 0, cand.start)
                or text.startswith(names.official_words + names.official_acts, cand.end) or _ROSTER.match(text, cand.end)):
            return "official"  # 中央军委主席习近平, 李四同志, 张立军主持, 名单：王晓萍（女）
        sentence_start = max(text.rfind(p, 0, cand.start) for p in _SENTENCE_ENDS) + 1
        sentence_end = min((i for i in (text.find(p, cand.end) for p in _SENTENCE_ENDS) if i >= 0), default=len(text))
        if next(names.public_context.iter(text[sentence_start:sentence_end]), None):
            return "public"  # 中国选手刘思彤获得铜牌
        # A private individual for certain only in a privacy context: a private-person cue in the
        # PRIVACY_WINDOW characters before the name (村民于长生, 患者家属张某某的儿子), an age right
        # before it (62岁的) or, for a Chinese name, family words right after it (汪彩霞和丈夫,
        # 孙明全夫妻俩; foreign names so written are mostly visiting leaders: 恩代特瓦和丈夫).
        # Elsewhere a name the model found is shown to the reviewer but not masked: in running
        # news most such names are officials, experts, honourees and foreign figures that no list
        # can hold (measured in docs/pii.md).
        window = text[max(sentence_start, cand.start - PRIVACY_WINDOW):cand.start]
        if (any(kind == "private" for _end, (_word, kind) in names.cues.iter(window)) or window.endswith(("岁", "岁的"))
                or cand.kind == "han" and text.startswith(names.family_after, cand.end)):
            return "private"
        return "unconfirmed"


class PersonRecognizer:
    def __init__(self, resources, with_model: bool = True):
        """`with_model` False: the cue rules and the model's featurizer only (what training needs,
        so that a missing or outdated artifact can be rebuilt)."""
        self.names = NameParser(resources)
        self.rules = tuple(rule(self.names) for rule in (CueBefore, AgeBefore, CueAfter, Annotated, PublicFigures))
        self.dotted = DottedNames(self.names)
        self.model = ModelNames(self.names, resources) if with_model else None

    @property
    def words(self) -> Tokenizer:
        return self.names.words

    @property
    def featurizer(self):
        return self.names.featurizer

    @property
    def private_cue_words(self) -> tuple[str, ...]:
        return self.names.private_cue_words

    def find(self, fld: Field) -> list[Hit]:
        """Every rule's names, merged in rule order: one hit per span, an official reading wins."""
        found: dict[tuple[int, int], Hit] = {}
        for rule in self.rules:
            for hit in rule.find(fld):
                _add(fld, found, hit)
        dotted = self.dotted.find(fld)
        if self.model is not None:
            for hit in self.model.find(fld, list(found.values()) + dotted):
                _add(fld, found, hit)
        hits = list(found.values()) + dotted
        _kinds_in_company(fld.normalized, hits, self.names._private_after_list)
        return hits


def _add(fld: Field, found: dict[tuple[int, int], Hit], hit: NameHit) -> None:
    start, end = hit.start, hit.end
    ostart, oend = fld.original_span(start, end)
    if any(ch in _NAME_MASKS for ch in fld.original[ostart:oend]):
        return  # 张某, 李**, 王×明: already de-identified
    if (_DOT_BETWEEN_CJK.match(fld.original, max(0, ostart - 2), ostart + 1) or _DOT_BETWEEN_CJK.match(fld.original, oend - 1)
            or _DOT_BETWEEN_CJK.search(fld.original, ostart, oend)):
        return  # 廷·|巴特尔的父亲, 迈克尔·乔丹: a dotted name, or part of one; DottedNames decides on the whole name
    old = found.get((start, end))
    if old is None or (hit.kind == "official" and old.kind != "official"):
        score = hit.score if hit.score is not None else 0.3 if hit.kind == "official" else 0.8
        found[(start, end)] = Hit("person", start, end, score, hit.kind, start + hit.surname_len, {"cue": hit.cue})


def _kinds_in_company(text: str, hits: list[Hit], private_after_list) -> None:
    """A name the model found joined to an official's (习近平和彭丽媛, 骆旭东与倪峰, 王毅、刘国中、
    何卫东) is named in the same official capacity: reported, not masked. One joined to a private
    individual's (村民张三、李四), or in a list that a private role follows (秦朗、卢雪梅、覃海燕三位
    旅客, 武建国、武建军兄弟), is a private individual's. Along a list, until no name changes."""
    names = sorted((h for h in hits if h.category == "person"), key=lambda h: h.start)
    joined = [text[a.end:b.start] in ("和", "与", "及", "、", "同") for a, b in zip(names, names[1:])]
    for i in range(len(names)):
        if i == 0 or not joined[i - 1]:
            last = i
            while last < len(joined) and joined[last]:
                last += 1
            if last > i and private_after_list(text, names[last].end):
                for hit in names[i:last + 1]:
                    if hit.kind == "unconfirmed":
                        hit.kind = "private"
    for kind in ("official", "private"):
        changed = True
        while changed:
            changed = False
            for (a, b), together in zip(zip(names, names[1:]), joined):
                # A private kind spreads only from a cue (not from the model or a dotted name's default).
                sources = [h for h in (a, b) if h.kind == kind and (kind == "official" or h.details.get("cue") not in ("model", "·"))]
                if together and sources:
                    for hit in (a, b):
                        if hit.details.get("cue") == "model" and hit.kind != kind and (kind == "official" or hit.kind == "unconfirmed"):
                            hit.kind, changed = kind, True


class AddressRecognizer:
    def __init__(self, resources, words: Tokenizer):
        self.words = words
        cfg = resources.read_toml("pii/address.toml")
        num = "[0-9一二三四五六七八九十百零〇两]{1,5}"
        road = "|".join(sorted(map(re.escape, cfg["road_suffixes"]), key=len, reverse=True))
        community = "|".join(sorted(map(re.escape, cfg["community_suffixes"]), key=len, reverse=True))
        unit = "(?:栋|幢|号楼|座|单元|层|楼|室|号|户|房)"
        tail = rf"(?:-?[0-9a-z一二三四五六七八九十]{{1,5}}{unit}|-[0-9]{{1,4}})*(?:[0-9]{{3,4}}(?![0-9]))?"
        # A numbered part is what makes a place name a street-level address.
        self.anchor = re.compile(
            rf"(?P<road>{road})(?:{num}(?:段|巷|弄|里))?{num}(?:号院|号|弄)(?:之{num})?{tail}"
            rf"|(?P<community>{community})[0-9]{{1,4}}(?:栋|幢|号楼|组|队|社|号院){tail}"
            rf"|(?P<building>){num}(?:栋|幢|号楼|座){num}单元{tail}"
        )
        self.stops = frozenset(cfg["stops"])
        self.public_cues = tuple(cfg["public_cues"])
        self.region_suffixes = tuple(cfg["region_suffixes"])
        self.provinces = frozenset(cfg["provinces"])

    def find(self, fld: Field, exclude: frozenset[str] = frozenset()) -> list[Hit]:
        text, hits = fld.normalized, []
        for m in self.anchor.finditer(text):
            # The place-name tokens to the left end where the road/community name ends.
            left_end = m.end("road") if m.group("road") else m.end("community") if m.group("community") else m.start()
            start, region_end = self._extend_left(fld, left_end, exclude)
            if m.group("building") is not None and start == left_end:
                # A bare 3栋2单元 with nothing before it is too little to call an address.
                if not re.search("室|[0-9]{3,4}$", m.group()):
                    continue
            if (m.group("road") or m.group("community")) and start >= m.start():
                continue  # 路12号 with no road name
            before = text[max(0, start - 6):start]
            kind = "public" if any(c in before for c in self.public_cues) else "private"
            hits.append(Hit("address", start, m.end(), 0.75 if kind == "private" else 0.4, kind, region_end))
        return hits

    def _extend_left(self, fld: Field, end: int, exclude: frozenset[str]) -> tuple[int, int]:
        """Back over the field's tokens before `end` (at most 24 characters; a token running on
        past `end` counts up to it): the place-name words of the address."""
        text, tokens = fld.normalized, fld.tokens
        start = end
        accepted: list[tuple[str, int]] = []
        k = tokens.index_at(end - 1) if end else -1
        while k >= 0 and tokens.starts[k] >= max(0, end - 24):
            ws = int(tokens.starts[k])
            word = text[ws:min(end, int(tokens.ends[k]))]
            k -= 1
            last = not accepted and start == end
            if not all(is_cjk(ch) or ch.isdigit() for ch in word) or word in self.stops or word in exclude:
                break
            tag = self.words.tag(word)
            if not last and tag is not None and tag in _FUNCTION_TAGS and not word.endswith(self.region_suffixes):
                break
            start = ws
            accepted.append((word, start))
        # The region prefix (浙江省杭州市西湖区) is what keep_region leaves visible.
        region_end = start
        for word, wstart in reversed(accepted):
            if wstart != region_end or not (word.endswith(self.region_suffixes) or word in self.provinces):
                break
            region_end = wstart + len(word)
        return start, region_end
