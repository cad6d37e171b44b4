"""The error every pure rule raises.

The API layer turns it into ``{"code", "detail", "fields"}`` (style.md, Errors).
"""

from __future__ import annotations


class RuleError(ValueError):
    """A value broke a business rule.

    ``code`` is a stable snake_case identifier for clients and tests, ``detail`` a
    Chinese sentence for people, ``field`` the input field at fault when there is one.
    """

    def __init__(self, code: str, detail: str, *, field: str | None = None) -> None:
        super().__init__(detail)
        self.code = code
        self.detail = detail
        self.field = field

    def __repr__(self) -> str:
        return f"{type(self).__name__}(code={self.code!r}, detail={self.detail!r}, field={self.field!r})"


class UsccInvalid(RuleError):
    """A 统一社会信用代码 that GB 32100-2015 does not allow."""


class AmountInvalid(RuleError):
    """A money amount that is not an exact, in-range yuan (or 万元) value."""


class CalendarError(RuleError):
    """A day-counting request the calendar cannot answer."""


class RecommendationError(RuleError):
    """A 检察建议 / 司法建议 input the reply-deadline rules cannot use."""


class PublicityError(RuleError):
    """A 失信信息 publicity request with no window in force."""
