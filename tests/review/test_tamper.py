"""Every tamper of issue #21's probe (benchmarks/audit_tamper.py) is detected by verification alone."""
from __future__ import annotations

from benchmarks.audit_tamper import TAMPERS, run_probe


def test_every_tamper_of_the_probe_is_detected_without_a_noted_head():
    rows = run_probe()
    assert len(rows) == len(TAMPERS)
    missed = [row["tamper"] for row in rows if not row["detected"]]
    assert missed == []
