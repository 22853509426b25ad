"""Benchmark (not a test) of repost tracing: does the originals index find what a draft copies?

    python benchmarks/repost_eval.py --data /path/to/news_originals

Library: the 新闻联播 stories and government work reports of `--data` (xwlb_stories.jsonl,
gov_work_reports.jsonl), minus a held-out set of stories that serve as unrelated drafts. The
larger libraries are padded with synthetic documents, each 2-5 paragraphs drawn at random from
the library's real articles (so they also share text with the queries, which makes it harder).
Queries: library stories copied with realistic edits. Reported: recall of the original at
top-1 (after the check's `copy_share` threshold from wordlists/repost.toml), false matches on
held-out stories, and query latency. --boilerplate-factor sets OriginalsIndex(boilerplate_factor=…)
(0: boilerplate scoring off, as before it existed). With --baselines, MinHash LSH (datasketch) and SimHash
are measured on the same queries at the first library size, as the reason for the choice.
"""
from __future__ import annotations

import argparse
import dataclasses
import gc
import json
import random
import statistics
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from classifiers import Resources  # noqa: E402
from classifiers.document import Document  # noqa: E402
from classifiers.originals import OriginalsIndex, content_chars, shingle_hashes  # noqa: E402
from classifiers.repost import RepostCheck, build as build_check  # noqa: E402
from classifiers.text import Field  # noqa: E402

import opencc  # noqa: E402

SEED = 20261125
_S2T = opencc.OpenCC("s2t")
SENTENCE_END = "。！？；"


def load(data: Path) -> tuple[list[dict], list[dict]]:
    stories = [json.loads(line) for line in (data / "xwlb_stories.jsonl").open(encoding="utf-8")]
    reports_path = data / "gov_work_reports.jsonl"
    reports = [json.loads(line) for line in reports_path.open(encoding="utf-8")] if reports_path.exists() else []
    return stories, reports


def paragraphs(body: str) -> list[str]:
    return [p for p in body.split("\n") if p.strip()]


def sentences(text: str) -> list[str]:
    out, cur = [], ""
    for ch in text:
        cur += ch
        if ch in SENTENCE_END:
            out.append(cur)
            cur = ""
    if cur:
        out.append(cur)
    return out


def clean_len(text: str) -> int:
    return len(content_chars(text)[0])


# -- edits -----------------------------------------------------------------------------------


def trim(body: str, keep: float) -> str:
    """Keep whole sentences from the start until `keep` of the text (an excerpt, 节选)."""
    out, total, target = [], 0, keep * clean_len(body)
    for s in sentences(body):
        if total >= target:
            break
        out.append(s)
        total += clean_len(s)
    return "".join(out)


def reorder(body: str, rng: random.Random) -> str:
    parts = paragraphs(body)
    if len(parts) < 2:
        parts = sentences(body)
    shuffled = parts[:]
    for _ in range(5):
        rng.shuffle(shuffled)
        if shuffled != parts or len(parts) < 2:
            break
    return "\n".join(shuffled)


def rewrite_sentence(body: str, rng: random.Random) -> str:
    """Rewrite the longest sentence: drop a third of its words and swap neighbours (a paraphrase)."""
    import jieba

    sents = sentences(body)
    i = max(range(len(sents)), key=lambda j: len(sents[j]))
    words = jieba.lcut(sents[i])
    words = [w for w in words if rng.random() > 0.33] or words[:1]
    for j in range(0, len(words) - 1, 3):
        words[j], words[j + 1] = words[j + 1], words[j]
    sents[i] = "".join(words)
    return "".join(sents)


def embed(copy: str, filler: list[str], rng: random.Random) -> str:
    """An editor's post with the copy in the middle: intro and outro from unrelated stories."""
    intro, outro = rng.sample(filler, 2)
    return f"编者按：{paragraphs(intro)[0]}\n{copy}\n{outro}"


def variants(story: dict, filler: list[str], rng: random.Random) -> dict[str, tuple[str, float]]:
    """name -> (draft body, share of the original's 8-grams the draft keeps)."""
    body = story["body"]
    out = {}

    def add(name: str, copy: str, embedded: bool = False):
        out[name] = (embed(copy, filler, rng) if embedded else copy, kept_of(body, copy))

    add("exact copy, title changed", body)
    add("paragraphs reordered", reorder(body, rng))
    add("one sentence rewritten", rewrite_sentence(body, rng))
    add("Traditional script", _S2T.convert(body))
    add("embedded in a longer draft", body, embedded=True)
    for keep in (0.8, 0.5, 0.3):
        add(f"trimmed to {keep:.0%}", trim(body, keep))
    add("trimmed 60% + reordered + rewritten + embedded", rewrite_sentence(reorder(trim(body, 0.6), rng), rng), embedded=True)
    return out


