"""What a consultation shows: the group board, the minutes ("Biên bản lấy ý kiến") as
a message and a PDF, the chart and the sheet of votes.

Every text a person typed (the question, options, "other" answers, names) is hostile:
HTML-escaped in messages, drawn with ``parse_math=False`` and without emoji in the
chart and the PDF (matplotlib reads ``$`` as maths), and never a formula in the sheet
(:mod:`bot.services.safefiles`, the rule every export follows).
Each function takes the gettext of the reader's language."""

from __future__ import annotations

import io
import textwrap
from collections.abc import Callable
from datetime import datetime
from zoneinfo import ZoneInfo

from bot.services.consultations.domain import plain_label
from bot.services.consultations.service import Result, choice_labels
from bot.services.markup import esc
from bot.services.safefiles import append_row
from storage.models import ConsultationKind, Voters

Gettext = Callable[[str], str]


def _pyplot():  # noqa: ANN202 - matplotlib loads on the first document, not at start-up
    from bot.services.charts import pyplot  # usetex and mathtext off for the process

    return pyplot()


def _drawn(text: str) -> str:
    """``text`` as the PDF's and the chart's font can draw it (no emoji, no control or
    other characters DejaVu Sans lacks, which it would draw as boxes)."""
    from bot.services.charts import chart_text

    return chart_text(plain_label(text))


NAMES_IN_MESSAGE = 100


def local(moment: datetime, tz: str) -> str:
    return moment.astimezone(ZoneInfo(tz)).strftime("%H:%M %d/%m/%Y")


def voters_text(voters: str, _: Gettext) -> str:
    return {
        Voters.HOUSEHOLD: _("one answer per household"),
        Voters.RESIDENT: _("one answer per resident"),
        Voters.MEMBER: _("one answer per party member"),
    }.get(voters, voters)


def kind_text(kind: str, _: Gettext) -> str:
    return {
        ConsultationKind.YES_NO: _("yes or no"),
        ConsultationKind.SINGLE: _("one choice"),
        ConsultationKind.MULTI: _("several choices allowed"),
    }.get(kind, kind)


def other_label(_: Gettext) -> str:
    return _("Other")


def turnout_line(result: Result, _: Gettext) -> str:
    count = result.tally
    if result.consultation.voters == Voters.HOUSEHOLD:
        text = _("Households that answered: {voted} of {eligible} ({percent}%)")
    elif result.consultation.voters == Voters.MEMBER:
        text = _("Party members who answered: {voted} of {eligible} ({percent}%)")
    else:
        text = _("Residents who answered: {voted} of {eligible} ({percent}%)")
    return text.format(voted=count.voted, eligible=count.eligible, percent=count.turnout_percent)


def _option_lines(result: Result, _: Gettext) -> list[str]:
    lines = []
    rows = list(result.tally.options)
    if result.tally.other is not None:
        rows.append(result.tally.other)
    for row in rows:
        lines.append(
            _("{option}: {votes} ({percent}%)").format(
                option=row.label, votes=row.votes, percent=row.percent
            )
        )
    return lines


def board_text(result: Result, _: Gettext, tz: str, now: datetime) -> str:
    """The live board in the group (HTML): the question, the turnout and the share
    per option; no names and no typed answers, so it stays short."""
    consultation = result.consultation
    closed = consultation.status != "open"
    lines = [
        "🗳 <b>" + _("Consultation") + "</b>",
        esc(consultation.question),
        "<i>"
        + esc(voters_text(consultation.voters, _))
        + " · "
        + esc(kind_text(consultation.kind, _))
        + "</i>",
        "",
        esc(turnout_line(result, _)),
    ]
    lines += ["• " + esc(line) for line in _option_lines(result, _)]
    lines.append("")
    if closed:
        ended = min(consultation.closed_at or consultation.closes_at, consultation.closes_at)
        lines.append(_("Closed at {time}. Final result.").format(time=local(ended, tz)))
    else:
        lines.append(
            _("Open until {time}. Answer in private with the button below; only verified answers are counted.").format(
                time=local(consultation.closes_at, tz)
            )
        )
        lines.append("<i>" + _("Updated {time}").format(time=local(now, tz)) + "</i>")
    return "\n".join(lines)


def minutes_lines(
    result: Result, _: Gettext, tz: str, *, village: str, campaign: str | None, now: datetime
) -> list[tuple[str, bool]]:
    """The minutes as (plain text, is a heading) lines, for the message and the PDF."""
    consultation = result.consultation
    ended = consultation.closed_at or now
    lines: list[tuple[str, bool]] = [
        (_("MINUTES OF A CONSULTATION OF RESIDENTS"), True),
        (_("Village: {village}").format(village=village), False),
        (_("Question: {question}").format(question=consultation.question), False),
        (
            _("Who answered: {voters}; {kind}").format(
                voters=voters_text(consultation.voters, _), kind=kind_text(consultation.kind, _)
            ),
            False,
        ),
        (
            _("From {start} to {end}").format(
                start=local(consultation.opens_at, tz), end=local(min(ended, consultation.closes_at), tz)
            ),
            False,
        ),
    ]
    if campaign:
        lines.append((_("About the campaign: {campaign}").format(campaign=campaign), False))
    lines.append((turnout_line(result, _), False))
    lines.append((_("Results:"), True))
    lines += [("– " + line, False) for line in _option_lines(result, _)]
    if result.tally.other_texts:
        lines.append((_("Other answers:"), True))
        lines += [(f"– “{text}”", False) for text in result.tally.other_texts]
    if consultation.names_public:
        lines.append((_("Answers by name:"), True))
        for ballot in sorted(result.ballots, key=lambda b: b.name):
            answer = choice_labels(result.labels, other_label(_), ballot.choices, ballot.other_text)
            lines.append((f"– {ballot.name}: {answer}", False))
    else:
        lines.append((_("Names are not public for this consultation."), False))
    lines.append((_("Drawn up at {time}.").format(time=local(now, tz)), False))
    return lines


