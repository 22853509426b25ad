"""Prohibited content, rumours and leader routing on text nobody here wrote (issue #16).

    python benchmarks/prohibited_eval.py --data ../shared/data --seeds ../shared/seeds [--blind DIR]

1. Held-out terms: each generated category's source terms (lexicon_sensitive + lexicon_more)
   are split 80/20 by a fixed seed BEFORE any list is built; lists are built from the 80 %
   with the same script and check corpus as the shipped ones (scripts/build_wordlists.py),
   and the held-out 20 % are screened in six forms: plain, traditional, symbols between the
   characters, full-width spaces, full pinyin, one character replaced by a homophone
   (pypinyin readings, not the confusion table the check uses). "curated" = the held-out
   terms the build's own filters would take (anchor words, length, not a common word); the
   raw lists also hold county names, everyday words and spam fragments.
2. SMS spam: loan and bank-transfer fraud (sms_spam_6class), and gambling spam (sms_spam_80w
   spam lines with a casino word: selected by keyword, so only a sanity figure).
3. Official text: news_originals (3,000 新闻联播 stories, 72 government work reports):
   documents with a prohibited block, with a prohibited escalation, flagged as rumour.
4. Rumours: the shipped rumour check on the held-out 30 % of rumour_weibo (whole
   near-duplicate clusters, classifiers/rumour_train.split), text only.
5. --blind DIR (tests/data keeps the copies): prohibited_gov_quotes.tsv (government posts quoting, condemning or refuting
   prohibited things: false blocks) and routing_notices.tsv (routine vs important notices:
   the whole engine's route to the top leader).
A benchmark, not a test: it prints figures and asserts nothing.
"""
from __future__ import annotations

import argparse
import random
import re
import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))

import build_wordlists  # noqa: E402

from classifiers import prohibited, rumour, rumour_train  # noqa: E402
from classifiers.document import Document  # noqa: E402
from classifiers.tokenize import Tokenizer  # noqa: E402
from classifiers.engine import Screener  # noqa: E402
from classifiers.lexicon import normalize_term  # noqa: E402
from classifiers.resources import Resources  # noqa: E402

SEED = 20261208
FORMS = ("plain", "traditional", "symbols", "spaces", "pinyin", "near_sound")
SYMBOLS = "☆□★※♥*·"
CARRIER = "{}，详情私聊。"
GAMBLING_SMS = re.compile("娱乐城|博彩|百家乐|彩金|真人荷官|赌场|六合彩|时时彩|棋牌|投注|下注")


def split_terms(raw: list[str], seed: int = SEED) -> tuple[list[str], list[str]]:
    """80/20 of the distinct normalized source terms, by a fixed seed (sorted first: stable)."""
    by_form: dict[str, list[str]] = {}
    for term in raw:
        by_form.setdefault(normalize_term(term), []).append(term)
    keys = sorted(k for k in by_form if k)
    random.Random(seed).shuffle(keys)
    cut = int(0.8 * len(keys))
    return [t for k in keys[:cut] for t in by_form[k]], keys[cut:]


class Forms:
    """The six written forms of a held-out term."""

    def __init__(self, seed: int = SEED):
        import opencc
        from pypinyin import Style, lazy_pinyin, pinyin

        from build_evasion import char_frequency

        self.rng = random.Random(seed)
        self.s2t = opencc.OpenCC("s2t")
        self.lazy_pinyin = lazy_pinyin
        common = char_frequency()
        groups: dict[str, list[str]] = {}
        for ch in sorted(common, key=lambda c: -common[c]):
            if len(ch) == 1 and "\u4e00" <= ch <= "\u9fff":
                groups.setdefault(pinyin(ch, style=Style.NORMAL)[0][0], []).append(ch)
        self.homophones = {ch: [c for c in group[:12] if c != ch] for group in groups.values() for ch in group}

    def make(self, term: str) -> dict[str, str | None]:
        chars = list(term)
        cjk = [i for i, ch in enumerate(chars) if self.homophones.get(ch)]
        near = None
        if cjk:
            i = self.rng.choice(cjk)
            near = term[:i] + self.rng.choice(self.homophones[chars[i]]) + term[i + 1:]
        return {
            "plain": term,
            "traditional": self.s2t.convert(term),
            "symbols": "".join(ch + self.rng.choice(SYMBOLS) for ch in chars[:-1]) + chars[-1],
            "spaces": "\u3000".join(chars),
            "pinyin": "".join(self.lazy_pinyin(term)) if any("\u4e00" <= ch <= "\u9fff" for ch in term) else None,
            "near_sound": near,
        }


def screened(check, title: str, body: str):
    """The check's findings on a draft tokenized as a Screener holding the check's words would."""
    tokenizer = _tokenizers.get(id(check))
    if tokenizer is None:
        tokenizer = _tokenizers[id(check)] = Tokenizer(check.dictionary_words)
    return check.check(Document.build(title, body, tokenizer=tokenizer))