def kept_of(original: str, draft: str) -> float:
    """Share of the original's 8-grams still in the draft (what 'keeping x% of the text' means)."""
    o = np.unique(shingle_hashes(content_chars(original)[0]))
    d = np.unique(shingle_hashes(content_chars(draft)[0]))
    return float(np.isin(o, d).mean()) if len(o) else 0.0


# -- libraries -------------------------------------------------------------------------------


def synthesize(pool: list[str], count: int, rng: random.Random):
    for i in range(count):
        body = "\n".join(rng.choice(pool) for _ in range(rng.randint(2, 5)))
        yield f"synthetic-{i}", f"合成文档{i}", body


def percentile(values: list[float], p: float) -> float:
    return float(np.percentile(np.array(values), p)) if values else float("nan")


# -- baselines -------------------------------------------------------------------------------


class MinHashBaseline:
    """datasketch MinHash(128) + LSH on the same 8-gram shingles; ranked by estimated Jaccard."""

    def __init__(self, records, threshold: float):
        from datasketch import MinHash, MinHashLSH

        self.MinHash = MinHash
        self.lsh = MinHashLSH(threshold=threshold, num_perm=128)
        self.sigs = {}
        for doc_id, _, body in records:
            m = self._minhash(body)
            self.sigs[doc_id] = m
            self.lsh.insert(doc_id, m)

    def _minhash(self, text):
        m = self.MinHash(num_perm=128)
        h = np.unique(shingle_hashes(content_chars(text)[0]))
        m.update_batch([int(x).to_bytes(8, "little") for x in h])
        return m

    def top1(self, text):
        q = self._minhash(text)
        cands = self.lsh.query(q)
        return max(cands, key=lambda c: q.jaccard(self.sigs[c])) if cands else None


class SimHashBaseline:
    """64-bit SimHash over 8-gram shingles; nearest by Hamming distance, within `max_distance`."""

    def __init__(self, records, max_distance: int):
        self.ids, sigs = [], []
        for doc_id, _, body in records:
            self.ids.append(doc_id)
            sigs.append(self._simhash(body))
        self.sigs = np.array(sigs, dtype=np.uint64)
        self.max_distance = max_distance

    @staticmethod
    def _simhash(text) -> int:
        h = np.unique(shingle_hashes(content_chars(text)[0]))
        if not len(h):
            return 0
        bits = ((h[:, None] >> np.arange(64, dtype=np.uint64)) & np.uint64(1)).astype(np.int32)
        votes = (2 * bits - 1).sum(axis=0)
        return int(sum(1 << i for i in range(64) if votes[i] > 0))

    def top1(self, text):
        x = np.bitwise_xor(self.sigs, np.uint64(self._simhash(text)))
        dist = np.unpackbits(x.view(np.uint8).reshape(-1, 8), axis=1).sum(axis=1)
        i = int(dist.argmin())
        return self.ids[i] if dist[i] <= self.max_distance else None


