"""Tenancy: who may read which rows. The API, the admin and exports all go through `visible_to`.

Each model registers where its tenants sit (SPEC §1): the path to its agency and/or to its
enterprise. Higher apps (contracts, credit) register their models from their AppConfig.ready(),
so the core never imports them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.db.models import Model, QuerySet

from ledger.models import Agency, Role, User


@dataclass(frozen=True)
class Tenancy:
    agency_path: str | None = None  # lookup to the owning Agency ("" means the row is the agency)
    enterprise_path: str | None = None  # lookup to the owning Enterprise ("" means the row is the enterprise)
    public: bool = False  # reference data every signed-in user reads
    agency_staff_reads_all: bool = False  # e.g. the enterprise directory, needed to record a debt
    custom: Callable[[User, QuerySet], QuerySet] | None = None  # a rule of its own (users)
    global_roles: frozenset[str] = frozenset({Role.SUPERVISOR, Role.AUDITOR, Role.CREDIT_OFFICER, Role.ADMINISTRATOR})


_REGISTRY: dict[type[Model], Tenancy] = {}


def register_tenancy(model: type[Model], tenancy: Tenancy) -> None:
    _REGISTRY[model] = tenancy


def tenancy_of(model: type[Model]) -> Tenancy:
    try:
        return _REGISTRY[model]
    except KeyError:
        raise LookupError(f"{model.__name__} has no tenancy registered: add register_tenancy()") from None


def registered_models() -> dict[type[Model], Tenancy]:
    return dict(_REGISTRY)


def agency_ids_for(user: User) -> set[int]:
    """The staff member's agency and every agency merged into it, transitively (debts pass on)."""
    if user.agency_id is None:
        return set()
    ids = {user.agency_id}
    frontier = {user.agency_id}
    while frontier:
        frontier = set(Agency.objects.filter(successor_id__in=frontier).values_list("id", flat=True)) - ids
        ids |= frontier
    return ids


def _path(path: str, suffix: str) -> str:
    return f"{path}__{suffix}" if path else suffix


def visible_to(user: User, qs: QuerySet) -> QuerySet:
    """Rows of `qs` the user may read; another tenant's rows simply are not there (→ 404)."""
    if not user or not user.is_authenticated:
        return qs.none()
    tenancy = tenancy_of(qs.model)
    if tenancy.custom is not None:
        return tenancy.custom(user, qs)
    if tenancy.public or user.role in tenancy.global_roles or user.is_superuser:
        return qs
    if user.role == Role.AGENCY_STAFF:
        if tenancy.agency_staff_reads_all:
            return qs
        if tenancy.agency_path is None:
            return qs.none()
        return qs.filter(**{_path(tenancy.agency_path, "id__in"): agency_ids_for(user)})
    if user.role == Role.ENTERPRISE:
        if tenancy.enterprise_path is None or user.enterprise_id is None:
            return qs.none()
        return qs.filter(**{_path(tenancy.enterprise_path, "id"): user.enterprise_id})
    return qs.none()


def is_visible(user: User, obj: Model) -> bool:
    return visible_to(user, type(obj)._default_manager.filter(pk=obj.pk)).exists()


def owns_agency(user: User, agency_id: int | None) -> bool:
    """May this user write for this agency? Staff only for their own (and merged) agencies."""
    if user.role == Role.ADMINISTRATOR or user.is_superuser:
        return True
    return user.role == Role.AGENCY_STAFF and agency_id in agency_ids_for(user)
