"""Commercial-advertising check: linear models over character n-grams and ad cues, numpy only.

Government accounts must not publish commercial advertising or paid services
(000 §17, 001 三.1, 002 §26). The model is trained by `classifiers/ad_train.py` (scikit-learn)
and exported to a plain JSON artifact (vocabulary, idf, and per member model its coefficients
and Platt calibration; the probability is the members' mean), so scoring needs no scikit-learn
and the artifact loads whatever scikit-learn version is installed.

The featurizer here is the single definition of the features; training calls it too.
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .document import Document
from .findings import Finding
from .lexicon import Lexicon, parse_wordlist
from .resources import Resources
from .text import Field

NAME = "ad"
CATEGORY = "commercial"
MODEL_DIR = Path(__file__).resolve().parent / "models"
# Bump when the featurizer or the artifact layout changes; an artifact of another format is refused.
# /3: glued contact handles; /4: quotes in warnings blanked; /5: more warning words, quotes paired before normalization;
# /6: contact details out of the n-grams and counted only beside an offer, offer and public-service cues
ARTIFACT_FORMAT = "sanshen-ad-linear/6"
RULE = "政务新媒体不得发布商业广告或有偿服务信息（000 §17、001 三.1、002 §26）"

# Digits, and the `x` the SMS corpus masks digits with, collapse to one "0" per number, so
# "xxx元" (training) and "128元" (drafts) look alike and years and prices share features.
_NUMBER = re.compile(r"(?<![a-wyz])[0-9x](?:[0-9x.,:：\-]*[0-9x])?(?![a-wyz])")
# Punctuation and spacing become one boundary char that no n-gram crosses. In the SMS corpus
# every message with a comma, a full stop or a "!" is spam (the ordinary texts are punctuation-free
# fragments), so as features they taught the model where a text came from; official prose is all
# commas, and festive posts end in "！". Prices and symbols still count through the cues below.
_BOUNDARY = re.compile(r"[\W_]+")
BOUNDARY = "|"

# Hand features: ad cues a human reviewer names. Matched on normalized text (lower case, half
# width, simplified). The model learns what each is worth.
# Each cue also names every character a match can start with: a lookahead on that set lets the
# scan skip other positions at once (the five scans took a fifth of the check's time; a third of
# that with the guard). tests/classifiers/test_ad.py checks the sets against generated matches.
#
# Contact details (#17): phone numbers in any width or spacing (+86, 152 3791 5668, masked x's),
# landlines and hotlines, e-mail, URLs, QQ and WeChat handles, addresses, with the label before
# them (联系电话：, 投稿邮箱：). A missing-person notice, a lost-and-found post or an archive's call
# for photos gives them as readily as an ad, so they are never evidence on their own: they are
# blanked out of the n-grams, and the `contact` cue counts only in a window that also makes a
# commercial offer (price, discount or an `offer` word).
_CONTACT_LABEL = (r"(?:(?:联系|咨询|服务|投稿|值班)?(?:电话|手机|热线|座机|传真|邮箱|信箱|e-?mail|网址|网站|qq|微信)"
                  r"(?:号码?)?\s*[:：]?\s*)")
_CONTACT_DETAIL = (
    # mobile numbers, spaced or not, with +86 or 0086; the SMS corpus masks every digit as x
    r"(?<![0-9x])(?:(?:\+|00)?86[\s\-]?)?1[3-9x][0-9x](?:[\s\-]?[0-9x]){8}(?![0-9x])|"
    # landlines with an area code, 400/800 numbers
    r"(?<![0-9x])\(?[0x][0-9x]{2,3}\)?[\s\-]?[0-9x]{3,4}[\s\-]?[0-9x]{4}(?![0-9x])|"
    r"(?<![0-9x])[48]00[\s\-]?[0-9x]{3}[\s\-]?[0-9x]{4}(?![0-9x])|"
    # e-mail and links
    r"[a-z0-9][a-z0-9._\-]*@[a-z0-9\-]+(?:\.[a-z0-9\-]+)+|"
    r"https?://[a-z0-9./?=&%#_\-]+|www\.[a-z0-9./?=&%#_\-]+|t\.cn/[a-z0-9]*|dwz\.[a-z]+|url\.cn/[a-z0-9]*|"
    r"\b[a-z0-9\-]+(?:\.[a-z0-9\-]+)*\.(?:com|cn|net|org|cc|top|vip|xyz|shop)\b(?:/[a-z0-9./?=&%#_\-]*)?|"
    # WeChat and QQ: "加微信…" needs nothing after it (加微信咨询, 加微信jb888); a handle glued to
    # 微信/qq/vx needs five characters (微信jingbang888), so 微信公众号 and 微信app are not contacts
    r"加\s*(?:微信|vx|wx|qq|v信)号?(?:\s*[:：]?\s*[a-z0-9][a-z0-9_\-]*)?|加\s*(?:微(?![博软])|v(?![a-z])|q(?![a-z]))|微信同号|"
    r"(?:微信号?|薇信|威信|v信|扣扣|(?<![a-z])(?:vx|wx|qq)(?:号码?|群)?)"
    r"\s*(?:[:：]\s*[a-z0-9][a-z0-9_\-]*|[a-z][a-z0-9_\-]{4,}|[0-9x]{5,})|扣扣|薇信|威信|v信")
CONTACT_PATTERN = (
    f"{_CONTACT_LABEL}?(?:{_CONTACT_DETAIL})|"
    # any number after a phone label (a 12345 hotline, an extension)
    r"(?:电话|手机|热线|座机|传真|专线|tel)(?:号码?)?\s*[:：]?\s*[0-9x][0-9x\s\-]{3,}[0-9x]|"
    # addresses: a labelled one up to the clause's end, or a street number
    r"地址\s*[:：]\s*[^\s,;，。；!！?？\n]{2,40}|(?:路|街|大道|巷|弄)\s*[0-9x]+\s*号(?:[0-9x]+(?:栋|楼|室|层|单元))*")
CUE_SOURCES: tuple[tuple[str, str, str, str], ...] = (
    ("price", "价格", "¥￥0-9x特售原现仅只低活优首每", (
        # not a wage (月薪4000元起; `is_wage` also drops amounts in a sentence about pay)
        r"[¥￥]\s*[0-9x]+(?:\.[0-9x]+)?|(?<![0-9x薪资])[0-9x]+(?:\.[0-9x]+)?\s*(?:元|块)\s*(?:/|起|一|每|包邮)|"
        r"(?:特价|售价|原价|现价|仅售|只需|仅需|只要|低至|活动价|优惠价|首付)\s*[0-9x]+(?:\.[0-9x]+)?(?:元|块|万)?|"
        # a unit price (每平米3元); not 每人 or 每年, which fee notices give
        r"每(?:平米|平方米?|斤|公斤|晚|节课?|小时|份|套|盒|瓶)\s*[0-9x]+(?:\.[0-9x]+)?\s*(?:元|块)")),
    ("discount", "折扣促销", "0-9x一二三四五六七八九买满充特秒包促酬清甩返钜巨让团半立直", (
        r"[0-9x一二三四五六七八九](?:\.[0-9x])?折(?:起|优惠|销售)?|买[0-9x一二三]送[0-9x一二三]|"
        r"满[0-9x]+(?:元)?(?:减|送)|充[0-9x]+送|特惠|特价|秒杀|包邮|促销|酬宾|清仓|甩卖|返现|"
        r"钜惠|巨惠|让利|团购价|买一送一|半价|立减|直降")),
    # A business's offer in words (#17's list: 招商加盟, 代理, 返利, sale of a product or service).
    # 代理 is not the procurement notice's 代理机构 or a lawsuit's 代理人.
    ("offer", "商业招揽", "招加代返出批零专热直有订团急低利", (
        r"招商加盟|招商|加盟|代理(?![人机])|返利|出售|批发|零售|专卖|热卖|热销|直销|有售|订购|团购|急售|"
        r"低息|利息低")),
    ("contact", "联系方式", "0-9x+(a-z加微薇威扣v信电手热座传专邮网联咨服投值地路街大巷弄", CONTACT_PATTERN),
    ("call_to_action", "号召购买", "回退详欢来速火预报欲限马立赶进到恭", (
        r"回复\s*(?:td|t\b|退订|[0-9x])|退订|详询|欢迎来电|欢迎致电|欢迎垂询|欢迎惠顾|欢迎选购|"
        r"来电咨询|速来|火热(?:预订|认购|招生|报名|销售)|预订从速|报名从速|欲购从速|欲报从速|"
        r"限时(?:特惠|优惠|抢购|折扣|秒杀|促销|特价|免费)|马上(?:抢|订|买)|立即(?:抢|订购|购买)|"
        r"赶快|赶紧|进店|到店|恭候")),
    # Public-service cues count against (#17): notices that give a number to find a person, return
    # property, publish a list for objections, hire for a public body or vaccinate. Sign-ups and
    # bookings are a cue of their own: SMS ads say 报名 and 预约 too, and the model weighs them apart.
    # Free of charge said outright (免费开放, 不收任何费用), job fairs and consumption-aid sales of
    # farmers' cooperatives (消费帮扶) are public services too; beside a price they only keep a
    # window from being blocked (a warning lets the editor decide).
    ("public_service", "公共服务", "寻走失招认拾知公监举投免不服求就谨合消助", (
        r"寻人|走失|失物招领|招领|认领|失主|拾金不昧|知情者|公示|监督电话|举报电话|投诉电话|招聘公告|公开招聘|免费接种|"
        r"免费开放|免费参观|免费入场|不收(?:取)?任何费用|服务免费|招聘会|求职者|就业服务|谨防收费|合作社|消费帮扶|助农")),
    ("sign_up", "报名预约", "报预服志征", r"报名|预约|服务热线|志愿服务|征集"),
)
CUES: tuple[tuple[str, str, re.Pattern], ...] = tuple(
    (name, label, re.compile(f"(?=[{first}])(?:{pattern})")) for name, label, first, pattern in CUE_SOURCES)
_CUE_INDEX = {name: k for k, (name, _, _) in enumerate(CUES)}
CONTACT = _CUE_INDEX["contact"]
PUBLIC_SERVICE = [_CUE_INDEX["public_service"], _CUE_INDEX["sign_up"]]
PRICE = _CUE_INDEX["price"]
OFFER_CUES = [_CUE_INDEX[name] for name in ("price", "discount", "offer")]
# Cues whose matches a reader recognises as advertising, and so may be shown as evidence.
EVIDENCE_CUES = frozenset(_CUE_INDEX[name] for name in ("price", "discount", "offer", "call_to_action"))

# Explanations name phrases a reader recognises as advertising (#17), never a fragment the
# n-grams happen to weigh (名八, 送, 限) and never a phone number. A phrase is shown when the
# model weighs its characters towards "ad" in the window it flagged; it is not a feature.
AD_PHRASES = re.compile("|".join(sorted((
    "限时", "特惠", "优惠", "折扣", "促销", "秒杀", "抢购", "热销", "热卖", "爆款", "包邮", "正品", "专卖", "专柜",
    "厂家直销", "直销", "批发", "出售", "代理", "加盟", "招商", "返利", "返现", "会员卡", "办卡", "充值送", "赠品",
    "买一送一", "大酬宾", "开业", "新店", "进店", "到店", "订购", "抢订", "认购", "团购", "名额有限", "先到先得",
    "机会难得", "欲购从速", "数量有限", "免费领取", "免费试用", "免费体验", "免息", "无抵押", "放款", "低息", "秒批",
    "当天到账", "首付", "楼盘", "现房", "房源", "学区房", "售楼", "置业", "装修", "家政", "保洁", "搬家", "培训班",
    "补习", "辅导班", "试听", "学费", "包过", "保过", "保健品", "疗效", "根治", "特效", "祖传", "秘方", "减肥",
    "美容", "整形", "瘦身", "祛斑", "理财", "高回报", "稳赚", "入股", "旺铺", "招租", "二手车", "回收", "上门服务",
    "旗舰店", "店铺", "网店", "直播间", "下单", "小程序", "优惠券", "代金券", "满减", "立减", "半价", "低至",
    "仅需", "只需", "原价", "现价", "活动价", "欢迎选购", "欢迎惠顾", "欢迎垂询", "欢迎来电", "详询", "火爆",
    "畅销", "性价比", "实惠", "超值", "划算", "送货上门", "货到付款", "报价", "价格优惠", "品质保证", "售后",
    "咨询预订", "预订", "套餐", "礼包", "私教", "年卡", "体验课", "代办", "贷款", "信用卡", "额度", "利息",
), key=len, reverse=True)))


def gated_cues(counts: np.ndarray) -> np.ndarray:
    """Cue counts (one row per window, or one vector) with the contact count kept only where the
    same window makes a commercial offer, a number alone is not an ad, and the public-service count
    only where it makes none: an ad's 报名 or 预约 beside its price is no public service (#17)."""
    counts = np.array(counts, dtype=np.float64)
    offer = counts[..., OFFER_CUES].sum(axis=-1) > 0
    counts[..., CONTACT] *= offer
    counts[..., PUBLIC_SERVICE] *= ~offer[..., None]
    return counts