# -- the run ---------------------------------------------------------------------------------


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", required=True, type=Path, help="directory with xwlb_stories.jsonl (news_originals)")
    parser.add_argument("--sizes", default="10000,100000", help="library sizes, comma-separated")
    parser.add_argument("--queries", type=int, default=300, help="library stories copied per run")
    parser.add_argument("--heldout", type=int, default=1000, help="stories kept out of the library as unrelated drafts")
    parser.add_argument("--boilerplate-factor", type=float, default=None,
                        help="OriginalsIndex boilerplate_factor (default: the index's own; 0 turns boilerplate scoring off)")
    parser.add_argument("--baselines", action="store_true", help="also measure MinHash LSH and SimHash at the first size")
    args = parser.parse_args(argv)

    rng = random.Random(SEED)
    stories, reports = load(args.data)
    rng.shuffle(stories)
    heldout, library_stories = stories[: args.heldout], stories[args.heldout :]
    real = [(s["id"], s["title"], s["body"]) for s in library_stories] + [(r["id"], r["title"], r["body"]) for r in reports]
    pool = [p for _, _, body in real for p in paragraphs(body) if clean_len(p) >= 20]
    unrelated = heldout[: len(heldout) // 2]
    # The text around an embedded copy must not itself copy a library article (some stories
    # re-broadcast a government work report), or "the original" of the draft is ambiguous.
    real_only = OriginalsIndex.from_records(real, boilerplate_factor=None)  # independent of the index under test
    filler = [s["body"] for s in heldout[len(heldout) // 2 :] if not real_only.query(s["body"], min_share=0.1)]
    del real_only
    targets = rng.sample([s for s in library_stories if clean_len(s["body"]) >= 150], args.queries)
    queries = []  # (variant, original id, draft, kept share)
    for story in targets:
        for name, (draft, kept) in variants(story, filler, rng).items():
            queries.append((name, story["id"], draft, kept))

    rule = build_check(Resources())  # the check's own definition of "copied" (wordlists/repost.toml)
    t = rule.settings
    copy_share = (f"{t.copy_share} of the original (unless a quotation: < {t.quotation_share} of the draft and "
                  f"< {t.quotation_chars} chars), or excerpt {t.excerpt_share} of the draft and >= {t.excerpt_min_chars} chars; "
                  "not the same template with other figures")
    print(f"data: {args.data}; library: {len(real)} real articles ({len(library_stories)} stories, {len(reports)} reports); "
          f"{len(targets)} copied stories x {len(queries) // len(targets)} edits; {len(unrelated)} held-out unrelated stories; "
          f"copied = {copy_share}\n")

    def top1(check, text):
        matches = check.copies(Field("body", text), declared=False)  # the queries declare no repost
        return matches[0].id if matches else None

    def top1_at(check, text, copy_share):
        """top-1 under another copy_share (every other rule of the check unchanged), for the sweep."""
        swept = RepostCheck(check.approved, dataclasses.replace(check.settings, copy_share=copy_share), check.originals)
        return top1(swept, text)

    sweep_values = (0.5, 0.6, 0.7, 0.8)

    results = {}
    for size in [int(s) for s in args.sizes.split(",")]:
        gc.collect()
        t0 = time.perf_counter()
        index_options = {} if args.boilerplate_factor is None else {"boilerplate_factor": args.boilerplate_factor or None}
        index = OriginalsIndex.from_records(real + list(synthesize(pool, max(0, size - len(real)), random.Random(size))), **index_options)
        build = time.perf_counter() - t0
        check = build_check(Resources(services={"originals": index}))
        hits: dict[str, list[bool]] = {}
        latencies = []
        for _, _, draft, _ in queries[:50]:  # warm-up: first-touch costs are not query latency
            index.query(draft)
        for name, oid, draft, kept in queries:
            t = time.perf_counter()
            got = top1(check, draft)
            latencies.append((time.perf_counter() - t) * 1000)
            hits.setdefault(name, []).append(got == oid)
        kept50 = [top1(check, d) == oid for _, oid, d, k in queries if k >= 0.5]
        false = [(s, top1(check, s["body"])) for s in unrelated]
        sweep = {}
        for v in sweep_values:
            sweep[v] = (np.mean([top1_at(check, d, v) == oid for _, oid, d, k in queries if k >= 0.5]),
                        sum(top1_at(check, s["body"], v) is not None for s in unrelated))
        false_examples = [(s["title"], index.get(got)[0]) for s, got in false if got is not None]
        docs = [Document.build("标题", d) for _, _, d, _ in queries[:: max(1, len(queries) // 300)]]
        check_ms = []
        for doc in docs:
            t = time.perf_counter()
            check.check(doc)
            check_ms.append((time.perf_counter() - t) * 1000)
        results[size] = dict(
            build=build, hits=hits, sweep=sweep, kept50=kept50, false=len(false_examples), n_false=len(false), false_examples=false_examples,
            p50=percentile(latencies, 50), p95=percentile(latencies, 95),
            check_p50=percentile(check_ms, 50), check_p95=percentile(check_ms, 95), n=len(index),
        )
        r = results[size]
        print(f"size {len(index)}: built in {build:.1f} s; recall@1 (kept >= 50%) {np.mean(kept50):.3f} "
              f"({sum(kept50)}/{len(kept50)}); false matches {r['false']}/{r['n_false']}; "
              f"query p50 {r['p50']:.2f} ms p95 {r['p95']:.2f} ms; check p50 {r['check_p50']:.2f} ms p95 {r['check_p95']:.2f} ms")
        del index, check
    sizes = list(results)

    kept_by_variant = {}
    for name, _, _, kept in queries:
        kept_by_variant.setdefault(name, []).append(kept)
    print("\n| edit | kept of original (median) | " + " | ".join(f"recall@1, {results[s]['n']:,} docs" for s in sizes) + " |")
    print("|---|---:|" + "---:|" * len(sizes))
    for name in kept_by_variant:
        cells = " | ".join(f"{np.mean(results[s]['hits'][name]):.3f}" for s in sizes)
        print(f"| {name} | {statistics.median(kept_by_variant[name]):.2f} | {cells} |")
    print("| **all copies keeping >= 50%** | | " + " | ".join(f"**{np.mean(results[s]['kept50']):.3f}**" for s in sizes) + " |")
    print("| false matches on unrelated stories | | " + " | ".join(
        f"{results[s]['false']}/{results[s]['n_false']} ({results[s]['false'] / results[s]['n_false']:.1%})" for s in sizes) + " |")
    print("| index query p50 / p95 (ms) | | " + " | ".join(f"{results[s]['p50']:.2f} / {results[s]['p95']:.2f}" for s in sizes) + " |")
    print("| whole repost check p50 / p95 (ms) | | " + " | ".join(f"{results[s]['check_p50']:.2f} / {results[s]['check_p95']:.2f}" for s in sizes) + " |")
    print("| index build (s) | | " + " | ".join(f"{results[s]['build']:.1f}" for s in sizes) + " |")
    print("\nThreshold sweep (copy_share in wordlists/repost.toml; recall@1 on copies keeping >= 50% / false matches):\n")
    print("| copy_share | " + " | ".join(f"{results[s]['n']:,} docs" for s in sizes) + " |")
    print("|---:|" + "---|" * len(sizes))
    for v in sweep_values:
        print(f"| {v} | " + " | ".join(
            f"{results[s]['sweep'][v][0]:.3f} / {results[s]['sweep'][v][1]}/{results[s]['n_false']}" for s in sizes) + " |")
    print(f"\nHeld-out stories matched at {results[sizes[-1]]['n']:,} docs (draft title <- library title):")
    for draft_title, library_title in results[sizes[-1]]["false_examples"]:
        print(f"- {draft_title} <- {library_title}")

    if args.baselines:
        size = sizes[0]
        records = real + list(synthesize(pool, max(0, size - len(real)), random.Random(size)))
        print(f"\nBaselines at {len(records):,} docs (same queries, same 8-gram shingles):\n")
        print("| method | recall@1, kept >= 50% | recall@1, trimmed to 50% | recall@1, embedded | false matches | query p50 / p95 (ms) |")
        print("|---|---:|---:|---:|---:|---:|")
        for label, make in (
            ("MinHash(128) LSH, threshold 0.5", lambda: MinHashBaseline(records, 0.5)),
            ("MinHash(128) LSH, threshold 0.3", lambda: MinHashBaseline(records, 0.3)),
            ("SimHash 64-bit, Hamming <= 3", lambda: SimHashBaseline(records, 3)),
            ("SimHash 64-bit, Hamming <= 10", lambda: SimHashBaseline(records, 10)),
        ):
            method = make()
            lat, per = [], {}
            for name, oid, draft, kept in queries:
                t = time.perf_counter()
                got = method.top1(draft)
                lat.append((time.perf_counter() - t) * 1000)
                per.setdefault(name, []).append((got == oid, kept))
            k50 = [ok for v in per.values() for ok, k in v if k >= 0.5]
            fm = sum(method.top1(s["body"]) is not None for s in unrelated)
            t50 = np.mean([ok for ok, _ in per["trimmed to 50%"]])
            emb = np.mean([ok for ok, _ in per["embedded in a longer draft"]])
            print(f"| {label} | {np.mean(k50):.3f} | {t50:.3f} | {emb:.3f} | {fm}/{len(unrelated)} | "
                  f"{percentile(lat, 50):.2f} / {percentile(lat, 95):.2f} |")
        r = results[size]
        print(f"| this index (sampled 8-grams, containment) | {np.mean(r['kept50']):.3f} | "
              f"{np.mean(r['hits']['trimmed to 50%']):.3f} | {np.mean(r['hits']['embedded in a longer draft']):.3f} | "
              f"{r['false']}/{r['n_false']} | {r['p50']:.2f} / {r['p95']:.2f} |")


if __name__ == "__main__":
    main()
