"""The Screener's tokenizer: jieba's dictionary and algorithm (jieba-rs, through rjieba), one
instance per Screener, so wordlist terms join that Screener's dictionary and no other.

jieba itself stays the reference: tests/classifiers/test_tokenize.py and
benchmarks/screen_throughput.py compare the two. Word frequencies and dictionary tags (which the
person-name rules read) come from `Dictionary`, jieba's dict.txt precomputed by
scripts/build_dictionary.py into models/jieba_dictionary.bin, loaded once and never changed.
"""
from __future__ import annotations

import hashlib
import marshal
import threading
import zlib
from pathlib import Path
from typing import Iterable, NamedTuple

import rjieba

DICTIONARY_FILE = Path(__file__).resolve().parent / "models" / "jieba_dictionary.bin"
DICTIONARY_FORMAT = "sanshen-jieba-dictionary/1"


class Token(NamedTuple):
    word: str
    start: int  # offsets into the text that was tokenized (a field's `normalized`)
    end: int
    pos: str  # jieba's part-of-speech tag ("n", "nr", "v", …; "x" for punctuation; "" for a wordlist term)


class DictionaryError(RuntimeError):
    """The precomputed dictionary is missing or stale; the message says how to rebuild it."""


class Dictionary:
    """jieba's dictionary as data: each word's count and tag, and (as in jieba's own FREQ) every
    prefix of a word with count 0, so `prefix in dictionary` says whether a word may start so."""

    def __init__(self, entries: dict[str, int], tags: list[str], given_name_rates: dict):
        self._entries = entries  # word -> count << 6 | tag index (0: no tag, a prefix only)
        self._tags = tags
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
        return cls(data["entries"], data["tags"], data["given_name_rates"])

    def __contains__(self, word: str) -> bool:
        return word in self._entries

    def freq(self, word: str) -> int:
        """jieba's count of the word (0 for a prefix of a word or a word it does not know)."""
        return self._entries.get(word, 0) >> 6

    def tag(self, word: str) -> str | None:
        """jieba's dictionary tag of the word (None if it is not a dictionary word)."""
        packed = self._entries.get(word, 0) & 63
        return self._tags[packed - 1] if packed else None

    def tagged_words(self) -> Iterable[tuple[str, str]]:
        for word, packed in self._entries.items():
            if packed & 63:
                yield word, self._tags[(packed & 63) - 1]


_dictionary: Dictionary | None = None
_dictionary_lock = threading.Lock()


def dictionary() -> Dictionary:
    """The shared dictionary, loaded once per process; read-only, so sharing it is safe."""
    global _dictionary
    if _dictionary is None:
        with _dictionary_lock:
            if _dictionary is None:
                _dictionary = Dictionary.load()
    return _dictionary


def surnames_digest(single: Iterable[str]) -> str:
    """Which surname list precomputed name rates belong to (see pii_name_model.given_name_rates)."""
    return hashlib.sha256("\n".join(sorted(single)).encode("utf-8")).hexdigest()[:16]


class Tokenizer:
    """jieba's dictionary plus the words a Screener adds (wordlist terms, kept whole so that
    their edges are word boundaries). Words are added only while the Screener loads; after
    that the tokenizer is read-only and safe to share between threads."""

    def __init__(self, words: Iterable[str] = ()):
        self._jieba = rjieba.Jieba()
        self.dictionary = dictionary()
        self._added: dict[str, int] = {}  # word -> count, for words and prefixes jieba lacks
        self.add_words(words)

    def add_words(self, words: Iterable[str]) -> None:
        for word in words:
            if word and not self.freq(word):
                # jieba (and jieba-rs) choose a count that keeps the word whole, as add_word does.
                self._added[word] = self._jieba.add_word(word, None, None)
                for k in range(1, len(word)):
                    self._added.setdefault(word[:k], 0)

    def tokens(self, text: str) -> list[Token]:
        """Precise mode with HMM, each word with its offsets and part-of-speech tag."""
        tokens = []
        start = 0
        for word, pos in self._jieba.tag(text, True):
            end = start + len(word)
            tokens.append(Token(word, start, end, pos))
            start = end
        return tokens

    def cut(self, text: str) -> list[tuple[str, int, int]]:
        """(word, start, end) in precise mode with HMM, as jieba's `tokenize`."""
        return self._jieba.tokenize(text, "default", True)

    def __contains__(self, word: str) -> bool:
        return word in self._added or word in self.dictionary

    def freq(self, word: str) -> int:
        return self._added.get(word) or self.dictionary.freq(word)

    def tag(self, word: str) -> str | None:
        return self.dictionary.tag(word)


_plain: Tokenizer | None = None
_plain_lock = threading.Lock()


def plain_tokenizer() -> Tokenizer:
    """jieba's dictionary with no words added, shared; nothing may add words to it."""
    global _plain
    if _plain is None:
        with _plain_lock:
            if _plain is None:
                _plain = Tokenizer()
    return _plain
