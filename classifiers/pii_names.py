"""Names of private individuals and street-level addresses (000 §17, 002 §19).

jieba's `nr` tag is noisy and POS tagging a whole draft costs ~5x `jieba.lcut`, so names are
found from cues: a context word (患者, 业主, 市民 …) or an official title (市长) right before a
surname, a cue right after a full name (张三女士, 张三（男，…）), or a middle-dot minority name
(买买提·艾力); after a private cue also a Latin-script or transliterated foreign name
(学生elaine, 丈夫罗文塔尔). jieba only tokenizes the few characters around each candidate to
find where the name ends. Names no cue announces come from the learned model
(pii_name_model.py); the words around them decide whether they are officials, public figures
or private individuals. Addresses anchor on a numbered part (文三路123号, 12幢7单元) and extend
left over the place-name tokens before it.
"""
from __future__ import annotations

import bisect
import re
from pathlib import Path

import ahocorasick

from .pii_name_model import MODEL_DIR, NameFeaturizer, NameModel, best_spans
from .pii_numbers import MASK_CHARS, Hit
from .text import Field, is_cjk
from .tokenize import Tokenizer

# Tags jieba's dictionary gives to words that cannot be a given name (verbs, prepositions …).
_FUNCTION_TAGS = frozenset("v vd vn p c u uj ul ud uz ug uv r rr rz d ad a t tg m q f y e o x zg".split())
# A two-character word after a lone surname is a given name unless it is one of these (于|今年,
# 王|明确); verbs and adjectives are common given names (杨|振兴, 张|欢迎, 诸葛|明亮).
_NOT_GIVEN_TAGS = frozenset("p c u uj ul ud uz ug uv r rr rz d ad t tg m q f y e o x zg".split())
# Opening quotes between a cue and a name: 网友“吕建明”.
_QUOTES = "\"'“‘「『"
# A dictionary word of these kinds can open a three-character name (夏天|明, 高峰|岭).
_NAME_OPENING_TAGS = frozenset("n t a ns nz s".split())
_DOTS = "·•・‧∙."
_DOTTED = re.compile(rf"[\u4e00-\u9fff]{{1,8}}(?:[{_DOTS}][\u4e00-\u9fff]{{1,8}}){{1,2}}")
_DOT_BETWEEN_CJK = re.compile(rf"[\u4e00-\u9fff][{_DOTS}][\u4e00-\u9fff]")
# 张三（男，1980年…）, 张三，女，45岁 — sex or age right after a name (normalized: ( and , are ASCII);
# 敬永安：本院已立案 — a court addressing a party. A closed "(女)" is a roster annotation in
# appointment lists (officials), not a private cue.
_POST_CUE = re.compile(r"[(,](?:男|女)(?=[,性\d汉族])|[(,]\d{1,3}岁|(?P<alias>\(化名\))|:本院")
# jieba's dictionary counts (People's Daily corpus). A two-character word starting with a surname
# that it has seen 50+ times is an ordinary word it mis-tags nr (安抚, 张贴, 高峰) or a famous name
# (鲁迅, 刘翔); longer names are in it by the hundred (王晓东 518, 汪潮涌 256), so only the very
# frequent ones count as famous (孙中山 2171, 江泽民 2415). Neither is a private individual.
_KNOWN_WORD_COUNT = {2: 50}
_KNOWN_NAME_COUNT = 1000
_NAME_MASKS = frozenset("某") | MASK_CHARS
# A name the model proposes that ends in one of these is a place or an organization (唐陵村, 某某店).
_PLACE_ENDS = "村镇乡县市省州区路街巷楼店厂局处所站港湾"
_SENTENCE_ENDS = "。！？；\n"
PRIVACY_WINDOW = 8
# A name with no listed surname after a private cue (女孩贡桑) is taken only if every character is
# common in given names (rate -2 or more: 贡 -2, 桑 -1); the words jieba does not know after
# 游客/市民 are mostly verbs (尽享 -3, 推窗 -4, 网购 -4), measured on the CCTV stories.
BARE_NAME_MIN_RATE = -2
# 王晓萍（女）、梁玉华（女）: a closed sex annotation is how appointment rosters list officials.
_ROSTER = re.compile(r"\((?:男|女)\)")
# After a list of names: an optional count (等40余名, 三位), then a private role (旅客, 消费者) or one
# of these (三户家庭, 武建国、武建军兄弟).
_LIST_COUNT = re.compile(r"等?(?:[0-9一二两三四五六七八九十百余多]+(?:名|位|户|个|人|家))?")
_LIST_ROLES = ("家庭", "兄弟", "姐妹", "夫妇", "夫妻")
# A numeral ends a name (计长林|三人, 王明华|两次).
_NUMERALS = "一二两三四五六七八九十"
_AGE = re.compile(r"(?<![0-9])[0-9]{1,3}岁的?")
# A Latin-script name right after a private cue (学生elaine说, 父亲Giovanni): letters only, at
# least three, not followed by a digit, @ or URL punctuation (少女http://…, 网友abc123@…).
_LATIN_NAME = re.compile(r"[a-z][a-z'-]{1,18}[a-z](?![a-z0-9@.:/_])")


