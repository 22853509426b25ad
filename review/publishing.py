"""Channel adapters, and the check that what went out is what was approved.

The Publication row is the outbox; delivery happens after commit. Each adapter reports what it
delivered (the outbox re-reads the file it wrote; a webhook echoes the post or names a read-back
URL), and the delivered text's content hash is compared with the approved revision's. A mismatch is
an audit event, a dashboard alert, a notice to every approver and a 整改 task (001 四(三)).
"""
from __future__ import annotations

import json
import urllib.parse
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from . import audit, notify, rectification
from .db import utcnow
from .models import Draft, Publication, Revision, content_hash

WEBHOOK_TIMEOUT_SECONDS = 10
READ_BACK_MAX_BYTES = 4 * 1024 * 1024


@dataclass(frozen=True)
class Delivery:
    reference: str  # what the channel answered: the export file, or the webhook's status
    title: str | None  # what the channel says it delivered; None when it does not say
    body: str | None
    read_back: str | None = None  # where the delivered post can be read again
    problem: str | None = None  # delivered, but what was delivered could not be read back

    @property
    def delivered(self) -> tuple[str, str] | None:
        return None if self.title is None else (self.title, self.body)


class DeliveryError(Exception):
    pass


def deliver(publication: Publication, export_dir: Path) -> Delivery:
    if publication.adapter == "webhook":
        return _post_webhook(publication)
    return _export_json(publication, export_dir)


def read_back(publication: Publication, export_dir: Path) -> tuple[str, str] | None:
    """The delivered post as the channel holds it now; None when the channel offers no way to read it."""
    if publication.adapter == "webhook":
        return _fetch_post(publication.read_back) if publication.read_back else None
    return _read_export(_export_path(publication, export_dir))


def _export_path(publication: Publication, export_dir: Path) -> Path:
    return export_dir / f"{publication.published_at:%Y%m%d}-draft{publication.draft_id}.json"


def _export_json(publication: Publication, export_dir: Path) -> Delivery:
    export_dir.mkdir(parents=True, exist_ok=True)
    path = _export_path(publication, export_dir)
    record = {"published_at": publication.published_at.isoformat(), **publication.payload}
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(record, ensure_ascii=False, indent=2), encoding="utf-8")
    tmp.replace(path)  # readers never see half a file
    try:
        title, body = _read_export(path)
    except DeliveryError as exc:
        return Delivery(f"outbox:{path.name}", None, None, str(path), str(exc))
    return Delivery(f"outbox:{path.name}", title, body, str(path))


def _read_export(path: Path) -> tuple[str, str]:
    try:
        record = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise DeliveryError(f"导出文件 {path.name} 不存在") from None
    except (OSError, ValueError) as exc:
        raise DeliveryError(f"导出文件 {path.name} 无法读取：{exc}") from None
    return _post_fields(record, path.name)


def _post_fields(record, where: str) -> tuple[str, str]:
    if not isinstance(record, dict) or not isinstance(record.get("title"), str) or not isinstance(record.get("body"), str):
        raise DeliveryError(f"{where} 中没有标题和正文")
    return record["title"], record["body"]


def _post_webhook(publication: Publication) -> Delivery:
    url = publication.channel.webhook_url if publication.channel else None
    if not url:
        raise ValueError(f"channel of publication {publication.id} has no webhook_url")
    body = json.dumps({"published_at": publication.published_at.isoformat(), **publication.payload},
                      ensure_ascii=False).encode("utf-8")
    request = urllib.request.Request(url, data=body, method="POST",
                                     headers={"Content-Type": "application/json; charset=utf-8"})
    with urllib.request.urlopen(request, timeout=WEBHOOK_TIMEOUT_SECONDS) as response:  # errors raise: retried
        status, answer = response.status, response.read(READ_BACK_MAX_BYTES)
    reference = f"webhook:{status}"
    try:
        echoed = json.loads(answer) if answer else None
    except ValueError:
        echoed = None
    # Posted: from here on a problem is recorded, never raised (a retry would post twice).
    try:
        if isinstance(echoed, dict) and isinstance(echoed.get("url"), str):
            # The platform names where the post now lives: read it from there, on the platform's own
            # host only (an answer must not make this server fetch any address it names).
            if urllib.parse.urlsplit(echoed["url"]).netloc != urllib.parse.urlsplit(url).netloc:
                raise DeliveryError(f"回读地址不在渠道的主机上：{echoed['url'][:100]}")
            title, body_text = _fetch_post(echoed["url"])
            return Delivery(reference, title, body_text, echoed["url"][:500])
        if isinstance(echoed, dict) and "title" in echoed:
            title, body_text = _post_fields(echoed, "渠道的应答")
            return Delivery(reference, title, body_text)
    except DeliveryError as exc:
        return Delivery(reference, None, None, problem=str(exc))
    return Delivery(reference, None, None)


