"""Every kind of delivery and every planner, collected in one place.

How a feature registers (one line here, nothing else):

1. In the feature's own module (no aiogram), define::

       def delivery_kinds() -> list[KindSpec]:
           return [KindSpec("pledge.reminder", render_pledge_reminder, quiet_hours=QuietHours())]

       def planners() -> list[PlannerSpec]:          # optional
           return [PlannerSpec("pledge.reminders", plan_pledge_reminders, every=timedelta(minutes=15))]

   A renderer is ``async (RenderContext, payload) -> OutgoingMessage | None`` (None:
   nothing to say any more, the row is marked skipped); a planner is
   ``async (PlanContext) -> None`` and enqueues through ``ctx.enqueue`` with dedupe
   keys, so running it twice queues nothing twice.

2. Add the module's dotted path to :data:`FEATURES` below.

The engine builds the registry once at start (:func:`build_registry`); two
features registering the same kind or planner name is an error at start-up.
"""

from __future__ import annotations

import functools
import importlib
from collections.abc import Iterable
from dataclasses import dataclass, field

from bot.delivery.contract import KindSpec, PlannerSpec, QuietHours

#: Modules that define ``delivery_kinds()`` and/or ``planners()``. One line per feature.
FEATURES: tuple[str, ...] = (
    "bot.delivery.kinds",  # "reply": an answer a person waits for (/cauhoi)
    "bot.services.broadcast_delivery",  # "broadcast", and the due-broadcasts planner
    "bot.services.question_notices",  # the secretary hears of residents' questions, batched
    "bot.services.contributions",  # pledge reminders, summaries, the group board, announcements
    "bot.services.visits",  # visit reminders, overdue notices, needs, the monthly report
    "bot.services.consultations",  # consultation boards, results, minutes, reminders
)


@dataclass(slots=True)
class Registry:
    kinds: dict[str, KindSpec] = field(default_factory=dict)
    planners: dict[str, PlannerSpec] = field(default_factory=dict)

    def add_kind(self, spec: KindSpec) -> None:
        if spec.kind in self.kinds:
            raise ValueError(f"delivery kind {spec.kind!r} registered twice")
        self.kinds[spec.kind] = spec

    def add_planner(self, spec: PlannerSpec) -> None:
        if spec.name in self.planners:
            raise ValueError(f"planner {spec.name!r} registered twice")
        self.planners[spec.name] = spec

    def spec(self, kind: str) -> KindSpec | None:
        return self.kinds.get(kind)

    def quiet_hours(self, kind: str) -> QuietHours | None:
        """The kind's quiet hours; an unknown kind gets the default ones."""
        spec = self.kinds.get(kind)
        return spec.quiet_hours if spec is not None else QuietHours()


def build_registry(modules: Iterable[str] = FEATURES) -> Registry:
    registry = Registry()
    for name in modules:
        module = importlib.import_module(name)
        for spec in getattr(module, "delivery_kinds", list)():
            registry.add_kind(spec)
        for planner in getattr(module, "planners", list)():
            registry.add_planner(planner)
    return registry


@functools.cache
def default_registry() -> Registry:
    return build_registry()
