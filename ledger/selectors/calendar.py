"""The working-day calendar in force: the chinesecalendar package plus administrator overrides."""

from django.conf import settings

from ledger.models import CalendarOverride
from ledger.rules.calendar import WorkCalendar


def current_calendar() -> WorkCalendar:
    overrides = dict(CalendarOverride.objects.values_list("day", "is_workday"))
    return WorkCalendar(overrides=overrides, reading=settings.LEDGER_DAY_COUNTING)
