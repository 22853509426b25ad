"""Build the operational prohibited-content wordlists from the lexicon_sensitive and lexicon_more collections.

    python scripts/build_wordlists.py --data ../shared/data/lexicon_sensitive \
        --more ../shared/data/lexicon_more \
        --check ../shared/seeds --check ../shared/data/news_originals

Writes wordlists/prohibited/{gambling,drugs,pornography,weapons,fraud}.txt. The sources are
crowd-collected and noisy (see their SOURCE.md), so every term is curated:
  1. split where a source line is a search query (`qq "出售K粉"`, `北京办证/网上办证`), then
     normalized exactly as drafts are (classifiers.lexicon.normalize_term);
  2. spam affixes stripped ("qq出售冰毒电话" -> "冰毒"), variants counted per core;
  3. dropped when short, mostly non-Chinese, containing digits, a common jieba word
     (黄色, 娱乐, 成人: they fire on ordinary text), or on the category's stoplist;
  4. dropped when it matches, outside a protective context, any text under --check
     (the regulations and real news must produce no block findings);
  5. ranked by variant count and capped (--max-terms) to keep the files small.
The hand-picked seed terms below always come first; they pass step 4 too, except that a
seed is kept when its only matches are in protective context (缉毒 news).
"""
from __future__ import annotations

import argparse
import json
import re
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from classifiers.context import ContextCues  # noqa: E402
from classifiers.evasion import Evasion  # noqa: E402
from classifiers.lexicon import Category, Lexicon, Term, normalize_term  # noqa: E402
from classifiers.resources import Resources  # noqa: E402
from classifiers.text import Field, is_cjk  # noqa: E402
from classifiers.tokenize import Tokenizer, dictionary  # noqa: E402

RULE7 = "《自治区国资委所属政务新媒体管理办法（试行）》第十三条第（七）项"