def _left_ok(text: str, start: int) -> bool:
    """A name found from a cue after it cannot follow 《 (a title: 《辛普森一家》) or a digit or
    Latin letter (8时许，30岁 is a time)."""
    prev = text[start - 1] if start else ""
    return not (prev == "《" or prev.isascii() and prev.isalnum())


def read_lines(text: str) -> list[str]:
    return [s for line in text.splitlines() if (s := line.strip()) and not s.startswith("#")]


def _inside_word(text: str, start: int, end: int, words: Tokenizer) -> bool:
    """Whether a dictionary word of up to six characters holds the span and more (顿涅茨克)."""
    return any(words.freq(text[s:e]) for s in range(max(0, start - 3), start + 1) for e in range(end, min(len(text), end + 3) + 1)
               if (s, e) != (start, end) and e - s <= 6)


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


class PersonRecognizer:
    def __init__(self, resources, with_model: bool = True):
        """`with_model` False: the cue rules and the model's featurizer only (what training needs,
        so that a missing or outdated artifact can be rebuilt). Words come from the Screener's
        tokenizer (`resources.services["tokenizer"]`), or a tokenizer of its own outside one."""
        self.words: Tokenizer = resources.services.get("tokenizer") or Tokenizer()
        names = read_lines(resources.read_text("pii/surnames.txt"))
        self.compound = frozenset(n for n in names if len(n) == 2)
        self.single = frozenset(n for n in names if len(n) == 1)
        self.stops = frozenset(read_lines(resources.read_text("pii/name_stops.txt")))
        translit = resources.read_toml("pii/transliteration.toml")
        self.translit, self.translit_marked = frozenset(translit["chars"]), frozenset(translit["marked"])
        self.minority = tuple(read_lines(resources.read_text("pii/minority_name_parts.txt")))
        self.minority_by_first: dict[str, list[str]] = {}
        for part in sorted(self.minority, key=len, reverse=True):  # the longest part first
            self.minority_by_first.setdefault(part[0], []).append(part)
        self.context_surnames = frozenset(read_lines(resources.read_text("pii/context_surnames.txt")))
        self.family_after = tuple(read_lines(resources.read_text("pii/family_after.txt")))
        self.after_private = frozenset(read_lines(resources.read_text("pii/privacy_after.txt"))) | frozenset(self.family_after)
        titles = read_lines(resources.read_text("pii/official_titles.txt"))
        self.private_cue_words = tuple(read_lines(resources.read_text("pii/privacy_cues.txt")))
        # What may follow a list of names to make them private (三位旅客, 三户家庭).
        self.list_tail_words = self.private_cue_words + _LIST_ROLES
        # A given name is never a role word itself (工人党|主席, 市民|代表).
        self.role_words = frozenset(titles) | frozenset(self.private_cue_words) | self.after_private
        self.cues = ahocorasick.Automaton()
        for word in self.private_cue_words:
            self.cues.add_word(word, (word, "private"))
        for word in titles:
            self.cues.add_word(word, (word, "official"))
        self.cues.make_automaton()
        self.after = ahocorasick.Automaton()
        for word in self.after_private:
            self.after.add_word(word, (word, "private"))
        self.official_words = tuple(titles + read_lines(resources.read_text("pii/official_after.txt")))
        for word in self.official_words:
            self.after.add_word(word, (word, "official"))
        self.after.make_automaton()
        self.featurizer = NameFeaturizer(self.compound, self.single, self.translit, self.stops, self.role_words, self.words)
        self.official_acts = tuple(read_lines(resources.read_text("pii/official_acts.txt")))
        self.public_figures = ahocorasick.Automaton()
        for name in read_lines(resources.read_text("pii/public_figures.txt")):
            self.public_figures.add_word(name, name)
        self.public_figures.make_automaton()
        self.public_context = ahocorasick.Automaton()
        for word in read_lines(resources.read_text("pii/public_context.txt")):
            self.public_context.add_word(word, word)
        self.public_context.make_automaton()
        settings = resources.read_toml("pii/names.toml")
        model_file = Path(settings["model"])
        self.model = NameModel.load(model_file if model_file.is_absolute() else MODEL_DIR / model_file) if with_model else None
        self.model_threshold = float(settings["threshold"])

    def find(self, fld: Field) -> list[Hit]:
        text = fld.normalized
        found: dict[tuple[int, int], Hit] = {}

        def add(start: int, end: int, surname_len: int, kind: str, cue: str, score: float | None = None) -> None:
            ostart, oend = fld.original_span(start, end)
            if any(ch in _NAME_MASKS for ch in fld.original[ostart:oend]):
                return  # 张某, 李**, 王×明: already de-identified
            if (_DOT_BETWEEN_CJK.match(fld.original, max(0, ostart - 2), ostart + 1) or _DOT_BETWEEN_CJK.match(fld.original, oend - 1)
                    or _DOT_BETWEEN_CJK.search(fld.original, ostart, oend)):
                return  # 廷·|巴特尔的父亲, 迈克尔·乔丹: a dotted name, or part of one; _dotted decides on the whole name
            old = found.get((start, end))
            if old is None or (kind == "official" and old.kind != "official"):
                score = score if score is not None else 0.3 if kind == "official" else 0.8
                found[(start, end)] = Hit("person", start, end, score, kind, start + surname_len, {"cue": cue})

        # Cue before the name: the longest cue ending at each position (犯罪嫌疑人 > 嫌疑人) that
        # starts a word there (房山区|长阳镇 holds 区长, 行业|主管 holds 业主: not cues).
        for end, (word, kind, pos) in self._cue_hits(self.cues, text, self._name_after).items():
            private = kind == "private"
            foreign = (self._latin(fld, pos) or self._transliterated(text, pos)) if private else None
            # A quoted name with no surname is a nickname or a programme's (志愿者“小青荷”), not a person's.
            bare = ((self._minority_name(text, pos) or (None if self._surname_len(text, pos) else self._bare_name(text, pos)))
                    if private and not foreign and text[pos - 1] not in _QUOTES else None)
            if foreign or bare:
                add(pos, foreign or bare, 1, kind, word)  # the mask keeps the first character
                continue
            while True:
                parsed = self._forward(text, pos, private)
                if not parsed:
                    break
                name_end, sn = parsed
                add(pos, name_end, sn, kind, word)
                # 业主张三、李四和王五: one cue, a list of names.
                if name_end + 1 < len(text) and text[name_end] in "、和及与" and self._surname_len(text, name_end + 1, private):
                    pos = name_end + 1
                    continue
                break

        # An age right before a name with no listed surname (67岁的普汝明) or a context surname
        # (7岁的于乐乐); with a listed surname, the model finds the name and its privacy gate
        # reads the age.
        for m in _AGE.finditer(text):
            pos = m.end()
            if self._surname_len(text, pos):
                continue
            parsed = self._forward(text, pos, after_private_cue=True) if self._surname_len(text, pos, True) else None
            end, sn = parsed or (self._minority_name(text, pos) or self._bare_name(text, pos), 1)
            if end:
                add(pos, end, sn, "private", m.group())

        # Cue after the name: 张三女士, 张三同志, 张三（男，…）.
        # 副局长 wins over 局长, so 副 is not taken as part of the name.
        for end, (word, kind, start) in self._cue_hits(self.after, text, self._name_before).items():
            self._backward_add(text, start, kind, word, add)
        for m in _POST_CUE.finditer(text):
            self._backward_add(text, m.start(), "private", m.group(), add, strong=bool(m.group("alias")), annotated=True)

        # Leaders on public_figures.txt, wherever they are named (李强强调 is 李强 and 强调).
        for end, name in self.public_figures.iter(text):
            add(end + 1 - len(name), end + 1, 1, "official", "public_figures")
        dotted = self._dotted(fld)
        hits = list(found.values()) + dotted
        # Names no cue announces, from the learned model; the cue rules decide where they found one
        # (an official in the role, a masked name), and famous names and common words are not private.
        found_by_model = best_spans(*self.model.scores(self.featurizer, text), self.model_threshold) if self.model else []
        for cand, probability in found_by_model:
            if not any(cand.start < h.end and h.start < cand.end for h in hits):
                kind = self._model_kind(text, cand)
                if kind:
                    add(cand.start, cand.end, cand.surname_len, kind, "model", round(probability, 3))
        hits = list(found.values()) + dotted
        _kinds_in_company(text, hits, self._private_after_list)
        return hits

    def _private_after_list(self, text: str, pos: int) -> bool:
        """Whether a private role follows a list of names ending at `pos`, after an optional count:
        三位旅客, 等40余名消费者, 三户家庭, 兄弟."""
        pos = _LIST_COUNT.match(text, pos).end()
        return text.startswith(self.list_tail_words, pos)

    def _model_kind(self, text: str, cand) -> str | None:
        """Who a name the model found is, from the words around it; None if it is not a name to report."""
        name = text[cand.start:cand.end]
        if (self._known(name) or name[-1] in _PLACE_ENDS or any(name[k:] in self.after_private for k in (1, 2))
                or cand.kind == "translit" and self.words.tag(name) not in (None, "nrt") or _inside_word(text, cand.start, cand.end, self.words)):
            return None  # a famous name or a word; 唐陵村; 周师傅 is de-identified; 哈萨克斯坦; 顿|涅茨克
        if (text.endswith(self.official_words, 0, cand.start)
                or text.startswith(self.official_words + self.official_acts, cand.end) or _ROSTER.match(text, cand.end)):
            return "official"  # 中央军委主席习近平, 李四同志, 张立军主持, 名单：王晓萍（女）
        sentence_start = max(text.rfind(p, 0, cand.start) for p in _SENTENCE_ENDS) + 1
        sentence_end = min((i for i in (text.find(p, cand.end) for p in _SENTENCE_ENDS) if i >= 0), default=len(text))
        if next(self.public_context.iter(text[sentence_start:sentence_end]), None):
            return "public"  # 中国选手刘思彤获得铜牌
        # A private individual for certain only in a privacy context: a private-person cue in the
        # PRIVACY_WINDOW characters before the name (村民于长生, 患者家属张某某的儿子), an age right
        # before it (62岁的) or, for a Chinese name, family words right after it (汪彩霞和丈夫,
        # 孙明全夫妻俩; foreign names so written are mostly visiting leaders: 恩代特瓦和丈夫).
        # Elsewhere a name the model found is shown to the reviewer but not masked: in running
        # news most such names are officials, experts, honourees and foreign figures that no list
        # can hold (measured in docs/pii.md).
        window = text[max(sentence_start, cand.start - PRIVACY_WINDOW):cand.start]
        if (any(kind == "private" for _end, (_word, kind) in self.cues.iter(window)) or window.endswith(("岁", "岁的"))
                or cand.kind == "han" and text.startswith(self.family_after, cand.end)):
            return "private"
        return "unconfirmed"

    def _cue_hits(self, automaton, text: str, viable) -> dict[int, tuple[str, str, int]]:
        """End index -> (cue, kind, name position): per end, the longest cue that has a possible
        name next to it (`viable`, cheap, checked first) and at whose start jieba puts a word
        boundary (tokenizing costs ~30 µs, so only for the few cues that pass)."""
        by_end: dict[int, list[tuple[str, str]]] = {}
        for end, value in automaton.iter(text):
            by_end.setdefault(end, []).append(value)
        hits = {}
        for end, values in by_end.items():
            for word, kind in sorted(values, key=lambda v: -len(v[0])):
                pos = viable(text, end - len(word) + 1, end + 1, word, kind)
                if pos is not None and self._word_starts(text, end - len(word) + 1):
                    hits[end] = (word, kind, pos)
                    break
        return hits

    def _known(self, name: str) -> bool:
        return self.words.freq(name) >= _KNOWN_WORD_COUNT.get(len(name), _KNOWN_NAME_COUNT)

    def _name_after(self, text: str, start: int, end: int, word: str, kind: str) -> int | None:
        """Where a name after the cue would start (after 姓名： or an opening quote), if a surname is there."""
        if self.words.freq(text[start:end + 1]) or self.words.freq(text[start:end + 2]):
            return None  # 少年宫, 工人党: the cue is the start of a longer word
        pos = end
        if text[pos:pos + 1] in (":", "：", " ") and word in ("姓名", "联系人", "紧急联系人", "申请人", "户主"):
            pos += 1
        if text[pos:pos + 1] and text[pos] in _QUOTES:
            pos += 1
        if pos >= len(text):
            return None
        if self._surname_len(text, pos, kind == "private"):
            return pos
        foreign_or_bare = (_LATIN_NAME.match(text, pos) or self._translit_run(text, pos) or self._bare_head(text, pos)
                           or self._minority_part(text, pos))
        return pos if kind == "private" and foreign_or_bare else None

    def _bare_head(self, text: str, pos: int) -> bool:
        """Cheap test (no tokenizing): whether a name with no listed surname could start at `pos`:
        two given-name characters that are not an ordinary dictionary word (群众, 纷纷, 代表); a
        doubled character that jieba does not know well is a child's name whatever it tags it
        (乐乐 a, 朵朵 q, 豆豆 n; not 天天, 常常, 明明)."""
        head = text[pos:pos + 2]
        tag = self.words.tag(head)
        return len(head) == 2 and self._given_ok(head) and (tag is None or tag.startswith("nr") or self._doubled(text, pos))

    def _doubled(self, text: str, pos: int) -> bool:
        """Whether a doubled character that jieba does not know well starts at `pos` (乐乐; not
        天天, nor a run like 泪泪泪泪)."""
        word = text[pos:pos + 2]
        return len(word) == 2 and word[0] == word[1] != text[pos + 2:pos + 3] and not self._known(word)

    def _minority_part(self, text: str, pos: int) -> str | None:
        """The longest minority name part at `pos` (no tokenizing)."""
        return next((p for p in self.minority_by_first.get(text[pos:pos + 1], ()) if text.startswith(p, pos)), None)

    def _minority_name(self, text: str, pos: int) -> int | None:
        """End of a run of minority name parts at `pos` (女儿央金, 牧民才让卓玛, 搬迁户吉克阿依,
        minority_name_parts.txt), which jieba splits or mis-tags. One part must end where the
        name can end, by a stop character or as jieba's whole first token (拉姆|开起, not 才|让|我们
        or 乌兰察布); two or more are a name as they stand."""
        end = pos
        while end - pos < 8 and (part := self._minority_part(text, end)):
            end += len(part)
        if end == pos:
            return None
        if end - pos >= 4:
            return end
        nxt = text[end:end + 1]
        if not nxt or not is_cjk(nxt) or text.startswith(self.family_after, end):
            return end
        first = next(iter(self.words.cut(text[pos:end + 4])))[0]
        return end if first == text[pos:end] and (nxt in self.stops or first[0] not in self.stops) else None

    def _bare_name(self, text: str, pos: int) -> int | None:
        """End of a name with no listed surname right after a private cue or an age (女孩贡桑,
        网友艳妮, 牧民尼满家, 67岁的普汝明): minority and given-only names. jieba's first token there
        must be a name it tags nr or a word it does not know at all; an HMM-glued stop character
        is cut off (尼满|家)."""
        if not self._bare_head(text, pos):
            return None
        first = next(iter(self.words.cut(text[pos:pos + 6])))[0]
        if len(first) > 2 and first[-1] in self.stops:
            first = first[:-1]
        tag = self.words.tag(first)
        # A name jieba's dictionary tags nr (阿依古丽, 阿卜杜拉) is taken as it is; a word it does
        # not know must be made of characters common in given names.
        # So is any one that family words follow (牧民多吉一家), even a well-known name.
        family = text.startswith(self.family_after, pos + len(first))
        doubled = len(first) == 2 and self._doubled(text, pos)
        named = tag is not None and tag.startswith("nr") or family or doubled
        if (not 2 <= len(first) <= (4 if named else 3) or not self._given_ok(first) or first in self.role_words
                or self._known(first) and not family or tag is not None and not tag.startswith("nr") and not doubled
                or not named and min(map(self.featurizer.given_rate, first)) < BARE_NAME_MIN_RATE):
            return None
        end = pos + len(first)
        nxt = text[end:end + 1]
        # A name ends where a function character or punctuation follows (贡桑|曾经, 艳妮|在); a word
        # running on (农户|春耕|春播) is a verb phrase jieba did not know. A doubled name is jieba's
        # whole token (乐乐|患有).
        return end if not nxt or not is_cjk(nxt) or nxt in self.stops or family or doubled else None

    def _translit_run(self, text: str, pos: int) -> int | None:
        """Cheap test (no jieba): end of a run of transliteration characters at `pos` that is long
        enough and holds enough marked characters to be a transliterated name."""
        end = pos
        while end < len(text) and end - pos < 10 and text[end] in self.translit:
            end += 1
        run = text[pos:end]
        if len(run) < (4 if self._surname_len(text, pos) else 3) or sum(ch in self.translit_marked for ch in run) < 2:
            return None
        return end

    def _transliterated(self, text: str, pos: int) -> int | None:
        """End of a transliterated foreign name at `pos` (丈夫罗文塔尔, 学生福雷斯特阿伦), see
        transliteration.toml; a Chinese name is only ever 2-3 characters from a surname."""
        end = self._translit_run(text, pos)
        if end is None:
            return None
        run = text[pos:end]
        if run in self.words:
            return None  # 哈萨克斯坦: a word jieba knows (places, famous names)
        for w, _s, _e in self.words.cut(run):
            tag = self.words.tag(w)
            if len(w) >= 2 and tag is not None and not tag.startswith("nr"):
                return None  # 亚美尼亚, 法兰克福: a place or a common word inside
        return end

    @staticmethod
    def _latin(fld: Field, pos: int) -> int | None:
        """End of a Latin-script name at `pos` (学生elaine说, 父亲Giovanni); all-capital runs
        are acronyms (女子DOTA战队, 女子CS赛区) and a capital after a lower-case letter marks a
        product name (叫做WhipSelect系统, iPhone), not a name."""
        text = fld.normalized
        m = _LATIN_NAME.match(text, pos)
        if not m or pos and text[pos - 1].isascii() and text[pos - 1].isalnum():
            return None
        ostart, oend = fld.original_span(pos, m.end())
        written = fld.original[ostart:oend]
        if written.isupper() or re.search("[a-z][A-Z]", written):
            return None
        return m.end()

    def _name_before(self, text: str, start: int, _end: int, _word: str, _kind: str) -> int | None:
        """The cue start, if a name could end right before it: a given-name character there and a
        surname two to four characters back (cheap; most titles follow an organization name)."""
        if not start or not self._given_ok(text[start - 1]):
            return None
        return start if any(self._surname_len(text, start - k) for k in (2, 3, 4) if start - k >= 0) else None

    def _word_starts(self, text: str, start: int) -> bool:
        """Whether jieba, reading a few characters around `start`, starts a word there."""
        ws = max(0, start - 4)
        return start - ws in {a for _w, a, _b in self.words.cut(text[ws:start + 4])}

    def _surname_len(self, text: str, pos: int, after_private_cue: bool = False) -> int:
        """Length of the surname at `pos`; right after a private cue also a surname that is mostly
        a function word in running text (村民于长生, 嫌疑人黑建军; context_surnames.txt)."""
        if text[pos:pos + 2] in self.compound:
            return 2
        first = text[pos:pos + 1]
        return 1 if first in self.single or after_private_cue and first in self.context_surnames else 0

    def _given_ok(self, given: str) -> bool:
        return bool(given) and all(is_cjk(ch) and ch not in self.stops and ch not in _NAME_MASKS for ch in given)

    def _forward(self, text: str, pos: int, after_private_cue: bool = False) -> tuple[int, int] | None:
        """Where a name starting at `pos` ends, and its surname length; None if it is not a name."""
        sn = self._surname_len(text, pos, after_private_cue)
        if any(text.startswith(w, pos + sn) for w in self.after_private):
            return None  # 李先生, 王女士: already de-identified
        parsed = self._forward_span(text, pos, sn)
        if not parsed or after_private_cue and _POST_CUE.match(text, parsed[0]):
            return parsed  # a private cue before and an annotation after leave no doubt (嫌疑人于海洋（男，…）)
        if self._known(text[pos:parsed[0]]):
            return None  # 游客高峰, 家属安抚: a word jieba knows well, not a private name
        if not self._given_fits(text[pos:pos + sn], text[pos + sn:parsed[0]]):
            return None  # 患者于医院, 儿子管老子: a function word and a word
        return parsed

    def _given_fits(self, surname: str, given: str, strong: bool = False) -> bool:
        """A listed surname takes any given name; a context surname (于, 黑, 管 …) only a name-like
        one: every character common in given names and, unless a strong cue follows (钱海洋（化名）),
        not a common word (于|长生; not 管|老子, 于|今日)."""
        if surname in self.single or surname in self.compound:
            return True
        common = self.words.freq(given) >= _KNOWN_NAME_COUNT and not (self.words.tag(given) or "").startswith("nr")
        return (strong or not common) and min(map(self.featurizer.given_rate, given)) >= BARE_NAME_MIN_RATE

    def _forward_span(self, text: str, pos: int, sn: int) -> tuple[int, int] | None:
        if not sn:
            return None
        window = text[pos:pos + sn + 5]
        tokens = [w for w, _s, _e in self.words.cut(window)]
        first = tokens[0] if tokens else ""
        rest = tokens[1:]
        if len(first) < sn:  # the surname is split from its own characters: not one word
            return None
        if len(first) > sn:
            # jieba made a word starting with the surname: 李建国, 刘洋称 (HMM), 高速 (dictionary).
            if len(first) > sn + 2:
                if first in self.words:
                    return None  # 权益保护法: a long dictionary word, not a name
                first = first[:sn + 2]
            tag = self.words.tag(first)
            if tag is not None and not tag.startswith("nr"):
                # A dictionary word can still open a three-character name: only when a lone
                # character follows and the name ends right after it (夏天|明的; 程子|涵在, where
                # HMM glued a stop character to it) or a dictionary word does (万金|贵|拖欠).
                lone = rest and (len(rest[0]) == 1 or len(rest[0]) == 2 and rest[0][1] in self.stops and rest[0] not in self.words)
                if tag in _NAME_OPENING_TAGS and len(first) == sn + 1 and (
                        lone and self._third_char(text, pos + len(first)) or self._lone_char(text, pos + len(first), rest[:2])):
                    return pos + len(first) + 1, sn
                return None
            if len(first) == sn + 2 and first[-1] in self.stops:
                first = first[:-1]
            # A name jieba made whole (莫家伟, 蒲家兴) may start its given name with a stop character
            # that is common in given names (家 -1); elsewhere 家 ends a name (王五家).
            whole = (len(first) == sn + 2 and first not in self.words and self._given_ok(first[sn + 1:])
                     and self.featurizer.given_rate(first[sn]) >= -1)
            if not (whole or self._given_ok(first[sn:])):
                return None
            end = pos + len(first)
            # 王明|华说 (OOV) extends to 王明华; 潘婷|参与 (a dictionary word) does not; a doubled given
            # name does (贾薇|薇|结婚).
            if len(first) == sn + 1 and (
                self._third_char(text, end) and (not rest or len(rest[0]) == 1 or rest[0] not in self.words)
                or tag is not None and self._lone_char(text, end, rest[:2])
                or rest and rest[0] == text[end - 1]
            ):
                end += 1
            return end, sn
        # The surname is its own token: 张/欢迎/先生, 王/明/说, 于/今年.
        if not rest:
            return None
        given = rest[0]
        if len(given) == 2 and given[1] in self.stops:
            given = given[0]  # 司马|俊称: HMM glued the verb to a one-character given name
        if len(given) == 1:
            if not self._given_ok(given):
                return None
            end = pos + sn + 1
            if self._third_char(text, end) and (len(rest) < 2 or len(rest[1]) == 1 or rest[1] not in self.words):
                end += 1
            return end, sn
        if len(given) == 2 and self._given_ok(given) and given not in self.role_words:
            tag = self.words.tag(given)
            after = text[pos + sn + 2:pos + sn + 4]
            if tag is None or tag.startswith("nr") or tag not in _NOT_GIVEN_TAGS or after in self.after_private:
                return pos + sn + 2, sn
        return None

    def _lone_char(self, text: str, pos: int, tokens: list[str]) -> bool:
        """王明|华|出院: a lone character between a dictionary name and a dictionary word belongs
        to the name (胡斌|犯|盗窃罪 is an unknown two-character name, so the rule is not used there)."""
        return (
            len(tokens) == 2 and len(tokens[0]) == 1 and self._given_ok(tokens[0])
            and len(tokens[1]) >= 2 and tokens[1] in self.words and text[pos:pos + 1] == tokens[0]
        )

    def _third_char(self, text: str, pos: int) -> bool:
        """Whether text[pos] is the last character of a three-character name (王明华说)."""
        if pos >= len(text) or not self._given_ok(text[pos]):
            return False
        nxt = text[pos + 1:pos + 2]
        return not nxt or not is_cjk(nxt) or nxt in self.stops or nxt in _NUMERALS or text[pos + 1:pos + 3] in self.after_private

    def _backward_add(self, text: str, end: int, kind: str, cue: str, add, strong: bool = False, annotated: bool = False) -> None:
        """A name that ends right before a cue at `end`: 张三|女士, 李四|同志, 王五|(男.

        After 化名 (`strong`) a dictionary word is still taken as the name (成钢); before a sex or
        age annotation (`annotated`) or 化名 a context surname counts (计秀英，女，).
        """
        context = strong or annotated
        window_start = max(0, end - 6)
        tokens = list(self.words.cut(text[window_start:end]))
        if not tokens:
            return
        last, ls, _le = tokens[-1]
        start = window_start + ls
        sn = self._surname_len(text, start, context)
        # A context surname whose given name is not name-like (钱|海洋: 海 is one) is not the start.
        if sn and sn < len(last) <= sn + 2 and self._given_fits(last[:sn], last[sn:], context):
            if last[sn:] in self.after_private:
                return  # 董先生的身份证: already de-identified
            if self._known(last):
                return  # 孙中山先生, 鲁迅先生: a famous name, or a word (安抚老人)
            tag = self.words.tag(last)
            if (strong or tag is None or tag.startswith("nr")) and self._given_ok(last[sn:]) and _left_ok(text, start):
                add(start, end, sn, kind, cue)
            return
        if len(tokens) >= 2 and len(last) <= 2 and self._given_ok(last):
            prev, ps, _pe = tokens[-2]
            if len(prev) == 2 and prev[0] in self.stops and self._surname_len(prev, 1) == 1 and prev not in self.words:
                prev, ps = prev[1], ps + 1  # 到方|肇新的账号: HMM glued a preposition to the surname (not 对方|提供, 时任|福州: words)
            start = window_start + ps
            sn = self._surname_len(text, start, context)
            # 祝|全国|小朋友们: a common noun or pronoun is not a given name; verbs, adjectives
            # and place words often are (张|建中|夫妇, 张|欢迎|先生).
            common = self.words.freq(last) >= _KNOWN_WORD_COUNT[2] and self.words.tag(last) in ("n", "r")
            if (sn == len(prev) and _left_ok(text, start) and last not in self.role_words
                    and not self._known(prev + last) and (context or not common)
                    and self._given_fits(prev, last, context)):
                add(start, end, sn, kind, cue)

    def _name_part(self, run: str, from_end: bool) -> str:
        """The transliterated part of a dotted name next to the dot: jieba tokens up to the first
        common word or stop character (协会会长|育亭·维沙蓬, 苏塔维·冯维吉|经营), at most 6 characters."""
        tokens = [w for w, _s, _e in self.words.cut(run)]
        kept: list[str] = []
        for word in reversed(tokens) if from_end else tokens:
            # jieba tags many transliterated names nz (穆勒, 彼得·穆勒): not a common word.
            common = (len(word) >= 2 and self.words.freq(word) >= _KNOWN_WORD_COUNT[2]
                      and not (self.words.tag(word) or "").startswith(("nr", "nz")) and word not in self.minority)
            if common or word in self.stops or sum(map(len, kept)) + len(word) > 6:
                break
            if not from_end and len(word) > 1 and word[-1] in self.stops:
                kept.append(word[:-1])  # 艾力|家: HMM glued the next character to the name
                break
            kept.append(word)
        return "".join(reversed(kept) if from_end else kept)

    @staticmethod
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

    def _dotted(self, fld: Field) -> list[Hit]:
        """买买提·艾力: the dot is removed from `normalized`, so scan the original and map back."""
        original = fld.original
        if not any(d in original for d in _DOTS):
            return []
        hits = []
        positions = range(len(fld.normalized))

        def where(i: int) -> int:  # original offset of normalized character i (increasing)
            return fld.original_span(i, i + 1)[0]

        for m in self._dotted_matches(original):
            parts = re.split(f"[{_DOTS}]", m.group())
            left, right = parts[0], parts[-1]
            if not any(p in m.group() for p in self.minority) and not any(True for _ in self.cues.iter(left)) \
                    and not any(True for _ in self.after.iter(right)):
                continue  # 中国·深圳, 迈克尔·乔丹: no minority name part and no cue (checked cheaply first)
            # The left run may carry a cue (村民买买提): the name starts after it.
            cue_kind = None
            for end, (word, kind) in self.cues.iter(left):
                if end + 1 < len(left):
                    left, cue_kind = left[end + 1:], kind
            left = self._name_part(left, from_end=True)
            cut = len(right)
            for end, (word, kind) in self.after.iter(right):
                if word.startswith("的"):
                    continue  # 廷·巴特尔的父亲: a possessive is too weak for a dotted, mostly foreign or public name
                if end - len(word) + 1 < cut:  # 阿布拉委员: the name ends where a title starts
                    cut, cue_kind = end - len(word) + 1, kind
            right = self._name_part(right[:cut], from_end=False)
            if not right or not left:
                continue
            middle = parts[1:-1]
            if not any(p in x for x in [left, right, *middle] for p in self.minority) and cue_kind is None:
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

    def find(self, text: str, exclude: frozenset[str] = frozenset()) -> list[Hit]:
        hits = []
        for m in self.anchor.finditer(text):
            # The place-name tokens to the left end where the road/community name ends.
            left_end = m.end("road") if m.group("road") else m.end("community") if m.group("community") else m.start()
            start, region_end = self._extend_left(text, left_end, exclude)
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

    def _extend_left(self, text: str, end: int, exclude: frozenset[str]) -> tuple[int, int]:
        window_start = max(0, end - 24)
        tokens = list(self.words.cut(text[window_start:end]))
        start = end
        accepted: list[tuple[str, int]] = []
        for i, (word, ws, _we) in enumerate(reversed(tokens)):
            last = i == 0
            if not all(is_cjk(ch) or ch.isdigit() for ch in word) or word in self.stops or word in exclude:
                break
            tag = self.words.tag(word)
            if not last and tag is not None and tag in _FUNCTION_TAGS and not word.endswith(self.region_suffixes):
                break
            start = window_start + ws
            accepted.append((word, start))
        # The region prefix (浙江省杭州市西湖区) is what keep_region leaves visible.
        region_end = start
        for word, wstart in reversed(accepted):
            if wstart != region_end or not (word.endswith(self.region_suffixes) or word in self.provinces):
                break
            region_end = wstart + len(word)
        return start, region_end