_tokenizers: dict[int, Tokenizer] = {}


def held_out_terms(data: Path, check_paths: list[Path], log) -> None:
    raw = {cid: build_wordlists.source_terms(spec, data / "lexicon_sensitive", data / "lexicon_more")
           for cid, spec in build_wordlists.CATEGORIES.items()}
    train, held = {}, {}
    for cid in raw:
        train[cid], held[cid] = split_terms(raw[cid])
    started = time.perf_counter()
    built = build_wordlists.build(train, check_paths)
    log(f"lists built from 80 % of the source terms in {time.perf_counter() - started:.0f} s "
        f"({sum(len(k) for k, _ in built.values())} terms)")
    overrides = {f"prohibited/{cid}.txt": build_wordlists.render(cid, kept, dropped) for cid, (kept, dropped) in built.items()}
    check = prohibited.build(Resources(overrides=overrides))
    from classifiers.tokenize import dictionary

    freq = dictionary()
    forms = Forms()
    print("\n### Held-out source terms (20 %), share blocked\n")
    print("| category | terms | set | " + " | ".join(FORMS) + " |")
    print("|---|---:|---|" + "---:|" * len(FORMS))
    totals: dict[str, Counter] = {"all": Counter(), "curated": Counter()}
    for cid, terms in held.items():
        spec = build_wordlists.CATEGORIES[cid]
        curated = [t for t in terms if build_wordlists.mine([t], spec, freq)]
        for name, subset in (("all", terms), ("curated", curated)):
            blocked, tried = Counter(), Counter()
            for term in subset:
                for form, text in forms.make(term).items():
                    if not text:
                        continue
                    tried[form] += 1
                    body = CARRIER.format(text)
                    if any(f.action == "block" for f in screened(check, "", body)):
                        blocked[form] += 1
            totals[name].update({f"{k}:tried": v for k, v in tried.items()})
            totals[name].update({f"{k}:blocked": v for k, v in blocked.items()})
            print(f"| {cid} | {len(subset)} | {name} | "
                  + " | ".join(_share(blocked[f], tried[f]) for f in FORMS) + " |")
    for name, counts in totals.items():
        print(f"| **all five** | | {name} | "
              + " | ".join(_share(counts[f"{f}:blocked"], counts[f"{f}:tried"]) for f in FORMS) + " |")


def sms(data: Path, check) -> None:
    print("\n### SMS spam\n")
    print("| set | messages | prohibited block | block or escalate |")
    print("|---|---:|---:|---:|")
    rows: dict[str, list[str]] = {}
    for line in (data / "sms_spam_6class" / "spam_6class.tsv").read_text(encoding="utf-8").splitlines()[1:]:
        parts = line.split("\t")
        if len(parts) >= 5 and parts[1] in ("loan_fraud", "bank_impersonation_transfer_fraud"):
            rows.setdefault(parts[1], []).append(parts[4])
    gambling = []
    for name in ("train.tsv", "test.tsv"):
        for line in (data / "sms_spam_80w" / name).read_text(encoding="utf-8").splitlines():
            label, _, text = line.partition("\t")
            if label == "1" and GAMBLING_SMS.search(text):
                gambling.append(text)
    rows["gambling spam (keyword-selected)"] = gambling
    for name, texts in rows.items():
        actions = [{f.action for f in screened(check, "", t)} for t in texts]
        print(f"| {name} | {len(texts)} | {_share(sum('block' in a for a in actions), len(texts))} "
              f"| {_share(sum(bool(a & {'block', 'escalate'}) for a in actions), len(texts))} |")


def news(data: Path, check, rumours) -> None:
    docs = blocks = escalations = flagged = 0
    samples = []
    for title, body in build_wordlists.corpus([data / "news_originals"]):
        actions = {f.action for f in screened(check, title, body)}
        docs += 1
        blocks += "block" in actions
        escalations += "escalate" in actions
        if rumours.check(Document.build(title, body)):
            flagged += 1
            samples.append(title[:30])
    print("\n### Official text (news_originals)\n")
    print("| documents | prohibited block | prohibited escalate | rumour flagged |")
    print("|---:|---:|---:|---:|")
    print(f"| {docs} | {blocks} ({_share(blocks, docs)}) | {escalations} ({_share(escalations, docs)}) "
          f"| {flagged} ({_share(flagged, docs)}) |")


