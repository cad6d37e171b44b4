"""Serializer fields that apply the ledger's input rules at the boundary."""

from decimal import Decimal

from rest_framework import serializers

from ledger.rules import uscc
from ledger.rules.errors import RuleError
from ledger.rules.money import parse_amount


class UsccField(serializers.CharField):
    """SPEC R8: normalised (upper case, half-width) and validated; the normalised value is echoed."""

    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", 64)
        super().__init__(**kwargs)

    def to_internal_value(self, data):
        raw = super().to_internal_value(data)
        try:
            return uscc.validate(raw)
        except RuleError as exc:
            raise serializers.ValidationError(exc.detail, code=exc.code) from None


class MoneyField(serializers.DecimalField):
    """Yuan with 2 places. Over-precise input is refused, never rounded; floats are refused."""

    def __init__(self, *, positive: bool = True, **kwargs):
        kwargs.setdefault("max_digits", 17)
        kwargs.setdefault("decimal_places", 2)
        self.positive = positive
        super().__init__(**kwargs)

    def to_internal_value(self, data):
        if isinstance(data, float):
            raise serializers.ValidationError("金额须以字符串或整数提交（不接受浮点数）", code="float_amount")
        if isinstance(data, bool) or not isinstance(data, (str, int, Decimal)):
            raise serializers.ValidationError("金额格式无效", code="invalid")
        try:
            value = parse_amount(data, field=self.field_name, positive=self.positive)
        except RuleError as exc:
            raise serializers.ValidationError(exc.detail, code=exc.code) from None
        return value
