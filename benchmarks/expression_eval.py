"""Quality of the expression check (文字关): typo detection and correction, false alarms, categories.

    python benchmarks/expression_eval.py --data ../shared/data --seeds ../shared/seeds

Prints:
  1. sentence-level detection and correction precision/recall/F1, SIGHAN style, on the held-out
     fifth of the ECSpell odw and law train files (split by target sentence, typo_train.ecspell_held_out:
     no corrected sentence is on both sides). A sentence counts for detection when the flagged
     positions are exactly the wrong ones, for correction when the suggested characters are right too;
     precision is over sentences with any flag, recall over sentences with a typo.
  2. typo flags per 10,000 characters on the held-out fifth of the news documents (by id) and on the
     seeds (the seeds are training text of the language model: an optimistic figure);
  3. expression findings per category on the same news and seeds (each news document screened as of
     the day it came out, so 银保监会 in a 2022 story is not an outdated name);
  4. `--sample N` random flags (all categories) on all the news (both fifths: the held-out fifth
     alone holds too few flags for 50) with context, for hand-checking (docs/expression.md holds
     the judged table);
  5. the check's time per 1,000 characters of news.
This is a benchmark, not a test: it asserts nothing.
"""
from __future__ import annotations

import argparse
import random
import re
import sys
import time
from collections import Counter
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from classifiers import Resources, ScreenOptions  # noqa: E402
from classifiers.expression import build  # noqa: E402
from classifiers.document import Document  # noqa: E402
from classifiers import typo_train  # noqa: E402


def prf(tp: int, predicted: int, gold: int) -> tuple[float, float, float]:
    p = tp / predicted if predicted else 0.0
    r = tp / gold if gold else 0.0
    return p, r, (2 * p * r / (p + r) if p + r else 0.0)


def sighan(check, rows) -> dict:
    """Sentence-level detection and correction counts."""
    predicted = gold = det_tp = cor_tp = 0
    for row in rows:
        truth = {(i, b) for i, _a, b in row.edits}
        doc = Document.build("", row.source)
        found = {(f.start, f.details["suggestion"]) for f in check.check(doc) if f.category == "typo"}
        gold += bool(truth)
        predicted += bool(found)
        if found and truth and {i for i, _ in found} == {i for i, _ in truth}:
            det_tp += 1
            cor_tp += found == truth
    return {"rows": len(rows), "with_typo": gold, "flagged": predicted,
            "detection": prf(det_tp, predicted, gold), "correction": prf(cor_tp, predicted, gold)}


def published_on(doc_id: str) -> date | None:
    """The day a news document came out (xwlb-20230105-03, gwr-2019), so a name that was current
    then is not an outdated name; None (today) where the id does not say."""
    if m := re.fullmatch(r"xwlb-(\d{4})(\d\d)(\d\d)-\d+", doc_id):
        return date(*map(int, m.groups()))
    if m := re.fullmatch(r"gwr-(\d{4})", doc_id):
        return date(int(m.group(1)), 3, 5)  # government work reports are delivered in March
    return None


def flags(check, docs: list[tuple[str, date | None]]) -> tuple[list[tuple[str, object]], int, float]:
    """(text, finding) of every expression finding, the characters read and the seconds taken."""
    found, chars, started = [], 0, time.perf_counter()
    for text, on in docs:
        chars += len(text)
        found.extend((text, f) for f in check.check(Document.build("", text, ScreenOptions(as_of=on))))
    return found, chars, time.perf_counter() - started


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", type=Path, required=True, help="folder holding spelling_ecspell/ and news_originals/")
    parser.add_argument("--seeds", type=Path, help="folder of the regulation texts (default: seeds/ beside --data)")
    parser.add_argument("--sample", type=int, default=50, help="random flags on news to print for hand-checking")
    parser.add_argument("--random-seed", type=int, default=18)
    args = parser.parse_args()
    seeds_dir = args.seeds or args.data.parent / "seeds"

    check = build(Resources())
    print(f"typo model {check.version}, threshold {check.model.threshold:.4f}, gate {check.model.gate}")

    print("\n## Typos, held-out ECSpell (sentence level, SIGHAN style)\n")
    print("| set | rows | with typo | flagged | det P | det R | det F1 | cor P | cor R | cor F1 |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    held_out = typo_train.load_ecspell(args.data, held_out=True)
    for name in (*typo_train.DOMAINS, "both"):
        rows = [r for r in held_out if name in (r.domain, "both")]
        m = sighan(check, rows)
        print(f"| {name} | {m['rows']} | {m['with_typo']} | {m['flagged']} | "
              + " | ".join(f"{v:.3f}" for v in (*m["detection"], *m["correction"])) + " |")

    news = [(text, published_on(doc_id)) for doc_id, text in typo_train.load_news(args.data, held_out=True)]
    seeds = [(text, None) for text in typo_train.load_seeds(seeds_dir)]
    print("\n## False alarms and categories (every typo flag on these texts counts as false)\n")
    print("| text | characters | typo flags | per 10,000 chars | banned_term | outdated_name | leader | ms per 1,000 chars |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    for name, texts in (("news, held-out fifth", news), ("seeds (training text)", seeds)):
        found, chars, seconds = flags(check, texts)
        counts = Counter(f.category for _t, f in found)
        print(f"| {name} | {chars} | {counts['typo']} | {counts['typo'] / chars * 10_000:.2f} | {counts['banned_term']} | "
              f"{counts['outdated_name']} | {counts['leader']} | {seconds / chars * 1e6:.2f} |")

    if args.sample:
        trained_on = [(text, published_on(doc_id)) for doc_id, text in typo_train.load_news(args.data, held_out=False)]
        news_flags, chars, _seconds = flags(check, news + trained_on)
        counts = Counter(f.category for _t, f in news_flags)
        print(f"\nall news: {chars} characters, " + ", ".join(f"{k} {v}" for k, v in sorted(counts.items())))
        picked = random.Random(args.random_seed).sample(news_flags, min(args.sample, len(news_flags)))
        print(f"\n## {len(picked)} random flags on all the news (of {len(news_flags)}), to judge by hand\n")
        print("| # | category | context | flagged → suggestion |")
        print("|---:|---|---|---|")
        for k, (text, f) in enumerate(picked, 1):
            context = (text[max(0, f.start - 12):f.start] + "【" + f.text + "】" + text[f.end:f.end + 12]).replace("\n", " ")
            print(f"| {k} | {f.category} | {context} | {f.text} → {f.details['suggestion']} |")


if __name__ == "__main__":
    main()
