"""Texts of the criteria flows: status names, a criterion, its indicators, a set's header."""

from __future__ import annotations

from aiogram.utils.i18n import get_i18n
from aiogram.utils.i18n import gettext as _

from bot.services import criteria_numbers
from bot.services import village_criteria as vc
from bot.services.criteria import CriteriaSet, Criterion, MatchResult
from bot.services.criteria.english import english_texts
from bot.services.criteria.sheet import REGIONS
from bot.services.markup import esc
from bot.settings import Settings
from storage.models import Village
from storage.repo import Repo


def status_names() -> dict[vc.Status | None, str]:
    return {
        vc.Status.MET: _("met"),
        vc.Status.IN_PROGRESS: _("in progress"),
        vc.Status.NOT_MET: _("not met"),
        None: _("no information yet"),
    }


STATUS_ICONS = {
    vc.Status.MET: "✅",
    vc.Status.IN_PROGRESS: "🟡",
    vc.Status.NOT_MET: "❌",
    None: "⚪",
}


async def status_line(
    repo: Repo, village: Village | None, criterion: Criterion, settings: Settings
) -> str:
    if village is None:
        return ""
    row = await vc.current_status(repo, village.id, criterion.set_code, criterion.number)
    status = vc.Status(row.status) if row else None
    text = f"📌 {esc(village.name)}: {STATUS_ICONS[status]} <b>{status_names()[status]}</b>"
    if row is not None:
        text += f" ({row.decided_on:%d/%m/%Y})"
        if row.note:
            text += f" – {esc(row.note)}"
    return text


async def render_criterion(
    repo: Repo,
    village: Village | None,
    criterion: Criterion,
    settings: Settings,
    *,
    result: MatchResult | None = None,
    from_set: CriteriaSet | None = None,
    question: str | None = None,
) -> str:
    parts = [f"<b>{esc(criterion.title)}</b>"]
    number = (
        await criteria_numbers.number_answer(repo, village, criterion, question)
        if question
        else None
    )
    english = english_texts(criterion.set_code, criterion.number)
    in_english = get_i18n().current_locale != "vi"
    if in_english and english is not None:
        parts[0] += f"\n<i>{esc(english.name)}</i>"
        parts.append(
            "🇻🇳 "
            + _(
                "The criteria are published in Vietnamese: the official name and summary are the "
                "original Vietnamese, with English where the meaning is clear."
            )
        )
    elif in_english:
        parts.append(
            "🇻🇳 "
            + _(
                "The criteria are published in Vietnamese: their text below is the original Vietnamese."
            )
        )
    if result is not None and result.mentioned_other is not None:
        other = result.mentioned_other
        parts.append(
            "ℹ️ "
            + _(
                "You asked about {old} of the previous set; that topic is now part of this criterion."
            ).format(old=f"<i>{esc(other.title)}</i>")
        )
    if from_set is not None:
        parts.append("📘 " + _("From the set “{name}”.").format(name=esc(from_set.name)))
    if result is not None and result.national is not None and result.national is not criterion:
        parts.append(
            "🔗 "
            + _("In the commune's national set this is {criterion}.").format(
                criterion=f"<i>{esc(result.national.title)}</i>"
            )
        )
    if number is not None:
        parts.append(number_text(number))
    if result is not None and result.faq is not None:
        parts.append(f"💬 {esc(result.faq.answer)}")
    parts.append(esc(criterion.summary))
    levels = await vc.levels_for(repo, village, criterion)
    if levels:
        lines = [_("📏 <b>Levels to reach</b>")]
        for level in levels[:4]:
            lines.append(
                "• {code} {name}: <b>{value}</b> ({where})\n  <i>{source}</i>".format(
                    code=esc(level.indicator.code),
                    name=esc(level.indicator.name),
                    value=esc(level.value),
                    where=esc(threshold_label(level.key)),
                    source=_("Source: {source}").format(source=esc(level.source)),
                )
            )
        parts.append("\n".join(lines))
    village_text, household_text = criterion.village_asks, criterion.household_asks
    if in_english and english is not None:
        village_text, household_text = english.village, english.household
    parts.append(_("🏘 <b>The village:</b> {text}").format(text=esc(village_text)))
    parts.append(_("🏠 <b>Each household:</b> {text}").format(text=esc(household_text)))
    line = await status_line(repo, village, criterion, settings)
    if line:
        parts.append(line)
    return "\n\n".join(parts)


def number_text(number: criteria_numbers.NumberAnswer) -> str:
    """The answer to "how much / what share": the village's level with its source, or who
    sets it and that the office's level will be shown once entered."""
    if number.level is not None:
        level = number.level
        return "🔢 <b>{name}</b>: <b>{value}</b> ({where})\n<i>{source}</i>".format(
            name=esc(f"{level.indicator.code} {level.indicator.name}"),
            value=esc(level.value),
            where=esc(threshold_label(level.key)),
            source=_("Source: {source}").format(source=esc(level.source)),
        )
    what = (
        esc(f"{number.indicator.code} {number.indicator.name}")
        if number.indicator is not None
        else _("this criterion")
    )
    text = "🔢 " + _(
        "The number for {what} is set for each commune group or region by the national "
        "decision, and the province's guidance makes it concrete for each commune; no confirmed "
        "number is known here yet. Ask the commune office. Once the office enters its level, "
        "I will show it here."
    ).format(what=what)
    if number.group is not None:
        text += " " + _("Your commune is in group {n}.").format(n=number.group)
    if number.region is not None:
        text += " " + _("Your commune is in the region {region}.").format(
            region=esc(threshold_label(number.region))
        )
    return text


def render_indicators(criterion: Criterion, group: int | None) -> str:
    lines = [f"<b>{esc(criterion.title)}</b>"]
    wanted = {f"group{group}", "all"} if group else None
    for indicator in criterion.indicators:
        lines.append(f"\n<b>{esc(indicator.code)}. {esc(indicator.name)}</b>")
        lines.append(esc(indicator.requirement))
        shown = [t for t in indicator.shown_thresholds() if wanted is None or t.key in wanted]
        for threshold in shown:
            lines.append(
                f"• {esc(threshold_label(threshold.key))}: {esc(threshold.value)}"
            )
        if not indicator.shown_thresholds():
            lines.append(
                "<i>"
                + _("The exact standard is being checked against the decision; ask the commune.")
                + "</i>"
            )
    if criterion.source:
        lines.append(
            "\n<i>" + _("Source: {source}").format(source=esc(criterion.source)) + "</i>"
        )
    text = "\n".join(lines)
    return text if len(text) < 4000 else text[:3990] + "…"


def threshold_label(key: str) -> str:
    if key.startswith("group") and key[5:].isdigit():
        return _("Commune group {n}").format(n=key[5:])
    if key == "all":
        return _("All communes")
    if key in REGIONS:
        return REGIONS[key]
    return key


def set_header(criteria_set: CriteriaSet) -> str:
    return "<b>{name}</b>\n<i>{document}</i>\n{count}".format(
        name=esc(criteria_set.name),
        document=esc(criteria_set.document),
        count=_("{n} criteria. Choose one to read it.").format(n=len(criteria_set.criteria)),
    )
