"""Factories for tests (factory_boy) and a ready-made world of tenants."""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from datetime import date

import factory

from ledger.models import Agency, Enterprise, Role, Tenure, User
from ledger.rules.uscc import make_demo_uscc

_seq = itertools.count(1)


def next_uscc(category: str = "91") -> str:
    return make_demo_uscc(f"{category}341002TET{next(_seq):06d}")


class AgencyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Agency

    name = factory.Sequence(lambda n: f"测试局{n}")
    short_code = factory.Sequence(lambda n: f"test-agency-{n}")
    uscc = factory.LazyFunction(lambda: next_uscc("11"))
    kind = "机关"
    region_code = "341002"
    legal_personality = True


class EnterpriseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Enterprise

    name = factory.Sequence(lambda n: f"测试企业{n}有限公司")
    uscc = factory.LazyFunction(next_uscc)
    ownership = "民营"
    region_code = "341002"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    role = Role.AUDITOR
    password = factory.PostGenerationMethodCall("set_password", "Test-password-2026")

    @factory.post_generation
    def _save(obj, create, extracted, **kwargs):
        if create:
            obj.save()


class TenureFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Tenure

    agency = factory.SubFactory(AgencyFactory)
    person = factory.Sequence(lambda n: f"负责人{n}")
    title = "局长"
    start_on = date(2020, 1, 1)


@dataclass
class World:
    agency_a: Agency
    agency_b: Agency
    enterprise_1: Enterprise
    enterprise_2: Enterprise
    staff_a: User
    staff_b: User
    enterprise_user_1: User
    enterprise_user_2: User
    supervisor: User
    auditor: User
    credit_officer: User
    administrator: User

    @classmethod
    def build(cls) -> World:
        a, b = AgencyFactory(), AgencyFactory()
        e1, e2 = EnterpriseFactory(), EnterpriseFactory()
        return cls(
            agency_a=a,
            agency_b=b,
            enterprise_1=e1,
            enterprise_2=e2,
            staff_a=UserFactory(role=Role.AGENCY_STAFF, agency=a, is_staff=True),
            staff_b=UserFactory(role=Role.AGENCY_STAFF, agency=b, is_staff=True),
            enterprise_user_1=UserFactory(role=Role.ENTERPRISE, enterprise=e1),
            enterprise_user_2=UserFactory(role=Role.ENTERPRISE, enterprise=e2),
            supervisor=UserFactory(role=Role.SUPERVISOR, is_staff=True),
            auditor=UserFactory(role=Role.AUDITOR, is_staff=True),
            credit_officer=UserFactory(role=Role.CREDIT_OFFICER, is_staff=True),
            administrator=UserFactory(role=Role.ADMINISTRATOR, is_staff=True),
        )
