"""Business dates are dates in Asia/Shanghai (SPEC §2).

Never use timezone.now().date(): that is the UTC date, wrong between 00:00 and 08:00 in China.
"""

from datetime import date, datetime
from zoneinfo import ZoneInfo

from django.utils import timezone

CHINA = ZoneInfo("Asia/Shanghai")


def today() -> date:
    return timezone.now().astimezone(CHINA).date()


def now() -> datetime:
    return timezone.now()


def parse_as_of(raw: str | None) -> date:
    """`?as_of=YYYY-MM-DD`, default today in Asia/Shanghai."""
    from ledger.errors import ValidationFailed

    if raw in (None, ""):
        return today()
    try:
        return date.fromisoformat(raw)
    except (TypeError, ValueError):
        raise ValidationFailed.field("as_of", "日期格式应为 YYYY-MM-DD", code="invalid_date") from None
