"""Where checks read their data: shipped files in wordlists/, overridable per deployment.

Administrators edit wordlists in the web app; those edits arrive here as `overrides`
(file name -> full text), so classifiers never touches the database itself.
"""
from __future__ import annotations

import hashlib
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

WORDLIST_DIR = Path(__file__).resolve().parent.parent / "wordlists"


@dataclass
class Resources:
    directory: Path = WORDLIST_DIR
    overrides: dict[str, str] = field(default_factory=dict)
    # Anything a check needs from outside (e.g. the repost originals index), by name.
    services: dict[str, Any] = field(default_factory=dict)

    def read_text(self, name: str) -> str:
        if name in self.overrides:
            return self.overrides[name]
        return (self.directory / name).read_text(encoding="utf-8")

    def exists(self, name: str) -> bool:
        return name in self.overrides or (self.directory / name).is_file()

    def names(self, pattern: str) -> list[str]:
        """File names matching a glob, shipped and overridden alike, sorted."""
        found = {p.relative_to(self.directory).as_posix() for p in self.directory.glob(pattern)}
        found.update(n for n in self.overrides if Path(n).match(pattern))
        return sorted(found)

    def read_toml(self, name: str) -> dict:
        return tomllib.loads(self.read_text(name))

    def version(self) -> str:
        """Content hash of every data file, so a result says exactly which lists produced it."""
        digest = hashlib.sha256()
        for name in self.names("**/*"):
            if self.exists(name):
                digest.update(name.encode())
                digest.update(self.read_text(name).encode("utf-8"))
        return digest.hexdigest()[:12]
