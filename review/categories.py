"""Wordlist categories as administrators see them: a Chinese name, what happens to a match, the
rule, the message, and the terms — not a file of `@` lines. And, before a change is saved, how many
documents it would flag: the office's recent drafts and the shipped government corpus.

A category file is still the one format classifiers/lexicon.py reads (wordlists/README.md); this
module splits it into fields and joins them back, keeping the file's leading comments.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from classifiers import Document, Resources
from classifiers.lexicon import Lexicon, WordlistCheck, WordlistError, parse_wordlist

from .errors import InvalidInput
from .models import Draft, Revision, WordlistOverride

CHECKS = {"prohibited": "prohibited", "sensitive": "sensitive_topic"}
GROUP_LABELS = {"prohibited": "禁止发布类别", "sensitive": "敏感事项类别（须主要领导审签）"}
# The actions an administrator chooses from, in words (classifiers.findings.ACTIONS).
ACTION_CHOICES = {"block": "禁止发布（退回作者）", "escalate": "须主要领导审签", "warn": "仅提示审核人"}
OTHER_FILES = {
    "approved_sources.tsv": "核准稿源名单", "citations.tsv": "规定依据对照表", "context.txt": "保护性语境词（打击、辟谣等）",
    "policy.toml": "审签路由（各敏感级别由哪些环节签批）", "repost.toml": "转载检查参数", "ad.toml": "商业广告检查参数",
}
RECENT_DRAFTS = 200
CATEGORY_ID = re.compile(r"[a-z][a-z0-9_]{1,39}")
CORPUS = Path(__file__).resolve().parents[1] / "classifiers" / "data" / "ad_gov.tsv"


@dataclass
class CategoryForm:
    name: str = ""
    action: str = "block"
    rule: str = ""
    message: str = ""
    context: bool = False
    terms: str = ""  # one entry a line, as in the file (term | weight | note, !exception)
    comments: str = ""  # the file's leading # lines, kept as they are


def is_category(name: str) -> bool:
    parts = name.split("/")
    return len(parts) == 2 and parts[0] in CHECKS and parts[1].endswith(".txt")


def is_new_category(name: str) -> bool:
    """A name an administrator may give a category they add: its group's folder and a short id
    (the id is what findings report as their category; the Chinese name is what people see)."""
    return is_category(name) and bool(CATEGORY_ID.fullmatch(name.split("/")[1][: -len(".txt")]))


def new_category_name(group: str, category_id: str) -> str:
    name = f"{group}/{(category_id or '').strip().lower()}.txt"
    if group not in CHECKS or not is_new_category(name):
        raise InvalidInput("类别标识须为 2–40 位小写英文字母、数字或下划线，以字母开头，如 fake_charity")
    return name


def split(text: str) -> CategoryForm:
    form, comments, terms = CategoryForm(), [], []
    for line in text.splitlines():
        stripped = line.strip()
        if stripped.startswith("@"):
            key, _, value = stripped[1:].partition(" ")
            value = value.strip()
            if key == "context":
                form.context = value == "on"
            elif key in ("name", "action", "rule", "message"):
                setattr(form, key, value)
        elif stripped.startswith("#") and not terms:
            comments.append(line)
        elif stripped:
            terms.append(line)
    form.comments, form.terms = "\n".join(comments), "\n".join(terms)
    return form


def join(form: CategoryForm) -> str:
    for value, label in ((form.name, "类别名称"), (form.message, "提示说明")):
        if not value.strip() or "\n" in value:
            raise InvalidInput(f"{label}不能为空，且只能写一行")
    if form.action not in ACTION_CHOICES:
        raise InvalidInput("请选择命中后的处理方式")
    if "\n" in form.rule:
        raise InvalidInput("依据条款只能写一行")
    lines = [form.comments] if form.comments.strip() else []
    lines += [f"@name {form.name.strip()}", f"@action {form.action}"]
    if form.rule.strip():
        lines.append(f"@rule {form.rule.strip()}")
    if form.context:
        lines.append("@context on")
    lines.append(f"@message {form.message.strip()}")
    lines += [t.rstrip() for t in form.terms.replace("\r\n", "\n").split("\n") if t.strip()]
    return "\n".join(lines) + "\n"


def listing(session: Session) -> dict:
    """Categories by group with their names, actions and term counts; the other data files."""
    overrides = {o.name: o for o in session.scalars(select(WordlistOverride))}
    resources = Resources(overrides={n: o.content for n, o in overrides.items()})
    groups = {}
    for directory in CHECKS:
        rows = []
        for name in resources.names(f"{directory}/*.txt"):
            form = split(resources.read_text(name))
            rows.append({"file": name, "name": form.name or name, "action": ACTION_CHOICES.get(form.action, form.action),
                         "terms": sum(1 for t in form.terms.splitlines() if t.strip() and not t.strip().startswith(("#", "!"))),
                         "override": overrides.get(name)})
        groups[directory] = sorted(rows, key=lambda r: r["name"])
    others = [{"file": n, "label": OTHER_FILES.get(n, n), "override": overrides.get(n)}
              for n in sorted(OTHER_FILES) if resources.exists(n)]
    return {"groups": groups, "others": others}


def _flagged(name: str, text: str, documents: list[Document]) -> int:
    directory, stem = name.split("/")[0], name.split("/")[1][: -len(".txt")]
    check = WordlistCheck(CHECKS[directory], Lexicon([parse_wordlist(name, text, stem, CHECKS[directory])]))
    return sum(1 for doc in documents if check.check(doc))


def _recent_drafts(session: Session) -> list[Document]:
    rows = session.execute(select(Revision.title, Revision.body).join(Draft, Draft.current_revision_id == Revision.id)
                           .order_by(Draft.id.desc()).limit(RECENT_DRAFTS)).all()
    return [Document.build(title, body) for title, body in rows]


def _corpus() -> list[Document]:
    """The shipped government-domain texts that are not ads (classifiers/data/ad_gov.tsv, label 0)."""
    documents = []
    for line in CORPUS.read_text(encoding="utf-8").splitlines():
        parts = line.split("\t")
        if not line.startswith("#") and len(parts) == 3 and parts[0] == "0":
            documents.append(Document.build("", parts[2]))
    return documents


def preview(session: Session, name: str, before: str, after: str) -> dict:
    """How many recent drafts and corpus texts this category flags now and would flag after the change."""
    try:
        parse_wordlist(name, after, name, "preview")
    except WordlistError as exc:
        raise InvalidInput(f"词条格式错误：{exc}") from None
    drafts, corpus = _recent_drafts(session), _corpus()
    return {
        "drafts": len(drafts), "corpus": len(corpus),
        "drafts_before": _flagged(name, before, drafts), "drafts_after": _flagged(name, after, drafts),
        "corpus_before": _flagged(name, before, corpus), "corpus_after": _flagged(name, after, corpus),
    }