# Each category: source files (with an optional filter), seed terms, stoplist, header.
CATEGORIES = {
    "gambling": {
        "name": "赌博",
        "rule": "003 §13(七)",
        "message": f"含赌博内容，违反{RULE7}“不得散布淫秽、色情、赌博、暴力、恐怖或者教唆犯罪”。",
        "sources": [("houbb_gambling.txt", None), ("more:bbsch_gambling_lottery.tsv", None)],
        "seeds": """赌博 网络赌博 网上赌博 线上赌博 聚众赌博 开设赌场 赌场 赌球 外围赌球 赌钱 赌资 博彩
            网络博彩 赌博网站 博彩网站 博彩 六合彩 地下六合彩 私彩 百家乐 老虎机 真人荷官 真钱游戏 娱乐城 赌博平台
            时时彩 时时彩平台 赌具 出千""",
        "stop": "娱乐 彩票 体育彩票 福利彩票 足球 篮球 游戏 下载 电话 兰博 兰博刀 庄家 坐庄 大庄",
        "drop_if_contains": "反赌 打赌 赌王",
        "anchors": "赌 博彩 娱乐城 下注 投注 百家乐 老虎机 六合彩 轮盘 荷官 庄家 坐庄 黑庄 时时彩 出千",
        "exceptions": "博彩业",
    },
    "drugs": {
        "name": "毒品",
        "rule": "003 §13(七)",
        "message": f"含毒品相关内容，违反{RULE7}“不得散布……教唆犯罪”及《深圳市推进政务新媒体健康有序发展管理办法》第十七条“不得发布违反国家有关法律法规规定的信息”。",
        "sources": [("houbb_drugs.txt", None), ("more:illegal2011_drugs.txt", None),
                    ("more:illegal2011_porn_sex_products_and_knockout_drugs.txt", None),
                    ("more:bbsch_chemicals_drugs_organ_trade.tsv", ("毒", "冰", "罂粟", "海洛因", "氯胺酮"))],
        "seeds": """毒品 吸毒 贩毒 制毒 贩卖毒品 吸食毒品 新型毒品 冰毒 海洛因 可卡因 大麻 摇头丸 k粉 氯胺酮
            麻古 甲基苯丙胺 笑气 神仙水 毒贩 迷奸药 迷药 催情药 听话水""",
        "stop": "迷幻 吗啡 鸦片 芬太尼 麻黄素 黄体酮 乙醚 麻醉 胰岛素 地西泮 曲马多 炸药 弹药 洗衣粉 枪支 刀具",
        # 大麻 is also a town in Tongxiang, Zhejiang (大麻镇).
        "exceptions": "工业大麻 鸦片战争 大麻籽 大麻纤维 大麻镇 大麻支行",
        "anchors": "毒 冰毒 k粉 麻古 摇头丸 海洛因 可卡因 大麻 罂粟 吗啡 氯胺酮 羟亚胺 卡西酮 安非他命 麻黄 迷药 迷幻 迷奸 迷情 迷魂 迷晕 昏迷 蒙汗 催情 春药 听话 乖乖 喵喵 拍肩 苍蝇粉 失忆 失意",
        # Pesticides and industrial poisons (因毒硫磷) are not drugs.
        "drop_if_contains": "炸药 枪 弹 雷管 冰糖 安眠药 毒药 磷 硫 酸 氰 汞 砷 铊 锡",
    },
    "pornography": {
        "name": "淫秽色情",
        "rule": "003 §13(七)",
        "message": f"含淫秽色情内容，违反{RULE7}“不得散布淫秽、色情……”。",
        "sources": [("konsheng_porn_type.txt", None), ("konsheng_porn_lexicon.txt", None), ("houbb_porn.txt", None),
                    ("more:illegal2011_porn.txt", None)],
        "seeds": """色情 淫秽 黄色网站 黄色视频 黄色图片 黄色小说 黄片 色情网站 色情视频 淫秽视频 淫秽物品 淫秽色情
            卖淫 嫖娼 卖淫嫖娼 招嫖 援交 一夜情 裸聊 约炮 成人视频 性交易 三级片 毛片 裸照 艳照""",
        # Anatomy and health words a health bureau publishes every week.
        "stop": """乳房 阴道 肛门 乳腺 子宫 宫颈 性病 艾滋病 避孕 安全套 月经 处女 同性恋 生殖 精子 卵子 怀孕
            人流 成人 美女 少女 少妇 女友 老婆 老公 妹妹 姐姐 美人 情人 爱情 激情 诱惑 寂寞 性感 快乐 调教
            按摩 推油 咪咪 小姐 帅哥 交友 聊天 视频 电影 小说 图片 种子 下载 电话 游戏 写真 人体 身体 内衣 插进 性服务 舞女""",
        "anchors": """淫 色情 情色 裸 奸 嫖 妓 性交 性爱 援交 一夜情 穴 逼 屄 阴唇 阴户 阴茎 乳交 射精 颜射 内射 口射
            插 操 黄片 毛片 三级片 成人视频 成人电影 成人小说 成人网站 成人论坛 成人游戏 成人动画 催情 迷情 春宫 av 艳照 艳情 陪聊 援交""",
        # Crime names (强奸) belong to news of convictions, not to pornography.
        "drop_if_contains": "干扰器 数据 软件 枪 刀 毒药 炸 小说 强奸 奸污 诱奸 奸杀 淫威 阴茎 射精 妓女",
    },
    "weapons": {
        "name": "涉枪涉爆",
        "rule": "003 §13(七)",
        "message": f"含非法买卖、制造枪支弹药爆炸物或管制器具的内容，违反{RULE7}“不得散布……暴力、恐怖或者教唆犯罪”。",
        "sources": [
            ("konsheng_guns_explosives.txt", None),
            ("houbb_illegal.txt", ("枪", "炸药", "雷管", "弓弩", "子弹", "军刺", "手狗", "炸弹")),
            ("more:illegal2011_weapons_guns.txt", None), ("more:illegal2011_weapons_explosives.txt", None),
            ("more:illegal2011_weapons_crossbows_tranquilizer_darts.txt", None),
        ],
        # Naming a weapon is not prohibited (军事报道, 缴获枪支); selling or making one is.
        "seeds": """仿真枪 气枪 猎枪 手狗 枪模 自制枪支 自制炸弹 土炸药 炸弹制作 枪支弹药出售 买卖枪支 非法买卖枪支
            走私军火 贩卖军火 军火贩子""",
        "patterns": [
            (verb, thing)
            for verb in "出售 销售 批发 买卖 转让 求购 代购 供应 直销 专卖 自制 改装 网购".split()
            for thing in "枪 子弹 炸药 雷管 炸弹 弓弩 军刺 电击器".split()
        ] + [("炸药", "配方"), ("炸弹", "制作"), ("炸药", "制作")],
        "stop": """手枪 步枪 枪支 军刀 刀具 猎刀 匕首 弹药 炸药 雷管 子弹 导弹 原子弹 核弹 氢弹 鞭炮 烟花 礼花弹
            警服 手铐 电棍 甩棍 射孔弹 户外 野营 专卖店 价格 枪 刀""",
        "anchors": "枪 弹 炸药 雷管 弩 军刺 手狗 电击 麻醉 军火",
        # A weapon's bare name escalates (a person decides); selling or making it blocks.
        "mined_weight": 0.4,
    },
    "fraud": {
        "name": "诈骗、假证假票",
        "rule": "003 §13(七)",
        "message": f"含诈骗、办理假证或虚开发票等违法内容，违反{RULE7}“教唆犯罪”及《深圳市推进政务新媒体健康有序发展管理办法》第十七条“不得发布违反国家有关法律法规规定的信息”。",
        "sources": [
            ("houbb_illegal.txt", ("发票", "假证", "办证", "证件", "文凭", "学历")),
            ("more:illegal2011_fraud_fake_certificates.txt", None), ("more:illegal2011_fraud_fake_invoices.txt", None),
            ("more:illegal2011_fraud_counterfeit_currency.txt", None), ("more:illegal2011_fraud_paid_post_deletion.txt", None),
            ("more:illegal2011_fraud_selling_exam_candidate_data.txt", None),
            ("more:illegal2011_weapons_police_equipment.txt", ("证",)),  # 制作假警官证
        ],
        # 诈骗 names a crime every anti-fraud notice mentions: weight 0.4 escalates, never blocks.
        # 代开发票 and 办证 alone are also services tax offices and 办证中心 provide: they
        # escalate; selling them (代开广州发票, 办证刻章, 出售发票) blocks.
        "seeds": """虚开发票 假发票 办假证 假证 假文凭 假学历 假身份证 刷单返利 刷单兼职 网络刷单 冒充公检法
            安全账户 裸贷 套路贷 杀猪盘 收购银行卡 出租银行卡 出售银行卡 跑分平台 网络诈骗:0.4 电信诈骗:0.4 诈骗:0.4
            代开发票:0.4 办证:0.4 专业办证 办证刻章 刻章办证 办证公司 代办文凭 办文凭 买文凭 出售发票 代开税票
            假币 假钞 假人民币 伪钞 出售假币 删帖公司 删贴公司 有偿删帖 付费删帖 网络删帖 负面信息处理:0.4
            出售考生信息 考生信息出售 出售学生信息 出售高考生名单 落榜生名单""",
        "stop": """发票 证件 身份证 学历 文凭 毕业证 驾驶证 刻章 电话 增值税 普通发票 专用发票 国税 地税
            网上办证 快速办证 本地办证 代办 考生信息 名单 高考生名单 2011年高考生名单""",
        "exceptions": """办证中心 办证大厅 办证服务 办证窗口 办证点 申请代开发票 代开发票服务 税务机关代开发票
            申请代开增值税发票 申请代开增值税专用发票 申请代开普通发票 申请代开电子发票 税务机关代开增值税发票""",
        # Not 办证/代办/代开 alone: 办证中心, 帮办代办 and 税务机关代开发票 are government services.
        "anchors": """假 虚开 高仿 仿真 刷单 诈骗 套路贷 裸贷 杀猪盘 跑分 代开 办证 刻章 文凭 假币 假钞 伪钞 假钱 过机
            删帖 删贴 负面信息 考生名单 考生信息 落榜 高考生名单""",
        # A place and a service window (上海办证中心, 网上办证) is a government office.
        "drop_if_contains": "警棍 手铐 电棍 办证中心 办证大厅 办证服务 办证点 网上办证 办证网 上网文凭",
    },
}