# An ad quoted in a warning is not the author's offer: anti-fraud posts quote scam ads word for word
# (警惕“无抵押、当天放款，加微信dk8866秒批”). In a line with a warning word, quoted text is blanked
# before n-grams and cues are taken. An ad's own pitch is not in quotes, and a line that warns of
# nothing keeps its quotes (brand names, slogans). The second row of words came from warnings that
# quote the scam first and then speak of its victims or of checking it (收到此类短信…请核实…受害人);
# #17 added 自称, 投诉, 维权 and 理性消费 (a fake customer service's pitch, consumer warnings about a quoted offer).
_WARNING = re.compile(r"诈骗|骗局|骗子|防骗|反诈|警惕|谨防|提防|轻信|切勿|陷阱|套路|虚假|违法|非法|查处|立案|处罚|罚款|欺诈|"
                      r"受害|冒充|假冒|不法|举报|此类|这类|核实|自称|投诉|维权|理性消费")
_QUOTED = re.compile(r"“[^“”\n]*”|「[^「」\n]*」|『[^『』\n]*』|‘[^‘’\n]*’|\"[^\"\n]*\"")


def feature_text(fld: Field) -> str:
    """The text features are taken from: `fld.normalized` with quotes in warning lines blanked to
    spaces, so every offset stays the same. Quotes are found in `fld.folded`: normalization drops
    a straight quote between two CJK characters (又是"注销校园贷"), which would unpair the rest."""
    normalized = fld.normalized
    if not _WARNING.search(normalized):
        return normalized
    inside = np.zeros(len(fld.folded) + 1, dtype=np.int64)  # difference array over original offsets
    offset = 0
    for line in fld.folded.split("\n"):
        if _WARNING.search(line):
            for m in _QUOTED.finditer(line):
                inside[offset + m.start() + 1] += 1
                inside[offset + m.end() - 1] -= 1
        offset += len(line) + 1
    blank = np.cumsum(inside)[fld.original_indices] > 0
    if not blank.any():
        return normalized
    codes = np.frombuffer(normalized.encode("utf-32-le"), dtype=np.uint32).copy()
    codes[blank] = ord(" ")
    return codes.tobytes().decode("utf-32-le")


