"""Writes for saved filters (a user's own). Export jobs are created and run by ledger/api/exporting.py,
which owns the list pipeline they replay."""

from __future__ import annotations

from django.db import IntegrityError, transaction

from ledger.errors import ValidationFailed
from ledger.models import SavedFilter, User


def _unique(fn):
    try:
        with transaction.atomic():
            return fn()
    except IntegrityError:
        raise ValidationFailed.field("name", "同一列表下已有同名的筛选条件", code="duplicate_name") from None


@transaction.atomic
def saved_filter_create(*, actor: User, name: str, resource: str, query: str = "") -> SavedFilter:
    name = name.strip()
    if not name:
        raise ValidationFailed.field("name", "名称不能为空", code="required")
    return _unique(lambda: SavedFilter.objects.create(owner=actor, name=name, resource=resource, query=query))


@transaction.atomic
def saved_filter_update(*, actor: User, saved: SavedFilter, **fields) -> SavedFilter:
    if saved.owner_id != actor.pk:
        raise ValidationFailed.field("id", "只能修改自己保存的筛选条件", code="not_owner")
    if "name" in fields:
        fields["name"] = fields["name"].strip()
        if not fields["name"]:
            raise ValidationFailed.field("name", "名称不能为空", code="required")
    for key, value in fields.items():
        setattr(saved, key, value)

    def save():
        saved.save()
        return saved

    return _unique(save)


@transaction.atomic
def saved_filter_delete(*, actor: User, saved: SavedFilter) -> None:
    if saved.owner_id != actor.pk:
        raise ValidationFailed.field("id", "只能删除自己保存的筛选条件", code="not_owner")
    saved.delete()
