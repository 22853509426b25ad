"""The Screener's tokenizer: jieba's dictionary and algorithm (jieba-rs, through rjieba), one
instance per Screener, so wordlist terms join that Screener's dictionary and no other.

jieba itself stays the reference: tests/classifiers/test_tokenize.py and
benchmarks/screen_throughput.py compare the two. Word frequencies and dictionary tags (which the
person-name rules read) come from `Dictionary`, jieba's dict.txt precomputed by
scripts/build_dictionary.py into models/jieba_dictionary.bin, loaded once and never changed.
"""
from __future__ import annotations

import hashlib
import importlib.machinery
import importlib.util
import marshal
import sys
import threading
import zlib
from pathlib import Path
from typing import Iterable, NamedTuple

import numpy as np

DICTIONARY_FILE = Path(__file__).resolve().parent / "models" / "jieba_dictionary.bin"
DICTIONARY_FORMAT = "sanshen-jieba-dictionary/1"


_module_lock = threading.Lock()


def _jieba_class():
    """rjieba's Jieba class. `import rjieba` builds a module-level default instance (jieba's whole
    dictionary: ~0.25 s and ~30 MB) that the screener never uses, so the compiled module is loaded
    on its own and registered where the package would put it (a later `import rjieba` reuses it)."""
    with _module_lock:
        if "rjieba.rjieba" not in sys.modules:
            spec = importlib.util.find_spec("rjieba")
            if spec is None or not spec.submodule_search_locations:
                raise ImportError("rjieba is not installed (pip install rjieba)")
            directory = Path(next(iter(spec.submodule_search_locations)))
            path = next(p for suffix in importlib.machinery.EXTENSION_SUFFIXES if (p := directory / f"rjieba{suffix}").exists())
            loader = importlib.machinery.ExtensionFileLoader("rjieba.rjieba", str(path))
            module = importlib.util.module_from_spec(importlib.util.spec_from_loader("rjieba.rjieba", loader))
            loader.exec_module(module)
            sys.modules["rjieba.rjieba"] = module
    return sys.modules["rjieba.rjieba"].Jieba


class Token(NamedTuple):
    word: str
    start: int  # offsets into the text that was tokenized (a field's `normalized`)
    end: int
    pos: str  # jieba's part-of-speech tag ("n", "nr", "v", …; "x" for punctuation; "" for a wordlist term)


class Tokens:
    """The tokens of one text as parallel columns (building a Python object per token would cost
    more than segmenting): `words`, `tags` (part of speech), `starts` and `ends` (numpy, offsets
    into the text). Iterating or indexing gives `Token`s."""

    def __init__(self, tagged: list[tuple[str, str]]):
        self.words, self.tags = zip(*tagged) if tagged else ((), ())
        lengths = np.fromiter(map(len, self.words), dtype=np.int64, count=len(self.words))
        self.ends = np.cumsum(lengths)
        self.starts = self.ends - lengths

    def __len__(self) -> int:
        return len(self.words)

    def __getitem__(self, i: int) -> Token:
        return Token(self.words[i], int(self.starts[i]), int(self.ends[i]), self.tags[i])

    def __iter__(self):
        return map(Token, self.words, self.starts.tolist(), self.ends.tolist(), self.tags)

    def index_at(self, offset: int) -> int:
        """Which token holds the character at `offset`."""
        return int(np.searchsorted(self.ends, offset, side="right"))


class DictionaryError(RuntimeError):
    """The precomputed dictionary is missing or stale; the message says how to rebuild it."""


