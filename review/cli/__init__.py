"""`review` command line: one module per command group, each registering onto `cli`."""
from __future__ import annotations

import importlib

import click


@click.group(help="三审 (sanshen): pre-publication review for government new media.")
def cli():
    pass


# One line per command module; each defines its commands with @cli.command / @cli.group.
COMMAND_MODULES = [
    "review.cli.admin",
    "review.cli.model",
    "review.cli.ops",
    "review.cli.originals",
    "review.cli.roster",
    "review.cli.screen",
]

for _name in COMMAND_MODULES:
    importlib.import_module(_name)


def main():
    cli()