PREFIXES = "qq 出售 提供 批发 销售 供应 直销 专卖 购买 买卖 转让 求购 代购 网购 货到付款 哪里有 哪里买 怎么买".split()
SUFFIXES = "qq 电话 出售 直销 专卖 批发 销售 供应 出货 价格 哪里有 哪里买 专卖店 网站 网址 下载 txt".split()
COMMON_FREQ = 700  # jieba dictionary frequency above which a lone word is too common to list
HEADER = """# Generated by scripts/build_wordlists.py from lexicon_sensitive and lexicon_more (see docs/screening.md).
# Sources: konsheng/Sensitive-lexicon (MIT), houbb/sensitive-word (Apache-2.0), xtv417810/MinGanCi_public
# (2011 illegal-information keyword sheet, BBSCH lists; no licence stated, used as reference data).
# Format: wordlists/README.md. Administrators edit this list in the web app (overrides).
"""


def strip_affixes(term: str) -> str:
    changed = True
    while changed:
        changed = False
        for prefix in PREFIXES:
            if term.startswith(prefix) and len(term) > len(prefix) + 1:
                term, changed = term[len(prefix):], True
        for suffix in SUFFIXES:
            if term.endswith(suffix) and len(term) > len(suffix) + 1:
                term, changed = term[: -len(suffix)], True
    return term


