"""Former home of the broadcast scheduler: now :mod:`bot.delivery.scheduler`."""

from bot.delivery.scheduler import Scheduler as BroadcastScheduler

__all__ = ["BroadcastScheduler"]
