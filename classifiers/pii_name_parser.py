"""What the person-name rules (pii_names.py) share (000 §17, 002 §19): the name lists, and how
a name is read forward from a cue before it (_forward: where it ends, its surname length) or
backward from a cue after it (_backward). Where a name ends is decided with the Screener's
tokenizer on the few characters after the surname, and with jieba's dictionary counts and tags
(a common word is not a given name).
"""
from __future__ import annotations

import re

import ahocorasick

from .pii_name_model import NameFeaturizer
from .pii_numbers import MASK_CHARS
from .text import Field, is_cjk
from .tokenize import Tokenizer

# A two-character word after a lone surname is a given name unless it is one of these (于|今年,
# 王|明确); verbs and adjectives are common given names (杨|振兴, 张|欢迎, 诸葛|明亮).
_NOT_GIVEN_TAGS = frozenset("p c u uj ul ud uz ug uv r rr rz d ad t tg m q f y e o x zg".split())
# Opening quotes between a cue and a name: 网友“吕建明”.
_QUOTES = "\"'“‘「『"
# A dictionary word of these kinds can open a three-character name (夏天|明, 高峰|岭).
_NAME_OPENING_TAGS = frozenset("n t a ns nz s".split())
_DOTS = "·•・‧∙."
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
# A name with no listed surname after a private cue (女孩贡桑) is taken only if every character is
# common in given names (rate -2 or more: 贡 -2, 桑 -1); the words jieba does not know after
# 游客/市民 are mostly verbs (尽享 -3, 推窗 -4, 网购 -4), measured on the CCTV stories.
BARE_NAME_MIN_RATE = -2
# After a list of names: an optional count (等40余名, 三位), then a private role (旅客, 消费者) or one
# of these (三户家庭, 武建国、武建军兄弟).
_LIST_COUNT = re.compile(r"等?(?:[0-9一二两三四五六七八九十百余多]+(?:名|位|户|个|人|家))?")
_LIST_ROLES = ("家庭", "兄弟", "姐妹", "夫妇", "夫妻")
# A numeral ends a name (计长林|三人, 王明华|两次).
_NUMERALS = "一二两三四五六七八九十"
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


class NameParser:
    def __init__(self, resources):
        """Words come from the Screener's tokenizer (`resources.services["tokenizer"]`), or a
        tokenizer of its own outside one."""
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

    def _private_after_list(self, text: str, pos: int) -> bool:
        """Whether a private role follows a list of names ending at `pos`, after an optional count:
        三位旅客, 等40余名消费者, 三户家庭, 兄弟."""
        pos = _LIST_COUNT.match(text, pos).end()
        return text.startswith(self.list_tail_words, pos)

    def _cue_hits(self, automaton, fld: Field, viable) -> dict[int, tuple[str, str, int]]:
        """End index -> (cue, kind, name position): per end, the longest cue that has a possible
        name next to it (`viable`, cheap, checked first) and at whose start the field's tokens
        start a word."""
        text = fld.normalized
        by_end: dict[int, list[tuple[str, str]]] = {}
        for end, value in automaton.iter(text):
            by_end.setdefault(end, []).append(value)
        hits = {}
        for end, values in by_end.items():
            for word, kind in sorted(values, key=lambda v: -len(v[0])):
                start = end - len(word) + 1
                pos = viable(text, start, end + 1, word, kind)
                if pos is not None and fld.word_at(start)[0] == start:
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

    def _backward(self, fld: Field, end: int, strong: bool = False, annotated: bool = False) -> tuple[int, int] | None:
        """Where a name that ends right before a cue at `end` starts, and its surname length:
        张三|女士, 李四|同志, 王五|(男.

        After 化名 (`strong`) a dictionary word is still taken as the name (成钢); before a sex or
        age annotation (`annotated`) or 化名 a context surname counts (计秀英，女，).
        """
        context, text = strong or annotated, fld.normalized
        window_start = max(0, end - 6)
        tokens = fld.tokens_between(window_start, end)
        if not tokens:
            return None
        last, ls, _le = tokens[-1]
        start = window_start + ls
        sn = self._surname_len(text, start, context)
        # A context surname whose given name is not name-like (钱|海洋: 海 is one) is not the start.
        if sn and sn < len(last) <= sn + 2 and self._given_fits(last[:sn], last[sn:], context):
            if last[sn:] in self.after_private:
                return None  # 董先生的身份证: already de-identified
            if self._known(last):
                return None  # 孙中山先生, 鲁迅先生: a famous name, or a word (安抚老人)
            tag = self.words.tag(last)
            if (strong or tag is None or tag.startswith("nr")) and self._given_ok(last[sn:]) and _left_ok(text, start):
                return start, sn
            return None
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
                return start, sn
        return None

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