def acceptable(term: str, stop: set[str], freq) -> bool:
    cjk = sum(is_cjk(ch) for ch in term)
    if not 2 <= len(term) <= 8 or cjk < 2 or cjk < 0.6 * len(term):
        return False
    if any(ch.isdigit() for ch in term) or term in stop:
        return False
    return freq.count(term) < COMMON_FREQ


def source_terms(spec: dict, data: Path, more: Path | None) -> list[str]:
    """Every raw term of a category's sources, one per query part (`qq "出售K粉"` -> qq, 出售K粉).
    A source named "more:…" lives in the lexicon_more directory (skipped without --more)."""
    terms = []
    for filename, must_contain in spec["sources"]:
        directory = data
        if filename.startswith("more:"):
            if more is None:
                continue
            directory, filename = more, filename[len("more:"):]
        lines = (directory / filename).read_text(encoding="utf-8").splitlines()
        if filename.endswith(".tsv"):  # term<TAB>weight with a header
            lines = [line.split("\t")[0] for line in lines[1:]]
        for line in lines:
            for part in re.split(r"[\s/]+", line.replace('"', " ")):
                if part and (not must_contain or any(m in normalize_term(part) for m in must_contain)):
                    terms.append(part)
    return terms


def mine(raw_terms: list[str], spec: dict, freq) -> Counter:
    stop = {normalize_term(s) for s in spec["stop"].split()}
    anchors = [normalize_term(a) for a in spec.get("anchors", "").split()]
    banned = [normalize_term(b) for b in spec.get("drop_if_contains", "").split()]
    cores: Counter = Counter()
    for raw in raw_terms:
        core = strip_affixes(normalize_term(raw))
        # Sources misfile terms across categories (刀具 under gambling): a mined term must
        # contain one of the category's anchors and none of its foreign words.
        if anchors and not any(a in core for a in anchors):
            continue
        if any(b in core for b in banned):
            continue
        if acceptable(core, stop, freq):
            cores[core] += 1
    return cores


def corpus(paths: list[Path]):
    """(title, body) pairs from seed .txt files and news .jsonl files under the given paths."""
    for path in paths:
        files = sorted(path.rglob("*")) if path.is_dir() else [path]
        for f in files:
            if f.suffix == ".txt" and f.name != "SOURCE.md":
                yield "", f.read_text(encoding="utf-8")
            elif f.suffix == ".jsonl":
                for line in f.read_text(encoding="utf-8").splitlines():
                    record = json.loads(line)
                    yield record.get("title", ""), record.get("body", "")


def offending_terms(categories: dict[str, Category], check_paths: list[Path], cues: ContextCues) -> dict[str, Counter]:
    """Terms that match the check corpus outside a protective context, per category. A term
    whose evasion form (pinyin, near-sound …) matches counts as matching: it is the term that
    goes."""
    lexicon = Lexicon(list(categories.values()), Evasion.load(Resources(directory=ROOT / "wordlists")))
    tokenizer = Tokenizer(lexicon.words)  # as a Screener's would hold them
    found: dict[str, Counter] = {cid: Counter() for cid in categories}
    for title, body in corpus(check_paths):
        title_field = Field("title", title, tokenizer)
        for fld in (title_field, Field("body", body, tokenizer)):
            hits = lexicon.scan(fld)
            if not hits:
                continue
            finder = cues.finder(fld, title_field)
            for hit in hits:
                # Only what would block counts: low-weight terms escalate by design.
                if hit.term.weight >= 0.5 and finder.cue_for(hit.start, hit.end) is None:
                    found[hit.category.id][hit.term.label] += 1
    return found