def minutes_html(lines: list[tuple[str, bool]], _: Gettext) -> str:
    out: list[str] = []
    names = 0
    hidden = 0
    for text, heading in lines:
        if text.startswith("– ") and names >= NAMES_IN_MESSAGE:
            hidden += 1
            continue
        if text.startswith("– "):
            names += 1
        out.append(f"<b>{esc(text)}</b>" if heading else esc(text))
    if hidden:
        out.append(_("…and {count} more lines: see the PDF.").format(count=hidden))
    return "\n".join(out)


PAGE = (8.27, 11.69)  # A4, inches
LINES_PER_PAGE = 52
WRAP = 88


def minutes_pdf(lines: list[tuple[str, bool]]) -> bytes:
    """The minutes as an A4 PDF (matplotlib's PDF backend, DejaVu Sans: Vietnamese
    letters, no emoji; no text read as maths)."""
    wrapped: list[tuple[str, bool]] = []
    for text, heading in lines:
        for piece in textwrap.wrap(_drawn(text), WRAP) or [""]:
            wrapped.append((piece, heading))
    from matplotlib.backends.backend_pdf import PdfPages

    plt = _pyplot()
    buffer = io.BytesIO()
    with PdfPages(buffer) as pdf:
        for start in range(0, max(len(wrapped), 1), LINES_PER_PAGE):
            figure = plt.figure(figsize=PAGE)
            try:
                for index, (text, heading) in enumerate(wrapped[start : start + LINES_PER_PAGE]):
                    figure.text(
                        0.08,
                        0.94 - index * 0.0168,
                        text,
                        fontsize=11 if heading else 10,
                        fontweight="bold" if heading else "normal",
                        va="top",
                        ha="left",
                        parse_math=False,
                    )
                pdf.savefig(figure)
            finally:
                plt.close(figure)
    return buffer.getvalue()


def votes_xlsx(result: Result, _: Gettext, tz: str) -> bytes:
    """One row per vote standing. Names only where public; every cell of typed text
    is written as text, never a formula (:func:`bot.services.safefiles.append_row`);
    the time is a date and time (village time)."""
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = _("Votes")[:31]
    append_row(sheet, [_("Question"), result.consultation.question])
    append_row(sheet, [_("Answers"), result.tally.voted, _("Of"), result.tally.eligible])
    sheet.append([])
    append_row(sheet, [_("No."), _("Voter"), _("Answer"), _("Other answer"), _("Time"), _("Changes")])
    for number, ballot in enumerate(result.ballots, start=1):
        append_row(
            sheet,
            [
                number,
                ballot.name or _("(not public)"),
                choice_labels(result.labels, other_label(_), ballot.choices),
                ballot.other_text,
                ballot.updated_at.astimezone(ZoneInfo(tz)).replace(tzinfo=None),
                ballot.changes,
            ],
        )
        sheet.cell(sheet.max_row, 5).number_format = "HH:MM DD/MM/YYYY"
    sheet.append([])
    append_row(sheet, [_("Option"), _("Answers"), "%"])
    rows = list(result.tally.options) + ([result.tally.other] if result.tally.other else [])
    for row in rows:
        append_row(sheet, [row.label, row.votes, row.percent])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def chart_png(result: Result, _: Gettext) -> bytes:
    """One bar per option, its share of those who answered."""
    rows = list(result.tally.options) + ([result.tally.other] if result.tally.other else [])
    labels = [textwrap.shorten(_drawn(r.label), 40, placeholder="…") or "?" for r in rows]
    height = 1.2 + 0.5 * len(rows)
    plt = _pyplot()
    figure = plt.figure(figsize=(4.2, height), dpi=200)
    try:
        axes = figure.add_axes((0.05, 0.6 / height, 0.9, (height - 1.1) / height))
        axes.set_xlim(0, 100)
        axes.set_ylim(len(rows) - 0.5, -0.5)
        axes.axis("off")
        for index, (label, row) in enumerate(zip(labels, rows, strict=True)):
            axes.barh(index, 100, color="#eceff1", height=0.8)
            axes.barh(index, row.percent, color="#2e7d32", height=0.8)
            axes.text(2, index, f"{label}: {row.votes} ({row.percent}%)", va="center", fontsize=9, parse_math=False)
        title = textwrap.shorten(_drawn(result.consultation.question), 60, placeholder="…")
        figure.text(0.05, 1 - 0.1 / height, title, va="top", fontsize=10, fontweight="bold", parse_math=False)
        figure.text(
            0.05, 0.15 / height, _drawn(turnout_line(result, _)), fontsize=8, parse_math=False
        )
        buffer = io.BytesIO()
        figure.savefig(buffer, format="png")
        return buffer.getvalue()
    finally:
        plt.close(figure)
