"""One jieba tokenizer per process, loaded once; wordlist terms join its dictionary."""
from __future__ import annotations

import logging
import threading

import jieba

jieba.setLogLevel(logging.WARNING)

_lock = threading.Lock()
_tokenizer: jieba.Tokenizer | None = None


def tokenizer() -> jieba.Tokenizer:
    global _tokenizer
    if _tokenizer is None:
        with _lock:
            if _tokenizer is None:
                t = jieba.Tokenizer()
                t.initialize()
                _tokenizer = t
    return _tokenizer


def add_words(words) -> None:
    """Add words to the dictionary once. Re-adding is skipped: jieba's add_word adds the
    word's frequency to its running total every time, so reloading a Screener would
    otherwise drift every segmentation in the process."""
    t = tokenizer()
    with _lock:
        for word in words:
            if word and not t.FREQ.get(word):
                t.add_word(word)


def tokenize(text: str) -> list[tuple[str, int, int]]:
    """Precise-mode jieba tokens as (word, start, end)."""
    return list(tokenizer().tokenize(text, HMM=True))
