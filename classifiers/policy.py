"""Sensitivity from findings, and the route each sensitivity takes (an editable policy file)."""
from __future__ import annotations

from dataclasses import dataclass

from .findings import Finding
from .resources import Resources

TIERS = ("editor", "dept_head", "leader")
SENSITIVITIES = ("general", "important", "blocked")


@dataclass(frozen=True)
class RoutePolicy:
    routes: dict[str, tuple[str, ...]]

    @classmethod
    def load(cls, resources: Resources) -> "RoutePolicy":
        data = resources.read_toml("policy.toml")
        routes = {}
        for sensitivity in SENSITIVITIES:
            route = tuple(data["routes"][sensitivity])
            unknown = [t for t in route if t not in TIERS]
            if not route or unknown:
                raise ValueError(f"policy.toml: route for {sensitivity!r} has unknown tiers {unknown}")
            routes[sensitivity] = route
        return cls(routes)

    def route(self, sensitivity: str) -> list[str]:
        return list(self.routes[sensitivity])


def sensitivity_of(findings: list[Finding]) -> str:
    actions = {f.action for f in findings}
    if "block" in actions:
        return "blocked"
    if "escalate" in actions:
        return "important"
    return "general"
