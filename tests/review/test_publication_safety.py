"""Publication safety (002 §19, §29; 004 6.3.2.3): personal data resolved before sign-off, only the
approved de-identified text goes out, on the department's own channel, checked after it goes out;
the patrol of published posts and the emergency lane."""
from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest
from sqlalchemy import select

from review import emergency, patrol, workflow
from review.admin import save_override, wordlist_text
from review.errors import Conflict, Forbidden, InvalidInput
from review.models import (
    AuditEvent,
    Channel,
    Department,
    MaskResolution,
    Notification,
    PostReview,
    Publication,
    Rectification,
    ScreeningResult,
)
from tests.conftest import channel_of

from .workflow_helpers import (
    GENERAL,
    IMPORTANT,
    approve_all,
    create,
    current_hash,
    decide,
    events,
    publish,
    rt,
    state,
    submit,
    submitted,
)

__all__ = ["rt"]

ID_NUMBER = "110101199003078515"  # a valid GB 11643 check digit: screening masks it
MOBILE = "13812345678"
PERSONAL = ("市民来信反映情况", f"市民王小明（身份证号{ID_NUMBER}，手机{MOBILE}）来信反映小区路灯损坏，街道已安排维修。")
RAW_VALUES = (ID_NUMBER, MOBILE)


def _open(rt, draft_id) -> list[dict]:
    return state(rt, draft_id)["open_masks"]


def _key(finding) -> str:
    return f"{finding['field']}:{finding['start']}:{finding['end']}:{finding['category']}"


def _keep(rt, user, draft_id, finding, reason="consent", note="当事人已签署书面同意书（编号 2026-118）"):
    with rt.db.session() as s:
        workflow.keep_masked_value(s, user, draft_id, current_hash(rt, draft_id), _key(finding), reason, note)


def _accept(rt, author, draft_id):
    with rt.db.session() as s:
        workflow.accept_deidentified(s, author, draft_id, current_hash(rt, draft_id))


def _by_category(findings) -> dict[str, dict]:
    return {f["category"]: f for f in findings}


# ---------------------------------------------------------------- masks before sign-off


def test_screening_finds_the_id_number_the_mobile_and_the_name_as_masks(rt, people):
    draft_id = submitted(rt, people["editor"], PERSONAL)
    assert set(_by_category(_open(rt, draft_id))) == {"id_card", "mobile", "person"}


def test_no_tier_approves_while_a_mask_is_open_and_the_refusal_lists_them(rt, people):
    draft_id = submitted(rt, people["editor"], PERSONAL)
    with pytest.raises(Conflict) as refused:
        decide(rt, people["editor2"], draft_id)
    assert refused.value.status == 409 and "个人信息" in refused.value.message
    assert {f["category"] for f in refused.value.details["open_findings"]} == {"id_card", "mobile", "person"}
    assert state(rt, draft_id)["signoffs"] == []
    # A reviewer may still send it back to the author.
    assert decide(rt, people["editor2"], draft_id, "reject", "请去标识化")["status"] == "returned"


def test_each_mask_is_resolved_by_a_kept_reason_or_the_deidentified_text(rt, people, config):
    draft_id = submitted(rt, people["editor"], PERSONAL)
    person = _by_category(_open(rt, draft_id))["person"]
    _keep(rt, people["editor2"], draft_id, person)
    assert {f["category"] for f in _open(rt, draft_id)} == {"id_card", "mobile"}
    with pytest.raises(Conflict):
        decide(rt, people["editor2"], draft_id)

    _accept(rt, people["editor"], draft_id)  # a new revision, screened again
    shown = state(rt, draft_id)
    assert shown["revision"]["number"] == 2 and shown["status"] == "in_review"
    assert shown["open_masks"] == []
    assert [k["reason_label"] for k in shown["kept_personal_data"]] == ["当事人书面同意公开"]
    assert ID_NUMBER not in shown["body"] and MOBILE not in shown["body"] and "王小明" in shown["body"]

    approve_all(rt, draft_id, people["editor2"], people["head"])
    publication = publish(rt, people["editor"], draft_id)
    with rt.db.session() as s:
        row = s.get(Publication, publication.id)
        payload, delivery = row.payload, row.delivery
    assert ID_NUMBER not in json.dumps(payload, ensure_ascii=False) and MOBILE not in payload["body"]
    assert payload["kept_personal_data"][0]["reason"] == "当事人书面同意公开"
    exported = (config.publish_export_dir / delivery.split(":", 1)[1]).read_text(encoding="utf-8")
    assert not any(v in exported for v in RAW_VALUES) and "王小明" in exported


