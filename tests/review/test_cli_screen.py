"""`review screen`: one draft, or JSON lines streamed one result per input."""
from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from review.cli import cli


@pytest.fixture
def runner():
    return CliRunner()


def test_screen_a_file_with_title(runner, tmp_path):
    draft = tmp_path / "draft.txt"
    draft.write_text("本平台提供网上赌博服务。", encoding="utf-8")
    result = runner.invoke(cli, ["screen", str(draft), "--title", "地震速报"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["id"] is None
    assert data["sensitivity"] == "blocked"
    assert data["route"] == ["editor", "dept_head", "leader"]
    checks = {(f["check"], f["category"], f["field"]) for f in data["findings"]}
    assert ("prohibited", "gambling", "body") in checks
    assert ("sensitive_topic", "disaster", "title") in checks
    assert set(data["versions"]) == {"wordlists", "models"}
    assert set(data["deidentified"]) == {"title", "body"}


def test_screen_reads_stdin(runner):
    result = runner.invoke(cli, ["screen", "-"], input="今晨我市发生地震。")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["sensitivity"] == "important"


def test_screen_defaults_to_stdin_and_prints_chinese_unescaped(runner):
    result = runner.invoke(cli, ["screen"], input="网上賭博")
    assert result.exit_code == 0
    assert "賭博" in result.stdout


def test_screen_empty_draft(runner):
    result = runner.invoke(cli, ["screen", "-"], input="")
    assert result.exit_code == 0
    data = json.loads(result.stdout)
    assert data["sensitivity"] == "general" and data["findings"] == []


def test_jsonl_streams_one_line_per_record_and_echoes_ids(runner, tmp_path):
    records = [
        {"id": "a1", "title": "通知", "body": "本平台提供网上赌博服务。"},
        {"id": 2, "title": "", "body": "今晨我市发生地震。", "disclosure": True},
        {"id": "c", "body": "市图书馆举办读书分享会。", "repost": {"source": "新华社"}},
    ]
    path = tmp_path / "in.jsonl"
    path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in records) + "\n", encoding="utf-8")
    result = runner.invoke(cli, ["screen", "--jsonl", str(path)])
    assert result.exit_code == 0, result.output
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert [line["id"] for line in lines] == ["a1", 2, "c"]
    assert [line["sensitivity"] for line in lines][:2] == ["blocked", "important"]


def test_jsonl_from_stdin(runner):
    result = runner.invoke(cli, ["screen", "--jsonl", "-"], input='{"id": "x", "title": "", "body": "疫情通报"}\n')
    assert result.exit_code == 0
    assert json.loads(result.stdout)["id"] == "x"


def test_jsonl_malformed_line_is_reported_and_the_rest_still_screened(runner):
    lines = [
        '{"id": 1, "title": "", "body": "网上赌博"}',
        '{"id": 2, "title": "", "body": "缺右括号"',
        "",
        '["not", "an", "object"]',
        '{"id": 5, "title": "", "body": "地震"}',
        '{"id": 6, "title": 7, "body": "标题不是字符串"}',
    ]
    result = runner.invoke(cli, ["screen", "--jsonl", "-"], input="\n".join(lines) + "\n")
    assert result.exit_code == 1
    assert [json.loads(line)["id"] for line in result.stdout.splitlines()] == [1, 5]
    assert "line 2: invalid JSON" in result.stderr
    assert "line 4: expected a JSON object" in result.stderr
    assert 'line 6: "title" must be a string' in result.stderr
    assert "line 3" not in result.stderr  # blank lines are skipped, not errors
    assert "3 line(s) could not be screened" in result.stderr


def test_jsonl_missing_body_is_an_error(runner):
    result = runner.invoke(cli, ["screen", "--jsonl", "-"], input='{"id": 1, "title": "只有标题"}\n')
    assert result.exit_code == 1
    assert 'line 1: missing "body"' in result.stderr


def test_python_api_returns_the_same_data_as_the_cli(runner):
    from classifiers import screen

    result = runner.invoke(cli, ["screen", "-", "--title", "通知"], input="网上赌博")
    cli_data = json.loads(result.stdout)
    cli_data.pop("id")
    assert cli_data == screen("通知", "网上赌博")


def test_file_and_jsonl_together_is_a_usage_error(runner, tmp_path):
    draft = tmp_path / "d.txt"
    draft.write_text("正文", encoding="utf-8")
    result = runner.invoke(cli, ["screen", str(draft), "--jsonl", "-"], input="")
    assert result.exit_code == 2
    assert "not both" in result.stderr


def test_every_command_is_listed_for_lazy_loading():
    import importlib

    import review.cli as cli_package

    for module in set(cli_package.COMMANDS.values()):
        importlib.import_module(module)
    assert sorted(cli.commands) == sorted(cli_package.COMMANDS)


def test_review_screen_imports_no_database_or_web_code(tmp_path):
    import subprocess
    import sys

    draft = tmp_path / "draft.txt"
    draft.write_text("社区图书馆周末照常开放。", encoding="utf-8")
    code = ("import sys; from review.cli import main; sys.argv = ['review', 'screen', sys.argv[1]]\n"
            "try:\n    main()\nexcept SystemExit:\n    pass\n"
            "print(sorted(m for m in ('sqlalchemy', 'flask', 'alembic', 'rq') if m in sys.modules), file=sys.stderr)")
    done = subprocess.run([sys.executable, "-c", code, str(draft)], capture_output=True, text=True, check=True)
    assert json.loads(done.stdout)["sensitivity"] == "general"
    assert done.stderr.strip().splitlines()[-1] == "[]"
