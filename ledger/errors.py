"""The one domain error hierarchy. Services raise these, never DRF exceptions.

The API exception handler (ledger/api/errors.py) turns each into the envelope
{"code", "detail", "fields"} with the status named here, and rolls the request back.
"""

from __future__ import annotations


class DomainError(Exception):
    status = 400
    code = "invalid"
    default_detail = "请求无效"

    def __init__(self, detail: str | None = None, *, code: str | None = None, fields: dict | None = None):
        self.detail = detail or self.default_detail
        if code:
            self.code = code
        self.fields = fields or {}
        super().__init__(self.detail)


class ValidationFailed(DomainError):
    """Bad input: 400, naming the fields at fault."""

    status = 400
    code = "invalid"
    default_detail = "输入有误"

    @classmethod
    def field(cls, name: str, message: str, *, code: str = "invalid") -> ValidationFailed:
        return cls(f"{name}：{message}", code=code, fields={name: [message]})


class NotFound(DomainError):
    """What does not exist, or belongs to another tenant: both look the same (SPEC §4)."""

    status = 404
    code = "not_found"
    default_detail = "未找到"


class PermissionDenied(DomainError):
    status = 403
    code = "permission_denied"
    default_detail = "无权执行此操作"


class IllegalTransition(DomainError):
    """A lifecycle move the transition table does not allow: 409."""

    status = 409
    code = "illegal_transition"
    default_detail = "当前状态不允许此操作"


class Conflict(DomainError):
    status = 409
    code = "conflict"
    default_detail = "与现有数据冲突"