class AdModelError(RuntimeError):
    """The artifact cannot be used; the message says how to get one that can."""


_COLLAPSE = re.compile(f"(?P<n>{_NUMBER.pattern})|(?P<b>{_BOUNDARY.pattern})")


def model_text(normalized: str) -> tuple[str, np.ndarray]:
    """The text n-grams are taken from (numbers -> "0", punctuation and spaces -> BOUNDARY),
    and for each of its chars the normalized index it starts at. Vectorized: it runs on every draft."""
    spans = [(m.start(), m.end(), m.lastgroup == "n") for m in _COLLAPSE.finditer(normalized)]
    if not spans:
        return normalized, np.arange(len(normalized), dtype=np.int64)
    codes = np.frombuffer(normalized.encode("utf-32-le"), dtype=np.uint32).copy()
    starts, ends, numeric = (np.array(col) for col in zip(*spans))
    codes[starts] = np.where(numeric, ord("0"), ord(BOUNDARY))
    # Drop the rest of each collapsed span: +1 after its first char, -1 at its end.
    drop = np.zeros(len(codes) + 1, dtype=np.int64)
    np.add.at(drop, starts + 1, 1)
    np.add.at(drop, ends, -1)
    keep = np.cumsum(drop[:-1]) == 0
    return codes[keep].tobytes().decode("utf-32-le"), np.flatnonzero(keep)


