"""Channel adapters. The Publication row is the outbox; delivery happens after commit and is recorded."""
from __future__ import annotations

import json
import urllib.request
from pathlib import Path

from .models import Publication


def deliver(publication: Publication, export_dir: Path) -> str:
    if publication.adapter == "webhook":
        return _post_webhook(publication)
    return _export_json(publication, export_dir)


def _export_json(publication: Publication, export_dir: Path) -> str:
    export_dir.mkdir(parents=True, exist_ok=True)
    path = export_dir / f"{publication.published_at:%Y%m%d}-draft{publication.draft_id}.json"
    record = {"published_at": publication.published_at.isoformat(), **publication.payload}
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(record, ensure_ascii=False, indent=2), encoding="utf-8")
    tmp.replace(path)  # readers never see half a file
    return f"outbox:{path.name}"


def _post_webhook(publication: Publication) -> str:
    url = publication.channel.webhook_url if publication.channel else None
    if not url:
        raise ValueError(f"channel of publication {publication.id} has no webhook_url")
    body = json.dumps({"published_at": publication.published_at.isoformat(), **publication.payload},
                      ensure_ascii=False).encode("utf-8")
    request = urllib.request.Request(url, data=body, method="POST",
                                     headers={"Content-Type": "application/json; charset=utf-8"})
    with urllib.request.urlopen(request, timeout=10) as response:  # errors raise: the job is retried
        return f"webhook:{response.status}"
