"""Shared pieces of the command line: the runtime, and turning domain errors into exit codes."""
from __future__ import annotations

import functools
import sys

import click

from ..config import Config
from ..errors import ReviewError
from ..runtime import Runtime


def open_runtime() -> Runtime:
    return Runtime(Config.from_env())


def domain_errors(fn):
    """A clear Chinese message on stderr and exit status 1, instead of a traceback."""

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        try:
            return fn(*args, **kwargs)
        except ReviewError as exc:
            click.echo(f"错误：{exc.message}", err=True)
            sys.exit(1)

    return wrapper