def rumour_held_out(data: Path, rumours) -> None:
    _, held = rumour_train.split(rumour_train.load_posts(data / "rumour_weibo"))
    counts = Counter()
    for row in held:
        flagged = bool(rumours.check(Document.build("", row["text"])))
        counts[(row["label"], flagged)] += 1
    tp, fp = counts[(1, True)], counts[(0, True)]
    positives, negatives = tp + counts[(1, False)], fp + counts[(0, False)]
    print("\n### Rumours: held-out 30 % of rumour_weibo (by cluster)\n")
    print("| posts | rumours | precision | recall | non-rumours flagged |")
    print("|---:|---:|---:|---:|---:|")
    print(f"| {len(held)} | {positives} | {_share(tp, tp + fp)} | {_share(tp, positives)} | {_share(fp, negatives)} |")


def blind(directory: Path, screener: Screener) -> None:
    quotes = _rows(_blind_file(directory, "prohibited_gov_quotes"))
    by_topic: dict[str, Counter] = {}
    for label, topic, text in quotes:
        result = screener.screen("", text)
        counts = by_topic.setdefault(topic, Counter())
        counts["rows"] += 1
        counts["blocked"] += result["sensitivity"] == "blocked"
        counts["prohibited_block"] += any(f["check"] == "prohibited" and f["action"] == "block" for f in result["findings"])
        counts["prohibited_escalate"] += any(f["check"] == "prohibited" and f["action"] == "escalate" for f in result["findings"])
        counts["rumour"] += any(f["check"] == "rumour" for f in result["findings"])
    print("\n### Blind: government posts that quote, condemn or refute prohibited things (none should be blocked)\n")
    print("| topic | rows | blocked (any check) | prohibited block | prohibited escalate | rumour flag |")
    print("|---|---:|---:|---:|---:|---:|")
    total = Counter()
    for topic, c in sorted(by_topic.items()):
        total.update(c)
        print(f"| {topic} | {c['rows']} | {c['blocked']} | {c['prohibited_block']} | {c['prohibited_escalate']} | {c['rumour']} |")
    print(f"| **all** | {total['rows']} | {total['blocked']} ({_share(total['blocked'], total['rows'])}) "
          f"| {total['prohibited_block']} ({_share(total['prohibited_block'], total['rows'])}) "
          f"| {total['prohibited_escalate']} | {total['rumour']} |")

    notices = _rows(_blind_file(directory, "routing_notices"))
    routed: dict[tuple[str, str], Counter] = {}
    for label, topic, text in notices:
        result = screener.screen("", text)
        c = routed.setdefault((topic, label), Counter())
        c["rows"] += 1
        c["leader"] += "leader" in result["route"]
    print("\n### Blind: routine vs important notices, share routed to the top leader (whole engine)\n")
    print("| topic | routine rows | routine → leader | important rows | important → leader |")
    print("|---|---:|---:|---:|---:|")
    total = {"0": Counter(), "1": Counter()}
    for topic in sorted({t for t, _ in routed}):
        r, i = routed.get((topic, "0"), Counter()), routed.get((topic, "1"), Counter())
        total["0"].update(r)
        total["1"].update(i)
        print(f"| {topic} | {r['rows']} | {_share(r['leader'], r['rows'])} | {i['rows']} | {_share(i['leader'], i['rows'])} |")
    print(f"| **all** | {total['0']['rows']} | {_share(total['0']['leader'], total['0']['rows'])} "
          f"| {total['1']['rows']} | {_share(total['1']['leader'], total['1']['rows'])} |")


def _blind_file(directory: Path, stem: str) -> Path:
    """The blind writers' file name, or the copy kept in tests/data (…_blind.tsv)."""
    path = directory / f"{stem}.tsv"
    return path if path.is_file() else directory / f"{stem}_blind.tsv"


def _rows(path: Path) -> list[tuple[str, str, str]]:
    return [tuple(line.split("\t", 2)) for line in path.read_text(encoding="utf-8").splitlines()
            if line.strip() and not line.startswith("#")]


def _share(part: int, whole: int) -> str:
    return f"{part / whole:.3f}" if whole else "—"


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", type=Path, required=True, help="the shared data folder")
    parser.add_argument("--seeds", type=Path, required=True, help="the regulations folder (part of the check corpus)")
    parser.add_argument("--blind", type=Path, help="folder with prohibited_gov_quotes[_blind].tsv and routing_notices[_blind].tsv")
    parser.add_argument("--skip-terms", action="store_true", help="skip the held-out term build (slow)")
    args = parser.parse_args(argv)
    log = lambda message: print(message, file=sys.stderr)  # noqa: E731
    resources = Resources()
    check, rumours = prohibited.build(resources), rumour.build(resources)
    if not args.skip_terms:
        held_out_terms(args.data, [args.seeds, args.data / "news_originals"], log)
    sms(args.data, check)
    news(args.data, check, rumours)
    rumour_held_out(args.data, rumours)
    if args.blind:
        blind(args.blind, Screener.load(resources))
    return 0


if __name__ == "__main__":
    sys.exit(main())