def test_only_a_signer_of_the_draft_keeps_a_value_and_only_with_a_listed_reason(rt, people):
    draft_id = submitted(rt, people["editor"], PERSONAL)
    finding = _open(rt, draft_id)[0]
    with pytest.raises(Forbidden):
        _keep(rt, people["editor"], draft_id, finding)  # the author
    with pytest.raises(Forbidden):
        _keep(rt, people["outsider"], draft_id, finding)  # another department
    with pytest.raises(InvalidInput):
        _keep(rt, people["editor2"], draft_id, finding, reason="because")
    with pytest.raises(InvalidInput):
        _keep(rt, people["editor2"], draft_id, finding, note="  ")
    with rt.db.session() as s, pytest.raises(Conflict):
        workflow.keep_masked_value(s, people["editor2"], draft_id, "0" * 64, _key(finding), "consent", "同意书")
    _keep(rt, people["editor2"], draft_id, finding)
    with pytest.raises(Conflict):
        _keep(rt, people["head"], draft_id, finding)  # already resolved
    kept = [e for e in events(rt, draft_id, "personal_data_kept")]
    assert kept[0].details["keep_reason"] == "当事人书面同意公开" and kept[0].actor == "editor2"


def test_a_kept_value_is_bound_to_the_revision_it_was_kept_on(rt, people):
    draft_id = submitted(rt, people["editor"], PERSONAL)
    for finding in _open(rt, draft_id):
        _keep(rt, people["editor2"], draft_id, finding, reason="false_positive", note="演示数据，非真实个人信息")
    assert _open(rt, draft_id) == []
    with rt.db.session() as s:
        workflow.edit_draft(s, people["editor"], draft_id, PERSONAL[0], PERSONAL[1] + "特此说明。")
    assert {f["category"] for f in _open(rt, draft_id)} == {"id_card", "mobile", "person"}


def test_publish_rechecks_masks_a_rescreen_found_after_approval(rt, people):
    draft_id = submitted(rt, people["editor"], GENERAL)
    approve_all(rt, draft_id, people["editor2"], people["head"])
    with rt.db.session() as s:  # as if a new rule now marks a value in the approved text
        revision = workflow.current_revision(s, workflow.get_draft(s, draft_id))
        finding = {"check": "pii", "category": "person", "field": "body", "start": 0, "end": 2, "text": "**",
                   "score": 0.9, "action": "mask", "message": "个人姓名"}
        s.add(ScreeningResult(revision_id=revision.id, sensitivity="general", route=["editor", "dept_head"],
                              findings=[finding], deidentified={"title": revision.title, "body": "**" + revision.body[2:]},
                              versions={}))
    with pytest.raises(Conflict, match="个人信息"):
        publish(rt, people["editor"], draft_id)


# ---------------------------------------------------------------- no raw value where it need not be


def test_stored_results_diffs_and_audit_details_never_hold_a_masked_value(rt, people):
    draft_id = submitted(rt, people["editor"], PERSONAL)
    decide(rt, people["editor2"], draft_id, "reject", f"电话{MOBILE}不能公开，身份证{ID_NUMBER}也不能")
    with rt.db.session() as s:
        stored = json.dumps([r.findings for r in s.scalars(select(ScreeningResult))], ensure_ascii=False)
        details = json.dumps([e.details for e in s.scalars(select(AuditEvent))], ensure_ascii=False)
    assert not any(v in stored for v in RAW_VALUES + ("王小明",))
    assert not any(v in details for v in RAW_VALUES)
    rejected = events(rt, draft_id, "rejected")[0].details["comment"]
    assert rejected.startswith("电话138****5678")


# ---------------------------------------------------------------- channels


def test_a_draft_without_a_channel_cannot_be_submitted(rt, people):
    with rt.db.session() as s:
        draft_id = workflow.create_draft(s, people["editor"], *GENERAL).id
    with pytest.raises(InvalidInput, match="发布渠道"):
        submit(rt, people["editor"], draft_id)
    assert state(rt, draft_id)["status"] == "draft"  # the saved draft is kept


