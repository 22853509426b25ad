"""Precompute jieba's dictionary as the screener reads it: classifiers/models/jieba_dictionary.bin.

    python scripts/build_dictionary.py

Reads dict.txt from the installed `jieba` package (the same dictionary rjieba segments with) and
writes every word's count and tag, every word prefix (count 0, as jieba's own FREQ holds them)
and the person-name character rates for the shipped surname list (pii_name_model.given_name_rates),
zlib-compressed marshal data (no code objects). Loading it takes a fraction of what building
jieba's cache and counting the name rates take at every start. Rebuild after upgrading jieba or
editing wordlists/pii/surnames.txt (a changed surname list still works: the rates are then
counted at load, about 2 s).
"""
from __future__ import annotations

import argparse
import hashlib
import marshal
import sys
import zlib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from classifiers.tokenize import DICTIONARY_FILE, DICTIONARY_FORMAT, Dictionary, surnames_digest  # noqa: E402


def read_jieba_dictionary() -> tuple[dict[str, int], list[str], str]:
    import jieba

    path = Path(jieba.__file__).resolve().parent / "dict.txt"
    raw = path.read_bytes()
    counts: dict[str, tuple[int, str]] = {}
    for lineno, line in enumerate(raw.decode("utf-8").splitlines(), 1):
        parts = line.split()
        if not parts:
            continue
        if len(parts) < 2 or not parts[1].isdigit():
            raise SystemExit(f"{path}:{lineno}: expected 'word count [tag]'")
        counts[parts[0]] = (int(parts[1]), parts[2] if len(parts) > 2 else "")
    tag_names = sorted({tag for _count, tag in counts.values() if tag})
    if len(tag_names) >= 63:
        raise SystemExit(f"{len(tag_names)} tags do not fit the 6-bit tag field")
    number = {tag: i + 1 for i, tag in enumerate(tag_names)}
    packed: dict[str, int] = {}
    for word, (count, tag) in counts.items():
        packed[word] = count << 6 | number.get(tag, 0)
        for k in range(1, len(word)):
            packed.setdefault(word[:k], 0)
    return packed, tag_names, hashlib.sha256(raw).hexdigest()[:16]


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", type=Path, default=DICTIONARY_FILE)
    args = parser.parse_args(argv)

    from classifiers.pii_name_model import count_given_name_rates
    from classifiers.pii_names import read_lines
    from classifiers.resources import Resources

    packed, tag_names, source = read_jieba_dictionary()
    single = frozenset(n for n in read_lines(Resources().read_text("pii/surnames.txt")) if len(n) == 1)
    rates = count_given_name_rates(Dictionary(packed, tag_names, {}), single)
    data = {
        "format": DICTIONARY_FORMAT,
        "source": f"jieba dict.txt sha256:{source}",
        "packed": packed,
        "tag_names": tag_names,
        "given_name_rates": {"surnames": surnames_digest(single), "rates": rates},
    }
    blob = zlib.compress(marshal.dumps(data), 9)
    args.out.write_bytes(blob)
    print(f"wrote {args.out} ({len(blob) / 1e6:.1f} MB): {len(packed)} words and prefixes, {len(tag_names)} tags, "
          f"{len(rates)} name rates, from {data['source']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
