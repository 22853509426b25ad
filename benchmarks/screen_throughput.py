"""Screening throughput on 2,000-character drafts, single process, beside plain jieba.lcut.

    python benchmarks/screen_throughput.py --data ../shared/data/news_originals
    python benchmarks/screen_throughput.py            # generated drafts, no data needed

Reports per-document latency (p50/p95, ms) and MB/s (UTF-8) for: jieba.lcut on the same
text (the yardstick), building the Document alone (every view and the tokens with POS), each
check in classifiers.engine.REGISTRY alone (a Screener holding only that check: Document +
check + de-identification), and the whole engine; the target is the whole engine at most 0.2×
jieba.lcut. Then how often the Screener's tokenizer (rjieba) and jieba (the reference) segment
the drafts alike, and, in fresh processes, the wall time of a one-draft `review screen` beside
Python's own start and the peak RSS of a process that loaded the screener and screened a draft
(what a worker holds).
This is a benchmark, not a test: it asserts nothing and figures move ±10% between runs.
"""
from __future__ import annotations

import argparse
import json
import logging
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import jieba  # noqa: E402

from classifiers import engine  # noqa: E402
from classifiers.engine import Screener  # noqa: E402
from classifiers.tokenize import plain_tokenizer  # noqa: E402

TARGET = 0.2

DRAFT_CHARS = 2000


def drafts_from_news(path: Path, count: int) -> list[str]:
    """Consecutive stories (title + body) cut into 2,000-character drafts."""
    files = sorted(path.glob("*.jsonl")) if path.is_dir() else [path]
    drafts, buffer = [], ""
    for f in files:
        with f.open(encoding="utf-8") as lines:
            for line in lines:
                record = json.loads(line)
                buffer += record.get("title", "") + "\n" + record.get("body", "") + "\n"
                while len(buffer) >= DRAFT_CHARS:
                    drafts.append(buffer[:DRAFT_CHARS])
                    buffer = buffer[DRAFT_CHARS:]
                    if len(drafts) == count:
                        return drafts
    if not drafts:
        raise SystemExit(f"no drafts could be built from {path}")
    return drafts


PHRASES = (
    "市政府召开常务会议，研究部署安全生产和民生保障工作。", "会议强调，要坚持以人民为中心的发展思想。",
    "扎实推进乡村振兴，做好稳就业、保民生各项工作。", "全市新增城镇就业人口一万二千人，同比增长百分之五。",
    "各部门要加强值班值守，及时发布暴雨黄色预警信息。", "社区开展禁毒宣传活动，讲解毒品危害。",
    "经研究决定，任命张某某为市交通运输局局长。", "公安机关严厉打击电信网络诈骗违法犯罪。",
    "展示西藏独特的自然风光和平台独有的数据服务。", "联系人：王某某，电话：13800138000。",
    "本次活动由市文化广电旅游体育局主办，欢迎广大市民参加。", "受台风影响，沿海地区出现强降雨，无人员伤亡。",
)


def generated_drafts(count: int, seed: int = 20261125) -> list[str]:
    """Fallback when no --data: government-style sentences with the usual trigger words."""
    rng = random.Random(seed)
    drafts = []
    for _ in range(count):
        text = ""
        while len(text) < DRAFT_CHARS:
            text += rng.choice(PHRASES) + ("\n" if rng.random() < 0.2 else "")
        drafts.append(text[:DRAFT_CHARS])
    return drafts


def measure(stages: dict, drafts: list[str], repeat: int) -> dict[str, list[float]]:
    """Per-document timings for every stage, interleaved draft by draft, so that load from
    other processes on the machine falls on all stages alike and the ratios stay fair."""
    for fn in stages.values():
        for draft in drafts[:5]:  # warm caches and lazy loads
            fn(draft)
    timings: dict[str, list[float]] = {label: [] for label in stages}
    clock = time.perf_counter
    for _ in range(repeat):
        for draft in drafts:
            for label, fn in stages.items():
                started = clock()
                fn(draft)
                timings[label].append(clock() - started)
    return timings