def _fetch_post(url: str) -> tuple[str, str]:
    if not url.startswith(("http://", "https://")):
        raise DeliveryError(f"回读地址无效：{url[:100]}")
    try:
        with urllib.request.urlopen(url, timeout=WEBHOOK_TIMEOUT_SECONDS) as response:
            record = json.loads(response.read(READ_BACK_MAX_BYTES))
    except (OSError, ValueError) as exc:
        raise DeliveryError(f"无法回读已发布内容：{exc}") from None
    return _post_fields(record, "回读内容")


# ---------------------------------------------------------------- verification


def check_delivered(session: Session, publication: Publication, delivered: tuple[str, str] | None,
                    problem: str | None = None) -> str:
    """Compare what the channel holds with the approved revision; record the outcome.

    Returns the verification status: verified, mismatch, unverified (the channel does not say)
    or failed (it could not be read back: a deleted export counts as a changed post).
    """
    approved = session.get(Revision, publication.revision_id)
    if problem is not None:
        status, delivered_hash = "failed", None
    elif delivered is None:
        status, delivered_hash = "unverified", None
    else:
        delivered_hash = content_hash(*delivered)
        status = "verified" if delivered_hash == approved.content_hash else "mismatch"
    was = publication.verification
    publication.verification = status
    publication.delivered_hash = delivered_hash
    publication.verified_at = utcnow()
    if status in ("mismatch", "failed") and was not in ("mismatch", "failed"):
        _alert(session, publication, approved, delivered_hash, problem)
    elif status == "verified" and was in ("mismatch", "failed"):
        audit.record(session, None, "publication_verified_again", draft_id=publication.draft_id,
                     revision_hash=approved.content_hash, publication_id=publication.id)
    return status


def _alert(session: Session, publication: Publication, approved: Revision, delivered_hash: str | None,
           problem: str | None) -> None:
    what = problem or "渠道上的内容与签发版本不一致"
    audit.record(session, None, "publication_mismatch", draft_id=publication.draft_id,
                 revision_hash=approved.content_hash, publication_id=publication.id,
                 delivered_hash=delivered_hash, problem=what)
    draft = session.get(Draft, publication.draft_id)
    message = f"稿件 #{draft.id} 发布核验未通过：{what}。请立即核查渠道上的内容。"
    notify.notify(session, [*notify.approvers(session, draft), publication.published_by], "publication_mismatch",
                  message, draft.id, draft.department)
    rectification.open_task(session, publication, "mismatch", message, [])


def verify_all(session: Session, export_dir: Path) -> list[tuple[Publication, str]]:
    """Read every delivered post back and compare (`review publications verify`)."""
    outcomes = []
    for publication in session.scalars(select(Publication).where(Publication.delivery != "").order_by(Publication.id)):
        try:
            delivered, problem = read_back(publication, export_dir), None
        except DeliveryError as exc:
            delivered, problem = None, str(exc)
        if delivered is None and problem is None:
            outcomes.append((publication, "unverified"))  # nothing to read back: the stored outcome stands
            continue
        outcomes.append((publication, check_delivered(session, publication, delivered, problem)))
    return outcomes


def mismatches(session: Session) -> list[Publication]:
    return list(session.scalars(select(Publication).where(Publication.verification.in_(("mismatch", "failed")))
                                .order_by(Publication.id.desc())))
