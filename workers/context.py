"""The worker process's one Runtime, built once so jieba and models load once, not per job."""
from __future__ import annotations

from review.config import Config
from review.runtime import Runtime

_runtime: Runtime | None = None


def runtime() -> Runtime:
    global _runtime
    if _runtime is None:
        _runtime = Runtime(Config.from_env())
    return _runtime


def use(runtime_: Runtime) -> None:
    global _runtime
    _runtime = runtime_