def test_publishing_with_no_channel_is_refused(rt, people):
    draft_id = submitted(rt, people["editor"], GENERAL)
    approve_all(rt, draft_id, people["editor2"], people["head"])
    with rt.db.session() as s:  # only the database itself can get here; publish still refuses
        workflow.get_draft(s, draft_id).channel_id = None
    with pytest.raises(InvalidInput, match="发布渠道"):
        publish(rt, people["editor"], draft_id)


def test_another_departments_channel_is_refused(rt, people):
    theirs = channel_of(rt, people["editor"])  # 宣传科
    with rt.db.session() as s, pytest.raises(Forbidden, match="属于宣传科"):
        workflow.create_draft(s, people["outsider"], *GENERAL, channel_id=theirs)
    draft_id = create(rt, people["outsider"], GENERAL)
    with rt.db.session() as s, pytest.raises(Forbidden):
        workflow.edit_draft(s, people["outsider"], draft_id, *GENERAL, channel_id=theirs)


def test_channels_are_added_and_listed_by_script(review_cli, rt, people):
    added = review_cli("channel", "add", "宣传科公众号", "--platform", "wechat", "--department", "宣传科")
    assert added.exit_code == 0, added.output
    shown = json.loads(added.output)
    assert (shown["platform"], shown["platform_label"], shown["department"]) == ("wechat", "微信公众号", "宣传科")
    listed = [json.loads(line) for line in review_cli("channel", "list").output.splitlines()]
    assert "宣传科公众号" in {c["name"] for c in listed}
    refused = review_cli("channel", "add", "x", "--platform", "weibo", "--department", "不存在的部门")
    assert refused.exit_code == 1 and "错误" in refused.output


# ---------------------------------------------------------------- what went out


class _Channel(BaseHTTPRequestHandler):
    """A platform that echoes what it published (or, when told to, something else)."""

    def do_POST(self):
        post = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        answer = {"title": post["title"], "body": post["body"] + self.server.tamper}
        self.send_response(200)
        self.end_headers()
        self.wfile.write(json.dumps(answer, ensure_ascii=False).encode("utf-8"))

    def log_message(self, *args):
        pass


@pytest.fixture
def platform():
    server = HTTPServer(("127.0.0.1", 0), _Channel)
    server.tamper = ""
    threading.Thread(target=server.serve_forever, daemon=True).start()
    server.url = f"http://127.0.0.1:{server.server_port}/posts"
    yield server
    server.shutdown()
    server.server_close()


def _webhook_channel(rt, url) -> int:
    with rt.db.session() as s:
        dept = s.scalar(select(Department).where(Department.name == "宣传科"))
        channel = Channel(name="宣传科客户端", platform="移动客户端", department_id=dept.id, adapter="webhook",
                          webhook_url=url)
        s.add(channel)
    return channel.id


def _published(rt, people, **options) -> int:
    draft_id = create(rt, people["editor"], GENERAL, **options)
    submit(rt, people["editor"], draft_id)
    approve_all(rt, draft_id, people["editor2"], people["head"])
    publish(rt, people["editor"], draft_id)
    return draft_id


def _publication(rt, draft_id) -> Publication:
    with rt.db.session() as s:
        return s.scalar(select(Publication).where(Publication.draft_id == draft_id))


def test_an_echoing_webhook_is_verified_and_a_changed_post_is_a_mismatch(rt, people, platform):
    channel_id = _webhook_channel(rt, platform.url)
    draft_id = _published(rt, people, channel_id=channel_id)
    assert _publication(rt, draft_id).verification == "verified"

    platform.tamper = "（平台追加的广告）"
    other = _published(rt, people, channel_id=channel_id)
    assert _publication(rt, other).verification == "mismatch"
    assert events(rt, other, "publication_mismatch")
    with rt.db.session() as s:
        told = {n.user_id for n in s.scalars(select(Notification).where(Notification.draft_id == other,
                                                                         Notification.kind == "publication_mismatch"))}
        task = s.scalar(select(Rectification).where(Rectification.draft_id == other))
    assert {people["editor2"].id, people["head"].id, people["editor"].id} <= told
    assert task.source == "mismatch" and task.status == "open"


