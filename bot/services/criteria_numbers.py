"""Issue 19, item 4: "how much / what share" questions get the number for the village.

The number is the level the offices filled in for the village's commune group or region
(``villagebot criteria import``), else a number of the catalog confirmed with its source.
Where neither exists the answer says who sets the level (the national decision per commune
group or region, made concrete by the province's guidance) and that the office's level
will be shown once imported. No number is ever guessed.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.services import village_criteria as vc
from bot.services.criteria import Criterion, Indicator
from bot.services.criteria.english import english_topics
from bot.services.criteria.query_text import asks_number
from bot.services.criteria.text import QUESTION_WORDS, STOPWORDS, basic_tokens
from storage.models import Village
from storage.repo import Repo


@dataclass(frozen=True)
class NumberAnswer:
    """What the resident asked a number for, and the number if there is one."""

    indicator: Indicator | None  # the indicator the question is about, if one stands out
    level: vc.ShownLevel | None  # its level for this village (filled in or confirmed)
    group: int | None  # the commune's group, in a set whose levels go by group
    region: str | None  # the commune's region key ("BTB"…), in a set whose levels go by region


# QĐ 51/2025 splits every criterion by commune group; QĐ 318 sets levels per region.
GROUPED_SETS = frozenset({"ntm-2026-2030"})
REGIONAL_SETS = frozenset({"ntm-2021-2025"})


def asks_for_number(text: str) -> bool:
    """Whether ``text`` (Vietnamese or English) asks "how much / what share"."""
    return asks_number(" ".join(basic_tokens(english_topics(text))))


def _words(text: str) -> set[str]:
    return {t for t in basic_tokens(text) if t not in STOPWORDS and t not in QUESTION_WORDS}


def closest_indicator(criterion: Criterion, text: str) -> Indicator | None:
    """The indicator whose name (and requirement) shares most words with the question;
    None when none shares any, or two tie."""
    asked = _words(english_topics(text))
    scored = sorted(
        (
            (2 * len(asked & _words(i.name)) + len(asked & _words(i.requirement)), n, i)
            for n, i in enumerate(criterion.indicators)
        ),
        key=lambda item: (-item[0], item[1]),
    )
    if not scored or scored[0][0] == 0 or (len(scored) > 1 and scored[1][0] == scored[0][0]):
        return criterion.indicators[0] if len(criterion.indicators) == 1 else None
    return scored[0][2]


async def number_answer(
    repo: Repo, village: Village | None, criterion: Criterion, text: str
) -> NumberAnswer | None:
    """The number answer to ``text`` about ``criterion``, or None if no number was asked."""
    if not asks_for_number(text):
        return None
    indicator = closest_indicator(criterion, text)
    levels = await vc.levels_for(repo, village, criterion)
    if indicator is not None:
        level = next((lv for lv in levels if lv.indicator.code == indicator.code), None)
    else:
        level = levels[0] if len(levels) == 1 else None
        indicator = level.indicator if level is not None else None
    commune = village.commune if village is not None else None
    group = commune.criteria_group if commune is not None else None
    keys = vc.level_keys_for(village)
    region = next((k for k in keys if not k.startswith("group") and k != "all"), None)
    grouped, regional = criterion.set_code in GROUPED_SETS, criterion.set_code in REGIONAL_SETS
    return NumberAnswer(indicator, level, group if grouped else None, region if regional else None)
