"""Every label in Chinese: the audit trail and 审签单 in words (names, roles, sentences), findings with
their category's own name and the office's own rules from the citation table."""
from __future__ import annotations

import re

from sqlalchemy import select

from review import citations
from review.models import WordlistOverride
from tests.conftest import channel_of

TITLE, BODY = "社区图书馆周末开放", "本周六上午九点，社区图书馆照常开放阅览，欢迎居民前来借阅图书。"


def _published(web, app) -> int:
    web.login("editor")
    response = web.post("/drafts/new", {"title": TITLE, "body": BODY, "action": "submit",
                                        "channel_id": channel_of(app.extensions["runtime"], "editor")})
    draft_id = int(re.search(r"/drafts/(\d+)", response.headers["Location"]).group(1))
    for signer in ("editor2", "head"):
        web.login(signer)
        page = web.get(f"/drafts/{draft_id}").get_data(as_text=True)
        revision = re.search(r'name="revision_hash" value="([0-9a-f]+)"', page).group(1)
        web.post(f"/drafts/{draft_id}/decision", {"decision": "approve", "comment": "同意", "revision_hash": revision})
    web.login("editor")
    web.post(f"/drafts/{draft_id}/publish")
    return draft_id


def test_the_audit_trail_reads_as_sentences_with_names_and_roles(web, app):
    draft_id = _published(web, app)
    web.login("auditor")
    page = web.get(f"/audit?draft_id={draft_id}").get_data(as_text=True).split('<table class="trail">')[1]
    shown = re.sub(r"<[^>]+>", "|", page)  # what a person reads: the text, not the attributes
    for raw in ("route:", "override:", "['editor'", "dept_head", "publication_delivered", "|system|", "|editor|"):
        assert raw not in shown, raw
    assert "按“一般”信息送审，审签路径：编辑初审 → 部门负责人复审" in page
    assert "编辑初审签批同意，意见：同意" in page and "已送达渠道（发布箱导出）" in page
    assert ">Editor2<" in page and ">编辑<" in page and ">系统<" in page and "已送达渠道" in page


def test_the_sheet_names_people_and_has_no_inline_script(web, app):
    draft_id = _published(web, app)
    web.login("auditor")
    sheet = web.get(f"/audit/sheet/{draft_id}").get_data(as_text=True)
    assert "Editor2" in sheet and "Head" in sheet and "<script>" not in sheet and "actions.js" in sheet
    assert "§" not in sheet


def test_citations_fall_back_to_the_article_and_replace_codes_in_messages():
    table = citations.parse("002 §19\t《本县政务新媒体管理办法》第九条\t先去掉能认出个人的信息\n")
    assert citations.lookup(table, "002 §19").source == "《本县政务新媒体管理办法》第九条"
    assert citations.plain_text(table, "依据 002 §19 须处理") == "依据 《本县政务新媒体管理办法》第九条 须处理"
    assert citations.in_text(table, "003 §13(七)") == []


def test_a_finding_shows_the_offices_rule_and_an_added_categorys_own_name(web, app, people):
    runtime = app.extensions["runtime"]
    with runtime.db.session() as s:
        s.add(WordlistOverride(name="prohibited/zz_local.txt", updated_by_id=people["admin"].id,
                               content="@name 本地禁发测试\n@action block\n@rule 003 §13(七)\n@message 含本地禁发内容（003 §13(七)）。\n紫垣禁发词\n"))
        s.add(WordlistOverride(name="citations.tsv", updated_by_id=people["admin"].id,
                               content="003 §13\t《本县政务新媒体内容规范》第五条\t这些内容一律不发\n"))
    web.login("editor")
    response = web.post("/drafts/new", {"title": "通知", "body": "文中出现紫垣禁发词。", "action": "submit",
                                        "channel_id": channel_of(runtime, "editor")})
    page = web.get(response.headers["Location"]).get_data(as_text=True)
    assert "禁止发布内容 · 本地禁发测试" in page
    assert "含本地禁发内容（《本县政务新媒体内容规范》第五条）" in page
    assert "依据 《本县政务新媒体内容规范》第五条：这些内容一律不发" in page and "003 §13" not in page


def test_a_malformed_citation_table_is_refused(web, app):
    web.login("admin")
    page = web.post("/admin/wordlists/citations.tsv", {"action": "save", "content": "002 §19 只有一列\n"})
    assert "规定依据对照表格式错误" in page.get_data(as_text=True)
    with app.extensions["runtime"].db.session() as s:
        assert s.scalar(select(WordlistOverride).where(WordlistOverride.name == "citations.tsv")) is None