def test_a_tampered_outbox_file_is_found_by_publications_verify(review_cli, rt, people, config, monkeypatch):
    draft_id = _published(rt, people)
    assert _publication(rt, draft_id).verification == "verified"
    monkeypatch.setenv("PUBLISH_EXPORT_DIR", str(config.publish_export_dir))
    clean = review_cli("publications", "verify")
    assert clean.exit_code == 0, clean.output
    assert json.loads(clean.output.splitlines()[-1]) == {"checked": 1, "verified": 1}

    path = config.publish_export_dir / _publication(rt, draft_id).delivery.split(":", 1)[1]
    record = json.loads(path.read_text(encoding="utf-8"))
    record["body"] = record["body"].replace("九点", "十点")
    path.write_text(json.dumps(record, ensure_ascii=False), encoding="utf-8")
    tampered = review_cli("publications", "verify")
    assert tampered.exit_code == 2 and f"稿件 #{draft_id}" in tampered.output
    assert _publication(rt, draft_id).verification == "mismatch"
    assert len(events(rt, draft_id, "publication_mismatch")) == 1

    path.unlink()
    assert review_cli("publications", "verify").exit_code == 2


# ---------------------------------------------------------------- patrol of published posts


def test_a_rule_change_patrols_published_posts_and_opens_a_rectification(rt, people):
    draft_id = _published(rt, people)
    with rt.db.session() as s:
        current, _ = wordlist_text(s, "prohibited/gambling.txt")
        save_override(s, people["admin"], "prohibited/gambling.txt", current.rstrip("\n") + "\n社区图书馆\n")
    with rt.db.session() as s:
        run = patrol.latest(s)
        task = s.scalar(select(Rectification).where(Rectification.draft_id == draft_id))
        told = s.scalars(select(Notification).where(Notification.kind == "rectification")).all()
    assert (run.status, run.total, run.done, run.flagged) == ("done", 1, 1, 1)
    assert task.source == "patrol" and task.department_id == people["head"].department_id and task.findings
    assert [n.user_id for n in told] == [people["head"].id]
    assert [e.action for e in events(rt) if e.action.startswith("patrol")] == ["patrol_started", "patrol_finished"]

    # The same finding is not new the next time.
    with rt.db.session() as s:
        patrol.start(s, "再次巡查")
    with rt.db.session() as s:
        assert s.scalar(select(Rectification).where(Rectification.draft_id == draft_id).order_by(Rectification.id.desc())).id == task.id
        assert patrol.latest(s).flagged == 0


def test_the_channels_department_head_closes_a_rectification(rt, people):
    from review import rectification

    draft_id = _published(rt, people)
    with rt.db.session() as s:
        publication = s.scalar(select(Publication).where(Publication.draft_id == draft_id))
        task_id = rectification.open_task(s, publication, "patrol", "测试整改", []).id
    with rt.db.session() as s, pytest.raises(Forbidden):
        rectification.close_task(s, people["otherhead"], task_id, "已删除原帖")
    with rt.db.session() as s, pytest.raises(InvalidInput):
        rectification.close_task(s, people["head"], task_id, "")
    with rt.db.session() as s:
        rectification.close_task(s, people["head"], task_id, "已删除原帖并发布更正")
    assert events(rt, draft_id, "rectification_closed")[0].details["closing_note"] == "已删除原帖并发布更正"


# ---------------------------------------------------------------- the emergency lane


def _urgent(rt, people, text=IMPORTANT) -> int:
    return submitted(rt, people["editor"], text, urgent=True)


def _emergency(rt, user, draft_id, reason="暴雨红色预警，须在一小时内首发避险提示"):
    with rt.db.session() as s:
        return emergency.emergency_publish(s, user, draft_id, reason, current_hash(rt, draft_id))


