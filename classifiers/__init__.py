"""Pure screening: text in, findings out. Knows nothing of Flask, RQ or the database."""
from .document import Document, RepostInfo, ScreenOptions
from .engine import Screener, default_screener, redact_numbers, screen
from .findings import Finding
from .resources import Resources

__all__ = ["Document", "Finding", "RepostInfo", "Resources", "ScreenOptions", "Screener", "default_screener", "redact_numbers", "screen"]