def ngrams(text: str, n_max: int) -> list[str]:
    """Every char n-gram of length 1..n_max that crosses no boundary (training; screening
    uses `gram_keys`, which yields the same n-grams)."""
    return [g for n in range(1, n_max + 1) for i in range(len(text) - n + 1)
            if BOUNDARY not in (g := text[i:i + n])]


def _codes(text: str) -> np.ndarray:
    # +1 keeps every code non-zero, so a 1-gram key never equals a longer n-gram's key.
    return np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32).astype(np.int64) + 1


def gram_keys(text: str, n_max: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(key, start, n) of every char n-gram, vectorized. A key packs the code points 21 bits
    each (Unicode needs 21), so it is exact for n <= 3: no hashing, no collisions."""
    codes = _codes(text)
    boundary = np.concatenate(([0], np.cumsum(codes == ord(BOUNDARY) + 1)))
    keys, starts, lens = [], [], []
    k = codes
    for n in range(1, n_max + 1):
        if n > 1:
            k = (k[:-1] << 21) | codes[n - 1:]
        start = np.arange(len(k), dtype=np.int64)
        clear = boundary[start + n] == boundary[start]
        keys.append(k[clear])
        starts.append(start[clear])
        lens.append(np.full(int(clear.sum()), n, dtype=np.int64))
    return np.concatenate(keys), np.concatenate(starts), np.concatenate(lens)


_WAGE = re.compile(r"薪|工资|待遇|报酬|收入")
_SENTENCE_END = "。;；!！?？\n"


def is_wage(normalized: str, start: int, end: int) -> bool:
    """Is an amount in a sentence about pay (月工资3000元，转正后3600元起)? A wage is no price."""
    left = max(normalized.rfind(ch, 0, start) for ch in _SENTENCE_END) + 1
    right = min((i for ch in _SENTENCE_END if (i := normalized.find(ch, end)) >= 0), default=len(normalized))
    return bool(_WAGE.search(normalized, left, right))


def cue_matches(normalized: str) -> list[tuple[int, int, int]]:
    """(cue index, start, end) of every ad cue in normalized text; amounts of pay are not prices."""
    return [(k, m.start(), m.end()) for k, (_, _, rx) in enumerate(CUES) for m in rx.finditer(normalized)
            if k != PRICE or not is_wage(normalized, m.start(), m.end())]


def cue_vector(cue_ids) -> np.ndarray:
    return np.log1p(gated_cues(np.bincount(np.asarray(cue_ids, dtype=np.int64), minlength=len(CUES))))


def features_of(fld: Field) -> tuple[str, list[tuple[int, int, int]]]:
    """The text n-grams are taken from, and the cue matches: both from `feature_text`, the n-gram
    text also with every contact detail blanked to spaces (offsets stay the same)."""
    features = feature_text(fld)
    cues = cue_matches(features)
    contacts = [(s, e) for k, s, e in cues if k == CONTACT]
    if not contacts:
        return features, cues
    parts, pos = [], 0
    for s, e in contacts:
        parts += [features[pos:s], " " * (e - s)]
        pos = e
    parts.append(features[pos:])
    return "".join(parts), cues


@dataclass(frozen=True)
class Scored:
    probability: float
    start: int  # strongest span, normalized offsets of the field
    end: int
    evidence: tuple[str, ...]  # phrases of the draft that weigh most towards "ad"
    offer: bool = False  # the window makes a commercial offer (a price, discount or offer word)
    public_service: bool = False  # the window has a public-service cue (寻人, 公示, 免费开放 ...)
    window: tuple[int, int] = (0, 0)  # the window scored, normalized offsets


class AdModel:
    """Fitted linear members sharing one featurizer: p = mean over members k of
    sigmoid(a_k·(w_k·x + b_k) + c_k), x = [l2(tf·idf), log1p(cue counts)], tf = 1 + log(count)."""

    def __init__(self, data: dict):
        fmt = data.get("format") if isinstance(data, dict) else None
        if fmt != ARTIFACT_FORMAT:
            raise AdModelError(
                f"ad model artifact has format {fmt!r}, this version of sanshen reads {ARTIFACT_FORMAT!r}; "
                "retrain it with `review model train --data PATH` (see docs/ad.md)")
        try:
            self.version: str = data["version"]
            self.n_max: int = int(data["ngram_max"])
            self.terms: list[str] = data["vocabulary"]
            self.idf = np.asarray(data["idf"], dtype=np.float64)
            members = data["members"]
            # One row per member model.
            self.coef = np.array([m["coef"] for m in members], dtype=np.float64).reshape(len(members), -1)
            self.cue_coef = np.array([m["cue_coef"] for m in members], dtype=np.float64).reshape(len(members), -1)
            self.intercept = np.array([m["intercept"] for m in members], dtype=np.float64)
            self.platt_a, self.platt_b = np.array([m["calibration"] for m in members], dtype=np.float64).reshape(-1, 2).T
            cues = data["cues"]
        except (KeyError, TypeError, ValueError) as exc:
            raise AdModelError(f"ad model artifact is incomplete ({exc!r}); retrain it with "
                               "`review model train --data PATH`") from exc
        if not members or self.coef.shape[1] != len(self.terms) or len(self.terms) != len(self.idf) \
                or self.cue_coef.shape[1] != len(CUES) or cues != [k for k, _, _ in CUES] \
                or not 1 <= self.n_max <= 3 or any(not 1 <= len(t) <= self.n_max for t in self.terms):
            raise AdModelError("ad model artifact does not match this featurizer (vocabulary or cue list "
                               "differs); retrain it with `review model train --data PATH`")
        # Lookup tables: a unigram key (a code point + 1) indexes an array directly; longer keys
        # go through a hash table, their keys sorted by bucket (binary search over 150,000 keys
        # cost three times as much).
        keys, lengths = _term_keys(self.terms)
        self._unigram_ids = np.full(0x110002, -1, dtype=np.int32)
        self._unigram_ids[keys[lengths == 1]] = np.flatnonzero(lengths == 1)
        longer = np.flatnonzero(lengths > 1)
        buckets = _bucket(keys[longer])
        order = np.lexsort((keys[longer], buckets))
        self._bucket_keys = np.append(keys[longer][order], -1)  # -1: a probe past the last key misses
        self._bucket_ids = longer[order]
        self._bucket_first = np.searchsorted(buckets[order], np.arange(1 << _HASH_BITS)).astype(np.int32)
        self._bucket_size = np.bincount(buckets, minlength=1 << _HASH_BITS).astype(np.int32)
        # Explanations weigh features by the members' summed coefficients: one occurrence's
        # weight before normalization.
        self._idf_coef = self.idf * self.coef.sum(axis=0)
        self._cue_coef = self.cue_coef.sum(axis=0)

    @classmethod
    def load(cls, path: str | Path) -> "AdModel":
        path = Path(path)
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError as exc:
            raise AdModelError(f"ad model not found at {path}; train one with "
                               "`review model train --data PATH` (see docs/ad.md)") from exc
        except (ValueError, UnicodeDecodeError) as exc:
            raise AdModelError(f"ad model at {path} is not a valid JSON artifact: {exc}") from exc
        return cls(data)

    def occurrences(self, mtext: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(feature id, start, n) of every in-vocabulary n-gram of model text."""
        if not mtext:
            empty = np.zeros(0, dtype=np.int64)
            return empty, empty, empty
        keys, starts, lens = gram_keys(mtext, self.n_max)
        ids = np.full(len(keys), -1, dtype=np.int64)
        unigram = lens == 1
        ids[unigram] = self._unigram_ids[keys[unigram]]
        longer = np.flatnonzero(~unigram)
        wanted = keys[longer]
        bucket = _bucket(wanted)
        first, size = self._bucket_first[bucket], self._bucket_size[bucket]
        for j in range(int(size.max(initial=0))):  # a bucket holds a handful of keys at most
            live = np.flatnonzero((size > j) & (ids[longer] < 0))
            slot = first[live] + j
            found = self._bucket_keys[slot] == wanted[live]
            ids[longer[live[found]]] = self._bucket_ids[slot[found]]
        hit = ids >= 0
        return ids[hit], starts[hit], lens[hit]

    def score(self, text: str) -> Scored:
        """Score text as one window and explain it (offsets are of the normalized text)."""
        scorer = FieldScorer(self, Field("body", text))
        span = (0, len(scorer.text))
        return scorer.explain(*span, scorer.probabilities([span])[0])


def sublinear_tf(counts: np.ndarray) -> np.ndarray:
    """1 + log(count) for the terms present: a repeated n-gram (a price list, 特价特价) counts less
    than its repeats (scikit-learn's sublinear_tf)."""
    tf = counts.astype(np.float64)
    present = tf > 0
    tf[present] = 1.0 + np.log(tf[present])
    return tf


_HASH_BITS = 20


def _bucket(keys: np.ndarray) -> np.ndarray:
    """Hash-table bucket of n-gram keys (Fibonacci hashing: the top bits of key × 2⁶⁴/φ)."""
    with np.errstate(over="ignore"):
        return ((keys.astype(np.uint64) * np.uint64(0x9E3779B97F4A7C15)) >> np.uint64(64 - _HASH_BITS)).astype(np.int64)


def _term_keys(terms: list[str]) -> tuple[np.ndarray, np.ndarray]:
    """The gram_keys key of every vocabulary term (1-3 chars), and its length, vectorized."""
    lengths = np.fromiter(map(len, terms), dtype=np.int64, count=len(terms))
    codes = np.append(_codes("".join(terms)), 0)
    starts = np.cumsum(lengths) - lengths
    keys = codes[starts].copy()
    for k in range(1, 3):
        longer = lengths > k
        keys[longer] = (keys[longer] << 21) | codes[starts[longer] + k]
    return keys, lengths


class FieldScorer:
    """Featurizes a field once; any window of it is then scored with a few numpy operations."""

    def __init__(self, model: AdModel, fld: Field):
        self.model = model
        self.text = normalized = fld.normalized
        codes = _codes(normalized) - 1
        letter = ((codes >= 0x4E00) & (codes <= 0x9FFF)) | ((codes >= 0x3400) & (codes <= 0x4DBF)) \
            | ((codes >= 0x61) & (codes <= 0x7A))
        self.letters = np.concatenate(([0], np.cumsum(letter)))
        gram_text, cues = features_of(fld)
        self.features = gram_text
        mtext, index = model_text(gram_text)
        ids, starts, lens = model.occurrences(mtext)
        # Occurrence spans in normalized offsets; a collapsed number spans all its digits.
        next_start = np.append(index[1:], len(normalized))
        nstarts, nends = index[starts], next_start[starts + lens - 1]
        order = np.argsort(nstarts, kind="stable")
        self.ids, self.starts, self.ends = ids[order], nstarts[order], nends[order]
        # Features renumbered densely per field, so a (window, term) pair packs into one integer.
        uniq, self.local = np.unique(self.ids, return_inverse=True)
        self.idf, self.coef = model.idf[uniq], model.coef[:, uniq]
        self.cue_ids = np.array([k for k, _, _ in cues], dtype=np.int64)
        self.cue_starts = np.array([s for _, s, _ in cues], dtype=np.int64)
        self.cue_ends = np.array([e for _, _, e in cues], dtype=np.int64)

    def letter_count(self, ws: int, we: int) -> int:
        return int(self.letters[we] - self.letters[ws])

    def probabilities(self, spans: list[tuple[int, int]]) -> list[float]:
        """The probability of every window at once, from the (window, term, count) triples of all
        windows (a draft's windows cost one sort): the mean over members of their calibrated
        linear scores on [l2(sublinear tf·idf), log1p(cue counts)], as ad_train.design_matrix."""
        model = self.model
        spans_arr = np.asarray(spans, dtype=np.int64).reshape(-1, 2)
        n = len(spans_arr)
        lo, hi = np.searchsorted(self.starts, spans_arr.reshape(-1)).reshape(-1, 2).T
        sizes = hi - lo
        window = np.repeat(np.arange(n), sizes)
        occurrence = np.arange(int(sizes.sum())) + np.repeat(lo - (np.cumsum(sizes) - sizes), sizes)
        inside = self.ends[occurrence] <= spans_arr[window, 1]
        m = len(self.idf)
        pairs, counts = np.unique(window[inside] * m + self.local[occurrence[inside]], return_counts=True)
        window, term = pairs // m, pairs % m
        tfidf = sublinear_tf(counts) * self.idf[term]
        norm = np.sqrt(np.bincount(window, weights=tfidf * tfidf, minlength=n))
        norm[norm == 0] = 1.0
        z = np.stack([np.bincount(window, weights=tfidf * c[term], minlength=n) for c in self.coef], axis=1) / norm[:, None]
        in_window = (self.cue_starts >= spans_arr[:, :1]) & (self.cue_ends <= spans_arr[:, 1:])
        cue_counts = gated_cues(in_window.astype(np.float64) @ np.eye(len(CUES))[self.cue_ids])
        z += np.log1p(cue_counts) @ model.cue_coef.T + model.intercept
        t = model.platt_a * z + model.platt_b
        return (0.5 * (1.0 + np.tanh(0.5 * t))).mean(axis=1).tolist()  # the logistic function, without overflow

    def explain(self, ws: int, we: int, probability: float) -> Scored:
        """Spread each feature's contribution over the chars it covers; the evidence is the ad
        phrases and cue matches (contacts aside) that weigh most, the first of them the span to
        show. Without any, the heaviest run of chars is shown and no phrase is named."""
        model = self.model
        lo, hi = np.searchsorted(self.starts, [ws, we]).tolist()
        inside = self.ends[lo:hi] <= we
        ids, starts, ends = self.ids[lo:hi][inside], self.starts[lo:hi][inside], self.ends[lo:hi][inside]
        cue = (self.cue_starts >= ws) & (self.cue_ends <= we)
        raw_counts = np.bincount(self.cue_ids[cue], minlength=len(CUES))
        cue_counts = gated_cues(raw_counts)
        weight = np.zeros(we - ws + 1)
        if len(ids):
            uniq, term, count = np.unique(ids, return_inverse=True, return_counts=True)
            tf = sublinear_tf(count)
            tfidf = tf * model.idf[uniq]
            norm = float(np.sqrt(tfidf @ tfidf))
            share = (tf / count)[term]  # each occurrence's share of its term's tf
            per_char = model._idf_coef[ids] * share / norm / (ends - starts)
            np.add.at(weight, starts - ws, per_char)  # difference array: += per_char on [start, end)
            np.add.at(weight, ends - ws, -per_char)
        weight = np.cumsum(weight)[:-1]
        cue_value = np.log1p(cue_counts) * model._cue_coef
        spans = []
        for k, s, e in zip(self.cue_ids[cue], self.cue_starts[cue], self.cue_ends[cue]):
            if k != CONTACT and cue_value[k] > 0:
                weight[s - ws:e - ws] += cue_value[k] / cue_counts[k] / (e - s)  # each match its share
            if k in EVIDENCE_CUES:
                spans.append((s, e))
        spans += [m.span() for m in AD_PHRASES.finditer(self.features, ws, we)]
        ranked = sorted(((float(weight[s - ws:e - ws].sum()), s, e) for s, e in spans if e - s >= 2),
                        key=lambda x: (-x[0], x[1]))
        kept: list[tuple[float, int, int]] = []
        for w, s, e in ranked:  # a phrase inside one already named (特惠 in 限时特惠) adds nothing
            if w > 0 and not any(ks <= s and e <= ke for _, ks, ke in kept):
                kept.append((w, s, e))
        ranked = kept
        offer = bool(cue_counts[OFFER_CUES].sum() > 0)
        evidence = tuple(dict.fromkeys(self.text[s:e] for _, s, e in ranked))[:6]
        if ranked:
            start, end = ranked[0][1], ranked[0][2]
        else:
            runs = sorted(_positive_runs(weight), key=lambda r: -r[2])
            start, end = (ws + runs[0][0], ws + runs[0][1]) if runs else (ws, ws)
        public_service = bool(raw_counts[_CUE_INDEX["public_service"]] > 0)
        return Scored(probability, start, end, evidence, offer, public_service, (ws, we))


def _positive_runs(weight: np.ndarray, min_share: float = 0.25) -> list[tuple[int, int, float]]:
    """Maximal runs of chars heavier than min_share of the heaviest char, with their sums."""
    if not len(weight) or weight.max() <= 0:
        return []
    hot = np.concatenate(([False], weight > weight.max() * min_share, [False]))
    edges = np.flatnonzero(hot[1:] != hot[:-1])
    return [(int(s), int(e), float(weight[s:e].sum())) for s, e in zip(edges[::2], edges[1::2])]


def windows(normalized: str, width: int, min_chars: int) -> list[tuple[int, int]]:
    """Windows over normalized text: one per paragraph; a paragraph longer than `width` is cut into
    half-overlapping windows; lines shorter than `min_chars` (headings, "电话：…") join the next
    line, or the previous window at the end, so they are judged in context."""
    spans: list[tuple[int, int]] = []
    pos = 0
    pending = None
    for line in normalized.split("\n"):
        start, end = pos, pos + len(line)
        pos = end + 1
        if not line.strip():
            continue
        if pending is not None:
            start, pending = pending, None
        if end - start < min_chars:
            pending = start
            continue
        if end - start <= width:
            spans.append((start, end))
            continue
        step = width // 2
        s = start
        while True:
            e = min(s + width, end)
            spans.append((s, e))
            if e >= end:
                break
            s += step
    if pending is not None:
        if spans:
            spans[-1] = (spans[-1][0], len(normalized))
        else:
            spans.append((pending, len(normalized)))
    return spans


class AdCheck:
    name = NAME

    def __init__(self, model: AdModel, config: dict, fraud: Lexicon | None = None):
        self.model = model
        self.version = model.version
        self.block = float(config["block"])
        self.warn = float(config["warn"])
        if not 0 <= self.warn <= self.block <= 1:
            raise ValueError("ad.toml: need 0 <= warn <= block <= 1")
        self.width = int(config.get("window", 200))
        self.min_chars = int(config.get("min_chars", 12))
        self.min_content = int(config.get("min_content", 6))
        self.fraud = fraud

    def worst(self, fld: Field) -> Scored | None:
        """The highest-scoring window of a field, explained; None if no window has enough text."""
        norm = fld.normalized
        spans = windows(norm, self.width, self.min_chars)
        if not spans:
            return None
        scorer = FieldScorer(self.model, fld)
        # Too little text to tell an ad from a heading or a date: the model is not asked.
        spans = [(ws, we) for ws, we in spans if scorer.letter_count(ws, we) >= self.min_content]
        if not spans:
            return None
        probabilities = scorer.probabilities(spans)
        best = max(range(len(spans)), key=probabilities.__getitem__)
        return scorer.explain(*spans[best], probabilities[best])

    def sells_fraud(self, fld: Field, window: tuple[int, int]) -> bool:
        """Does the window offer what the prohibited `fraud` list names (代开发票, 办假证)? That
        is fraud, reported by the prohibited check, not an ad (#17). A term in a line that warns
        (警惕…办假证) is not an offer; the list's context words (诈骗) are not offers either."""
        if self.fraud is None:
            return False
        text = fld.normalized
        for hit in self.fraud.scan(fld):
            if hit.term.weight < 1 or not window[0] <= hit.start < window[1]:
                continue
            line_end = text.find("\n", hit.end)
            line = text[text.rfind("\n", 0, hit.start) + 1:line_end if line_end >= 0 else len(text)]
            if not _WARNING.search(line):
                return True
        return False

    def check(self, doc: Document) -> list[Finding]:
        findings = []
        for fld in doc.fields:
            scored = self.worst(fld)
            if scored is None or scored.probability < self.warn or self.sells_fraud(fld, scored.window):
                continue
            # Only a commercial offer is blocked, and not beside a public-service cue: otherwise the
            # editor is warned and decides (#17).
            blockable = scored.offer and not scored.public_service
            action = "block" if scored.probability >= self.block and blockable else "warn"
            start, end = fld.original_span(scored.start, scored.end)
            shown = "、".join(f"“{e}”" for e in scored.evidence[:4])
            if action == "block":
                lead = "疑似商业广告"
            elif blockable:
                lead = "可能含商业推广内容"
            elif scored.offer:
                lead = "含价格或招揽用语，但也像公共服务信息，请核实是否为商业推广"
            else:
                lead = "用语接近商业推广，但未见明确的价格、优惠或招揽，请核实"
            message = f"{lead}（概率 {scored.probability:.2f}），主要依据：{shown or '整体用语'}。{RULE}。"
            findings.append(Finding(
                check=NAME, category=CATEGORY, field=fld.name, start=start, end=end,
                text=fld.original[start:end], score=scored.probability, action=action,
                message=message, evidence=scored.evidence, details={"model": self.version},
            ))
        return findings


def load_config(resources: Resources) -> dict:
    return resources.read_toml("ad.toml")["ad"]


def model_path(config: dict) -> Path:
    path = Path(config.get("model", "ad.json"))
    return path if path.is_absolute() else MODEL_DIR / path


FRAUD_LIST = "prohibited/fraud.txt"


def fraud_lexicon(resources: Resources) -> Lexicon | None:
    """The prohibited check's fraud list, the one source of its terms; None where it is absent."""
    if not resources.exists(FRAUD_LIST):
        return None
    return Lexicon([parse_wordlist(FRAUD_LIST, resources.read_text(FRAUD_LIST), "fraud", "prohibited")])


def build(resources: Resources) -> AdCheck:
    config = load_config(resources)
    return AdCheck(AdModel.load(model_path(config)), config, fraud_lexicon(resources))