def test_a_leader_publishes_an_urgent_draft_before_the_lower_tiers_and_they_review_after(rt, people):
    draft_id = _urgent(rt, people)
    assert state(rt, draft_id)["current_tier"] == "editor"
    _emergency(rt, people["leader"], draft_id)
    shown = state(rt, draft_id)
    assert shown["status"] == "published"
    assert [(s["tier"], s["user"]) for s in shown["signoffs"]] == [("leader", "leader")]
    with rt.db.session() as s:
        pending = [(r.tier, r.decision) for r in emergency.post_reviews(s, draft_id)]
        publication = s.scalar(select(Publication).where(Publication.draft_id == draft_id))
        assert [r.draft_id for r in emergency.waiting_for(s, people["editor2"])] == [draft_id]
        assert emergency.waiting_for(s, people["editor"]) == []  # the author reviews nothing of their own
    assert pending == [("editor", None), ("dept_head", None)]
    assert publication.emergency and publication.payload["emergency"] is True
    assert events(rt, draft_id, "emergency_published")[0].details["post_review"] == ["editor", "dept_head"]

    with rt.db.session() as s:
        rows = emergency.post_reviews(s, draft_id)
        emergency.post_review(s, people["editor2"], rows[0].id, "approve", "")
    with rt.db.session() as s, pytest.raises(InvalidInput):
        emergency.post_review(s, people["head"], rows[1].id, "reject", "")
    with rt.db.session() as s:
        emergency.post_review(s, people["head"], rows[1].id, "reject", "伤亡数字未核实")
    with rt.db.session() as s:
        task = s.scalar(select(Rectification).where(Rectification.draft_id == draft_id))
    assert task.source == "post_review" and "伤亡数字未核实" in task.summary


@pytest.mark.parametrize("who", ["editor2", "head", "auditor", "admin"])
def test_nobody_but_a_leader_skips_a_tier(rt, people, who):
    draft_id = _urgent(rt, people)
    with pytest.raises(Forbidden):
        _emergency(rt, people[who], draft_id)
    assert state(rt, draft_id)["status"] == "in_review"


def test_the_emergency_lane_needs_an_urgent_draft_a_reason_and_resolved_masks(rt, people):
    routine = submitted(rt, people["editor"], IMPORTANT)
    with pytest.raises(Conflict, match="突发"):
        _emergency(rt, people["leader"], routine)
    urgent = _urgent(rt, people)
    with pytest.raises(InvalidInput):
        _emergency(rt, people["leader"], urgent, reason="紧急")
    personal = _urgent(rt, people, PERSONAL)
    with pytest.raises(Conflict, match="个人信息"):
        _emergency(rt, people["leader"], personal)
    with rt.db.session() as s:
        assert s.scalars(select(PostReview)).all() == []
        assert s.scalars(select(MaskResolution)).all() == []


class _ReadBackChannel(BaseHTTPRequestHandler):
    """A platform that answers a post with the URL where it can be read back."""

    def do_POST(self):
        post = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        self.server.posts.append(post)
        self.send_response(200)
        self.end_headers()
        url = self.server.read_back_url or f"http://127.0.0.1:{self.server.server_port}/posts/{len(self.server.posts)}"
        self.wfile.write(json.dumps({"url": url}).encode("utf-8"))

    def do_GET(self):
        post = self.server.posts[int(self.path.rsplit("/", 1)[1]) - 1]
        self.send_response(200)
        self.end_headers()
        self.wfile.write(json.dumps({"title": post["title"], "body": post["body"]}, ensure_ascii=False).encode("utf-8"))

    def log_message(self, *args):
        pass


@pytest.fixture
def read_back_platform():
    server = HTTPServer(("127.0.0.1", 0), _ReadBackChannel)
    server.posts, server.read_back_url = [], None
    threading.Thread(target=server.serve_forever, daemon=True).start()
    server.url = f"http://127.0.0.1:{server.server_port}/posts"
    yield server
    server.shutdown()
    server.server_close()


def test_a_read_back_url_on_the_platforms_host_verifies_and_another_host_is_never_fetched(rt, people,
                                                                                         read_back_platform):
    channel_id = _webhook_channel(rt, read_back_platform.url)
    draft_id = _published(rt, people, channel_id=channel_id)
    publication = _publication(rt, draft_id)
    assert publication.verification == "verified" and publication.read_back.endswith("/posts/1")

    read_back_platform.read_back_url = "http://localhost:1/elsewhere"
    other = _published(rt, people, channel_id=channel_id)
    assert _publication(rt, other).verification == "failed"
    assert "主机" in events(rt, other, "publication_mismatch")[0].details["problem"]
