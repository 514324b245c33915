"""The criteria knowledge base and the free-question matcher (no aiogram here).

``Catalog.builtin()`` loads the shipped sets (national commune sets 2021–2025 and
2026–2030, Hà Tĩnh village-level sets); ``CriteriaIndex(catalog).ask(text, set_code)``
finds the criterion a resident's message is about.
"""

from .catalog import Catalog, CatalogError
from .matcher import CriteriaIndex, MatchResult
from .models import CriteriaSet, Criterion, Faq, Indicator, Threshold

__all__ = [
    "Catalog",
    "CatalogError",
    "CriteriaIndex",
    "CriteriaSet",
    "Criterion",
    "Faq",
    "Indicator",
    "MatchResult",
    "Threshold",
]
