"""Password rules beyond length and character kinds (004 7.1): no common password dressed up with
digits and symbols, none containing the username, none absurdly long (hashing cost)."""
from __future__ import annotations

import re
from functools import cache
from pathlib import Path

MIN_LENGTH = 10
MAX_LENGTH = 128
COMMON = Path(__file__).with_name("common_passwords.txt")
_KEYBOARD_ROWS = ("1234567890", "qwertyuiop", "asdfghjkl", "zxcvbnm", "abcdefghijklmnopqrstuvwxyz")


@cache
def common_bases() -> frozenset[str]:
    lines = COMMON.read_text(encoding="utf-8").splitlines()
    return frozenset(line.strip() for line in lines if line.strip() and not line.startswith("#"))


def _base(password: str) -> str:
    """The word under the decoration: lowercase, digits and symbols at either end removed."""
    return re.sub(r"^[\W\d_]+|[\W\d_]+$", "", password.lower())


def _is_run(text: str) -> bool:
    """A run along one keyboard row or the alphabet, forwards or backwards (qwerty, 4321)."""
    return len(text) >= 4 and any(text in row or text in row[::-1] for row in _KEYBOARD_ROWS)


def weakness(password: str, username: str = "") -> str | None:
    """Why the password is weak (Chinese, for the user), or None."""
    if len(password) > MAX_LENGTH:
        return f"密码不能超过 {MAX_LENGTH} 位"
    lowered = password.lower()
    base = _base(password)
    if lowered in common_bases() or base in common_bases() or _is_run(base) or _is_run(lowered):
        return "密码过于常见（常用词加数字或符号也容易被猜中），请换一个"
    if username and len(username) >= 3 and username.lower() in lowered:
        return "密码不能包含用户名"
    if len(set(password)) < 4:
        return "密码中重复字符过多"
    return None
