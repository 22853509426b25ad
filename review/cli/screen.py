"""`review screen`: screen one draft, or a stream of drafts as JSON lines.

    review screen draft.txt --title "标题"        # one JSON object
    echo "正文" | review screen - --title "标题"
    review screen --jsonl drafts.jsonl            # {"id","title","body"[,"disclosure","repost"]} per line

Models and wordlists load once per process; --jsonl writes one result line per input line
as soon as it is screened. A malformed line is reported on stderr with its line number,
the other lines are still screened, and the exit status is 1 at the end.
"""
from __future__ import annotations

import json

import click

from classifiers.document import RepostInfo, ScreenOptions
from classifiers.engine import default_screener

from . import cli


def _result(screener, record_id, title: str, body: str, disclosure: bool = False, repost=None) -> dict:
    options = ScreenOptions(disclosure=disclosure, repost=RepostInfo.from_dict(repost))
    # "id" first: the contract echoes the caller's id (null for a single draft).
    return {"id": record_id, **screener.screen(title, body, options)}


def _dump(data: dict) -> str:
    return json.dumps(data, ensure_ascii=False)


class RecordError(ValueError):
    pass


def _parse_record(line: str) -> dict:
    try:
        record = json.loads(line)
    except json.JSONDecodeError as exc:
        raise RecordError(f"invalid JSON: {exc.msg} (column {exc.colno})") from None
    if not isinstance(record, dict):
        raise RecordError("expected a JSON object")
    for key in ("title", "body"):
        if not isinstance(record.get(key, ""), str):
            raise RecordError(f'"{key}" must be a string')
    if "body" not in record:
        raise RecordError('missing "body"')
    if not isinstance(record.get("disclosure", False), bool):
        raise RecordError('"disclosure" must be true or false')
    if record.get("repost") is not None and not isinstance(record["repost"], dict):
        raise RecordError('"repost" must be an object')
    return record


@cli.command("screen")
@click.argument("source", required=False, default="-", type=click.File("r", encoding="utf-8"))
@click.option("--title", default="", help="Draft title (single-draft mode).")
@click.option("--jsonl", "jsonl", type=click.File("r", encoding="utf-8"), default=None,
              help='Read JSON lines {"id","title","body"} from a file (- for stdin); one result line each.')
def screen_command(source, title: str, jsonl):
    """Screen a draft (FILE, or - / nothing for stdin) and print one JSON result.

    With --jsonl IN, screen one draft per JSON line and print one result line each."""
    if jsonl is not None and getattr(source, "name", "<stdin>") != "<stdin>":
        raise click.UsageError("give either FILE or --jsonl IN, not both")
    screener = default_screener()
    if jsonl is None:
        click.echo(_dump(_result(screener, None, title, source.read())))
        return
    failures = 0
    for lineno, line in enumerate(jsonl, 1):
        if not line.strip():
            continue
        try:
            record = _parse_record(line)
        except RecordError as exc:
            failures += 1
            click.echo(f"review screen: line {lineno}: {exc}", err=True)
            continue
        result = _result(screener, record.get("id"), record.get("title", ""), record["body"],
                         record.get("disclosure", False), record.get("repost"))
        click.echo(_dump(result))  # echo flushes: results stream as they are ready
    if failures:
        click.echo(f"review screen: {failures} line(s) could not be screened", err=True)
        raise click.exceptions.Exit(1)
