"""Audit events in words: who (name and role, never a username or a Python value) did what, and the
event's details as a Chinese sentence. The stored event and its exports keep the raw details; only
pages read these."""
from __future__ import annotations

from datetime import datetime

from review.deadlines import CHINA
from review.models import ROLE_LABELS
from review.labels import SENSITIVITY_LABELS, STATUS_LABELS, TIER_LABELS

SYSTEM = "系统"
# Detail keys pages never show: hashes are in the version column, versions are for machines.
HIDDEN = {"versions", "previous_hash", "delivered_hash", "old_sha256", "new_sha256", "revision_hash", "draft_id"}
FIELD_LABELS = {
    "title": "标题", "urgent": "突发", "route": "审签路径", "old_route": "原审签路径", "sensitivity": "敏感级别",
    "old_sensitivity": "原敏感级别", "new_sensitivity": "新敏感级别", "override": "人工复核", "tier": "环节",
    "comment": "意见", "as_deputy": "超时代签", "reason": "原因", "override_reason": "人工复核理由",
    "deadline_at": "时限", "findings": "发现问题", "round": "轮次", "revision": "版本", "channel": "发布渠道",
    "emergency": "紧急发布", "publication_id": "发布编号", "adapter": "发布方式", "delivery": "送达位置",
    "problem": "问题", "user": "用户", "role": "角色", "department": "部门", "changes": "修改", "changed": "修改项",
    "file": "词库文件", "old": "原名称", "new": "新名称", "failures": "连续失败次数", "error": "错误",
    "finding": "位置", "category": "类别", "value": "保留内容", "keep_reason": "保留理由", "note": "说明",
    "masked": "去标识化位置", "kept_carried": "沿用的保留决定", "post_review": "待事后补审环节", "decision": "决定",
    "rectification_id": "整改编号", "source": "来源", "patrol_id": "巡查编号", "total": "总数", "done": "已巡查",
    "flagged": "发现问题", "url": "地址", "feed_id": "订阅编号", "name": "名称", "platform": "平台",
    "channel_id": "渠道编号", "robot": "群机器人", "active": "启用", "deputy": "代签人", "email": "电子邮箱",
    "status": "状态", "since": "起始", "reason_label": "理由",
}
ADAPTER_LABELS = {"outbox": "发布箱导出", "webhook": "渠道接口"}
REASON_LABELS = {"blocked": "自动审查发现禁止发布的内容"}
DECISION_LABELS = {"approve": "同意", "reject": "不同意"}
TIER_LISTS = {"route", "old_route", "post_review"}


def actor_name(event, names: dict[str, str]) -> str:
    if event.actor_id is None:
        return SYSTEM
    return names.get(event.actor, event.actor)


def role_label(role: str) -> str:
    return ROLE_LABELS.get(role, SYSTEM)


def sentence(event, names: dict[str, str]) -> str:
    d = {k: v for k, v in (event.details or {}).items() if k not in HIDDEN}
    special = _SENTENCES.get(event.action)
    if special is not None:
        return special(d, names)
    return generic(d, names)


def generic(details: dict, names: dict[str, str]) -> str:
    parts = []
    for key, value in details.items():
        shown = value_text(key, value, names)
        if shown:
            parts.append(f"{FIELD_LABELS.get(key, key)}：{shown}")
    return "；".join(parts)


def value_text(key: str, value, names: dict[str, str]) -> str:
    """One detail value in words; empty when there is nothing worth saying (False, None, [])."""
    if value is None or value is False or value in ("", [], {}):
        return ""
    if value is True:
        return "是"
    if key in TIER_LISTS and isinstance(value, list):
        return " → ".join(TIER_LABELS.get(t, t) for t in value)
    if key == "tier":
        return TIER_LABELS.get(value, value)
    if key.endswith("sensitivity"):
        return SENSITIVITY_LABELS.get(value, value)
    if key == "role":
        return ROLE_LABELS.get(value, value)
    if key in ("user", "deputy"):
        return names.get(value, value)
    if key == "decision":
        return DECISION_LABELS.get(value, value)
    if key == "status":
        return STATUS_LABELS.get(value, value)
    if key == "adapter":
        return ADAPTER_LABELS.get(value, value)
    if key == "reason":
        return REASON_LABELS.get(value, value)
    if key == "changes" and isinstance(value, dict):
        return "，".join(f"{FIELD_LABELS.get(k, k)}由“{value_text(k, old, names) or '无'}”改为“{value_text(k, new, names) or '无'}”"
                        for k, (old, new) in value.items())
    if key == "changed" and isinstance(value, list):
        return "、".join({"channel": "发布渠道", "disclosure": "公开属性", "repost": "转载信息"}.get(v, v) for v in value)
    if isinstance(value, str) and _is_time(value):
        return datetime.fromisoformat(value).astimezone(CHINA).strftime("%Y-%m-%d %H:%M")
    if isinstance(value, list):
        return "、".join(str(v) for v in value)
    return str(value)


def _is_time(value: str) -> bool:
    if len(value) < 19 or value[4] != "-" or value[10] != "T":
        return False
    try:
        datetime.fromisoformat(value)
    except ValueError:
        return False
    return True


def _routed(d, names):
    text = f"按“{value_text('sensitivity', d.get('sensitivity'), names)}”信息送审，审签路径：{value_text('route', d.get('route'), names)}"
    return text + ("（人工复核，全部环节签批）" if d.get("override") else "")


def _signed(d, names):
    text = f"{value_text('tier', d.get('tier'), names)}签批同意" + ("（超时代签）" if d.get("as_deputy") else "")
    return text + (f"，意见：{d['comment']}" if d.get("comment") else "")


def _rejected(d, names):
    return f"{value_text('tier', d.get('tier'), names)}退回，意见：{d.get('comment', '')}"


def _submitted(d, names):
    text = "提交审核"
    if d.get("urgent"):
        text += "（突发稿件）"
    if d.get("deadline_at"):
        text += f"，时限 {value_text('deadline_at', d['deadline_at'], names)}"
    if d.get("override_reason"):
        text += f"，申请人工复核：{d['override_reason']}"
    return text


def _screened(d, names):
    return (f"自动审查完成：敏感级别“{value_text('sensitivity', d.get('sensitivity'), names)}”，"
            f"发现 {d.get('findings', 0)} 处问题")


def _screening_started(d, names):
    return f"第 {d.get('round', 1)} 轮自动审查开始" + (f"：{d['reason']}" if d.get("reason") else "")


def _returned(d, names):
    return f"退回作者：{value_text('reason', d.get('reason'), names)}" if d.get("reason") else "退回作者"


def _published(d, names):
    return f"发布到“{d.get('channel', '')}”" + ("（紧急发布）" if d.get("emergency") else "")


def _delivered(d, names):
    return f"已送达渠道（{value_text('adapter', d.get('adapter'), names)}）"


def _all_signed(d, names):
    return f"全部环节签批同意：{value_text('route', d.get('route'), names)}"


def _created(d, names):
    return f"新建稿件《{d.get('title', '')}》" + ("（突发）" if d.get("urgent") else "")


_SENTENCES = {
    "routed": _routed, "approved": _signed, "rejected": _rejected, "submitted": _submitted, "screened": _screened,
    "screening_started": _screening_started, "returned": _returned, "published": _published,
    "publication_delivered": _delivered, "approved_all_tiers": _all_signed, "draft_created": _created,
}