def plan(raw_by_category: dict[str, list[str]], freq) -> dict[str, Category]:
    """Seeds, patterns and mined terms per category, ranked, before the check corpus."""
    categories = {}
    for cid, spec in CATEGORIES.items():
        seeds = dict(_seed(s) for s in spec["seeds"].split())
        mined = mine(raw_by_category[cid], spec, freq)
        ranked = [t for t, _ in sorted(mined.items(), key=lambda kv: (-kv[1], len(kv[0]), kv[0])) if t not in seeds]
        terms = [Term(s, w, "seed") for s, w in seeds.items()]
        terms += [Term(normalize_term(a), 1.0, "pattern", normalize_term(b)) for a, b in spec.get("patterns", [])]
        weight = spec.get("mined_weight", 1.0)
        terms += [Term(t, weight, f"{mined[t]} source variants") for t in ranked]
        categories[cid] = Category(cid, "prohibited", "block", spec["rule"], spec["message"], terms=terms,
                                   exceptions=[normalize_term(e) for e in spec.get("exceptions", "").split()])
    return categories


def build(raw_by_category: dict[str, list[str]], check_paths: list[Path], max_terms: int = 600):
    """The lists to ship: planned, minus terms that match the check corpus, capped.
    Returns {category: (kept terms, Counter of dropped terms)}."""
    categories = plan(raw_by_category, dictionary())
    cues = ContextCues.parse((ROOT / "wordlists" / "context.txt").read_text(encoding="utf-8"))
    offending = offending_terms(categories, check_paths, cues) if check_paths else {c: Counter() for c in categories}
    return {
        cid: ([t for t in category.terms if t.label not in offending[cid]][:max_terms], offending[cid])
        for cid, category in categories.items()
    }


def render(cid: str, kept: list[Term], dropped: Counter) -> str:
    """A category file in the wordlist format (wordlists/README.md)."""
    spec = CATEGORIES[cid]
    lines = [HEADER.rstrip("\n"),
             f"# {spec['name']}: {len(kept)} terms; dropped because they matched the check corpus: "
             + (", ".join(f"{t}({n})" for t, n in dropped.most_common()) or "none"),
             f"@name {spec['name']}", "@action block", f"@rule {spec['rule']}", "@context on",
             f"@message {spec['message']}"]
    lines += [f"!{e}" for e in spec.get("exceptions", "").split()]
    lines += [f"{t.label} | {t.weight:g} | {t.note}" for t in kept]
    return "\n".join(lines) + "\n"


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", type=Path, required=True, help="the lexicon_sensitive directory")
    parser.add_argument("--more", type=Path, help="the lexicon_more directory (fake certificates, invoices …)")
    parser.add_argument("--check", type=Path, action="append", default=[],
                        help="regulation texts / news (.txt or .jsonl, file or directory); repeatable")
    parser.add_argument("--out", type=Path, default=ROOT / "wordlists" / "prohibited")
    parser.add_argument("--max-terms", type=int, default=600)
    args = parser.parse_args(argv)

    raw = {cid: source_terms(spec, args.data, args.more) for cid, spec in CATEGORIES.items()}
    built = build(raw, args.check, args.max_terms)
    args.out.mkdir(parents=True, exist_ok=True)
    for cid, (kept, dropped) in built.items():
        (args.out / f"{cid}.txt").write_text(render(cid, kept, dropped), encoding="utf-8")
        print(f"{cid}: {len(kept)} terms written, {len(dropped)} dropped by the check corpus", file=sys.stderr)
    return verify(args.check) if args.check else 0


def verify(check_paths: list[Path]) -> int:
    """Screen the check corpus with every shipped prohibited category (hand-written ones too)
    and list each block finding; exit status 1 if there is any, for a person to judge."""
    from classifiers import prohibited
    from classifiers.document import Document
    check = prohibited.build(Resources(directory=ROOT / "wordlists"))
    tokenizer = Tokenizer(check.dictionary_words)  # as the Screener's would hold them
    documents = blocks = 0
    for title, body in corpus(check_paths):
        documents += 1
        for f in check.check(Document.build(title, body, tokenizer=tokenizer)):
            if f.action == "block":
                blocks += 1
                source = title if f.field == "title" else body
                around = source[max(0, f.start - 30):f.end + 30].replace("\n", " ")
                print(f"block {f.category} {f.text!r} in {title[:30]!r}: …{around}…", file=sys.stderr)
    print(f"verify: {documents} documents, {blocks} block findings", file=sys.stderr)
    return 1 if blocks else 0


def _seed(text: str) -> tuple[str, float]:
    term, _, weight = text.partition(":")
    return normalize_term(term), float(weight or 1.0)


if __name__ == "__main__":
    sys.exit(main())