def report(label: str, timings: list[float], nbytes: int, repeat: int, yardstick: float) -> float:
    total = sum(timings)
    mb_s = nbytes * repeat / total / 1e6
    ordered = sorted(timings)
    p50 = statistics.median(ordered) * 1000
    p95 = ordered[min(len(ordered) - 1, int(0.95 * len(ordered)))] * 1000
    ratio = f"{total / yardstick:6.2f}×"
    print(f"| {label:<28} | {p50:8.3f} | {p95:8.3f} | {mb_s:7.2f} | {ratio} |")
    return total


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", type=Path, help="news_originals directory or a .jsonl file of {title, body}")
    parser.add_argument("--docs", type=int, default=200, help="number of 2,000-character drafts")
    parser.add_argument("--repeat", type=int, default=3, help="passes over the drafts")
    parser.add_argument("--runs", type=int, default=5, help="fresh processes timed for start-up and RSS")
    args = parser.parse_args(argv)

    drafts = drafts_from_news(args.data, args.docs) if args.data else generated_drafts(args.docs)
    source = str(args.data) if args.data else "generated"
    nbytes = sum(len(d.encode("utf-8")) for d in drafts)
    print(f"{len(drafts)} drafts × {DRAFT_CHARS} chars from {source} ({nbytes / len(drafts) / 1000:.1f} KB each), "
          f"{args.repeat} passes, one process, Python {sys.version.split()[0]}")
    print(f"registry: {', '.join(engine.REGISTRY)}\n")

    jieba.setLogLevel(logging.WARNING)
    jieba.initialize()
    started = time.perf_counter()
    screeners = {name: Screener.load(registry=[name]) for name in engine.REGISTRY}
    full = Screener.load()
    print(f"load: every screener in {time.perf_counter() - started:.2f} s\n")

    stages = {"jieba.lcut (precise, HMM)": jieba.lcut, "Document (views + tokens)": lambda d: full.document("", d).body.tokens}
    for name, screener in screeners.items():
        stages[name.rsplit(".", 1)[-1] + " alone"] = lambda d, s=screener: s.screen("", d)
    stages["all checks (engine)"] = lambda d: full.screen("", d)
    timings = measure(stages, drafts, args.repeat)

    print(f"| {'stage':<28} | {'p50 ms':>8} | {'p95 ms':>8} | {'MB/s':>7} | vs lcut |")
    print(f"|{'-' * 30}|{'-' * 9}:|{'-' * 9}:|{'-' * 8}:|{'-' * 8}:|")
    yardstick = sum(timings["jieba.lcut (precise, HMM)"])
    for label, values in timings.items():
        total = report(label, values, nbytes, args.repeat, yardstick)
    verdict = "meets" if total <= TARGET * yardstick else "MISSES"
    print(f"\nwhole engine / jieba.lcut = {total / yardstick:.2f} ({verdict} the target ≤ {TARGET:.2f})")
    print(agreement(drafts))
    print(start_up(drafts[0], args.runs))
    return 0


def agreement(drafts: list[str]) -> str:
    """rjieba (the Screener's tokenizer, no words added) against jieba.lcut, the reference."""
    same_drafts = same_tokens = tokens = 0
    for draft in drafts:
        ours = [t.word for t in plain_tokenizer().tokens(draft)]
        reference = jieba.lcut(draft)
        same_drafts += ours == reference
        edges = {(t.start, t.end) for t in plain_tokenizer().tokens(draft)}
        at = 0
        for word in reference:
            same_tokens += (at, at + len(word)) in edges
            at += len(word)
        tokens += len(reference)
    return (f"\nrjieba vs jieba.lcut: {same_drafts}/{len(drafts)} drafts segmented identically, "
            f"{same_tokens}/{tokens} jieba tokens ({same_tokens / tokens:.4%}) found with the same span")


def start_up(draft: str, runs: int) -> str:
    """Fresh processes: Python alone, a one-draft `review screen`, and the peak RSS of a process
    that loaded the screener and screened one draft."""
    review = Path(sys.executable).with_name("review")
    with tempfile.NamedTemporaryFile("w", suffix=".txt", encoding="utf-8", delete=False) as f:
        f.write(draft)
    # VmHWM, not getrusage's ru_maxrss: Linux keeps ru_maxrss across exec, so a child of this
    # (large) process would report the parent's peak.
    rss_code = ("import sys; from classifiers import screen; screen('', open(sys.argv[1], encoding='utf-8').read());"
                "print(next(int(l.split()[1]) for l in open('/proc/self/status') if l.startswith('VmHWM:')))")

    def wall(cmd: list[str]) -> float:
        best = float("inf")
        for _ in range(runs):
            started = time.perf_counter()
            subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, cwd=ROOT)
            best = min(best, time.perf_counter() - started)
        return best

    python = wall([sys.executable, "-c", "pass"])
    one = wall([str(review), "screen", f.name, "--title", "标题"])
    rss = int(subprocess.run([sys.executable, "-c", rss_code, f.name], check=True, capture_output=True, text=True,
                             cwd=ROOT).stdout.split()[-1])
    Path(f.name).unlink()
    return (f"\none-draft `review screen` (best of {runs} fresh processes): {one:.2f} s; python -c pass {python:.2f} s; "
            f"beyond Python's start {one - python:.2f} s\npeak RSS of a process that loaded the screener and "
            f"screened one draft: {rss / 1024:.0f} MB")


if __name__ == "__main__":
    sys.exit(main())
