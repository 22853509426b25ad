"""`review` command line: one module per command group, each registering onto `cli`.

A command's module is imported only when that command runs (click's lazy-loading pattern), so
`review screen` never imports the database, web and migration stack: its start-up is the
screener's load alone.
"""
from __future__ import annotations

import importlib

import click

# Command name -> the module that defines it with @cli.command / @cli.group.
COMMANDS = {
    "db": "review.cli.admin",
    "dept": "review.cli.admin",
    "user": "review.cli.admin",
    "token": "review.cli.admin",
    "model": "review.cli.model",
    "serve": "review.cli.ops",
    "worker": "review.cli.ops",
    "demo": "review.cli.ops",
    "rescreen": "review.cli.ops",
    "deadlines": "review.cli.ops",
    "audit": "review.cli.ops",
    "originals": "review.cli.originals",
    "channel": "review.cli.publishing",
    "publications": "review.cli.publishing",
    "patrol": "review.cli.publishing",
    "roster": "review.cli.roster",
    "screen": "review.cli.screen",
}


class LazyGroup(click.Group):
    def list_commands(self, ctx):
        return sorted(COMMANDS)

    def get_command(self, ctx, name):
        if name in COMMANDS and name not in self.commands:
            importlib.import_module(COMMANDS[name])
        return super().get_command(ctx, name)


@click.group(cls=LazyGroup, help="三审 (sanshen): pre-publication review for government new media.")
def cli():
    pass


def main():
    cli()