class Dictionary:
    """jieba's dictionary as data, one plain dict (loads faster than two): `packed[word]` is the
    word's count << 6 | its tag's number in `tag_names` (0: none). As in jieba's own FREQ, every
    prefix of a word is there with count 0, so `prefix in packed` says whether a word may start so."""

    def __init__(self, packed: dict[str, int], tag_names: list[str], given_name_rates: dict):
        self.packed = packed
        self.tag_names = [None, *tag_names]
        self.given_name_rates = given_name_rates  # {"surnames": digest, "rates": {char: rate}}

    @classmethod
    def load(cls, path: Path = DICTIONARY_FILE) -> "Dictionary":
        rebuild = "rebuild it with `python scripts/build_dictionary.py` (see docs/screening.md)"
        try:
            data = marshal.loads(zlib.decompress(path.read_bytes()))
        except FileNotFoundError:
            raise DictionaryError(f"dictionary not found at {path}; {rebuild}") from None
        except (OSError, ValueError, EOFError, zlib.error) as exc:
            raise DictionaryError(f"dictionary at {path} cannot be read ({exc}); {rebuild}") from None
        if not isinstance(data, dict) or data.get("format") != DICTIONARY_FORMAT:
            raise DictionaryError(f"dictionary at {path} is not in format {DICTIONARY_FORMAT!r}; {rebuild}")
        return cls(data["packed"], data["tag_names"], data["given_name_rates"])

    def count(self, word: str) -> int:
        return self.packed.get(word, 0) >> 6

    def tag(self, word: str) -> str | None:
        return self.tag_names[self.packed.get(word, 0) & 63]

    def counts(self):
        """(word, count) for every word the dictionary counts (prefixes, with count 0, left out)."""
        return ((word, value >> 6) for word, value in self.packed.items() if value >> 6)

    def tagged(self):
        """(word, tag) for every word that has a tag."""
        names = self.tag_names
        return ((word, names[value & 63]) for word, value in self.packed.items() if value & 63)


class Once:
    """A value built on first use, once per process even when threads ask at the same time."""

    def __init__(self, build):
        self._build = build
        self._value = None
        self._lock = threading.Lock()

    def __call__(self):
        if self._value is None:
            with self._lock:
                if self._value is None:
                    self._value = self._build()
        return self._value


# The shared dictionary, loaded once per process; read-only, so sharing it is safe.
dictionary = Once(Dictionary.load)


def surnames_digest(single: Iterable[str]) -> str:
    """Which surname list precomputed name rates belong to (see pii_name_model.given_name_rates)."""
    return hashlib.sha256("\n".join(sorted(single)).encode("utf-8")).hexdigest()[:16]


class Tokenizer:
    """jieba's dictionary plus the words a Screener adds (wordlist terms, kept whole so that
    their edges are word boundaries). Words are added only while the Screener loads; after
    that the tokenizer is read-only and safe to share between threads."""

    def __init__(self, words: Iterable[str] = ()):
        self._jieba = _jieba_class()()
        self.dictionary = dictionary()
        self._packed = self.dictionary.packed  # looked up tens of thousands of times per draft
        self._added: dict[str, int] = {}  # word -> count, for words and prefixes jieba lacks
        self.add_words(words)

    def add_words(self, words: Iterable[str]) -> None:
        for word in words:
            if word and not self.freq(word):
                # jieba (and jieba-rs) choose a count that keeps the word whole, as add_word does.
                self._added[word] = self._jieba.add_word(word, None, None)
                for k in range(1, len(word)):
                    self._added.setdefault(word[:k], 0)

    def tokens(self, text: str) -> Tokens:
        """Precise mode with HMM: every word with its offsets and part-of-speech tag."""
        return Tokens(self._jieba.tag(text, True))

    def cut(self, text: str) -> list[tuple[str, int, int]]:
        """(word, start, end) in precise mode with HMM, as jieba's `tokenize`."""
        return self._jieba.tokenize(text, "default", True)

    def __contains__(self, word: str) -> bool:
        return word in self._added or word in self._packed

    def freq(self, word: str) -> int:
        """The word's count (0 for a prefix of a word or a word neither jieba nor this tokenizer knows)."""
        return self._added.get(word) or self._packed.get(word, 0) >> 6

    def tag(self, word: str) -> str | None:
        """jieba's dictionary tag of the word (None if it has none; the words added here have none)."""
        return self.dictionary.tag(word)


# jieba's dictionary with no words added, shared; nothing may add words to it.
plain_tokenizer = Once(Tokenizer)
