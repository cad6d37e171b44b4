"""Demo parties: tenures with handovers, a merged agency, enterprises of each scale, a user per role.

Everything here is marked demo (is_demo); production mode refuses to start while demo users exist.
"""

from datetime import date

from django.db import transaction

from ledger.models import Agency, Enterprise, EnterpriseScale, Role, Tenure, User
from ledger.rules.uscc import make_demo_uscc
from ledger.seeding import upsert

DEMO_PASSWORD = "Ledger-demo-2026"  # noqa: S105  (documented in the README; demo only)
REGION = "341002"

ENTERPRISES = [
    # (key, name, scale, ownership)
    ("e1", "黄山徽韵建材有限公司（演示）", "小型", "民营"),
    ("e2", "屯溪新安信息技术有限公司（演示）", "微型", "民营"),
    ("e3", "黄山齐云文旅发展有限公司（演示）", "中型", "民营"),
    ("e4", "安徽黄山城建集团有限公司（演示）", "大型", "国有"),
]

USERS = [
    # (username, role, agency short code, enterprise key)
    ("demo-enterprise", Role.ENTERPRISE, None, "e1"),
    ("demo-enterprise2", Role.ENTERPRISE, None, "e2"),
    ("demo-staff", Role.AGENCY_STAFF, "jyj", None),
    ("demo-staff2", Role.AGENCY_STAFF, "wltj", None),
    ("demo-supervisor", Role.SUPERVISOR, None, None),
    ("demo-auditor", Role.AUDITOR, None, None),
    ("demo-credit", Role.CREDIT_OFFICER, None, None),
    ("demo-admin", Role.ADMINISTRATOR, None, None),
]


def enterprise_uscc(n: int) -> str:
    return make_demo_uscc(f"91{REGION}DEM{n:06d}")


def demo_enterprise(key: str) -> Enterprise:
    index = [e[0] for e in ENTERPRISES].index(key) + 1
    return Enterprise.objects.get(uscc=enterprise_uscc(index))


@transaction.atomic
def load() -> None:
    wltj = Agency.objects.get(short_code="wltj")
    jyj = Agency.objects.get(short_code="jyj")
    # 机构改革: a demo tourism commission merged into 区文旅体局 on 2024-03-01; its debts pass on.
    lyw, _ = upsert(
        Agency,
        short_code="demo-lyw",
        defaults={
            "name": "区旅游发展委员会（已撤并，演示）",
            "kind": "机关",
            "parent": Agency.objects.get(short_code="qzf"),
            "region_code": REGION,
            "legal_personality": True,
            "uscc": make_demo_uscc(f"11{REGION}DEM900001"),
            "uscc_is_demo": True,
            "successor": wltj,
            "succeeded_on": date(2024, 3, 1),
            "is_demo": True,
        },
    )
    tenures = [
        # 区交运局: two handovers, with an acting head (主持工作) in between.
        (jyj, "张建国（演示）", "局长", False, date(2019, 1, 1), date(2023, 7, 1)),
        (jyj, "李明（演示）", "副局长（主持工作）", True, date(2023, 7, 1), date(2023, 9, 1)),
        (jyj, "王强（演示）", "局长", False, date(2023, 9, 1), None),
        (wltj, "陈华（演示）", "局长", False, date(2020, 1, 1), date(2024, 5, 1)),
        (wltj, "刘洋（演示）", "局长", False, date(2024, 5, 1), None),
        (lyw, "赵敏（演示）", "主任", False, date(2018, 3, 1), date(2024, 3, 1)),
    ]
    for agency, person, title, acting, start, end in tenures:
        upsert(
            Tenure,
            agency=agency,
            start_on=start,
            defaults={"person": person, "title": title, "acting": acting, "end_on": end},
        )
    enterprises = {}
    for n, (key, name, scale, ownership) in enumerate(ENTERPRISES, start=1):
        ent, _ = upsert(
            Enterprise,
            uscc=enterprise_uscc(n),
            defaults={"name": name, "ownership": ownership, "region_code": REGION, "is_demo": True},
        )
        upsert(EnterpriseScale, enterprise=ent, valid_from=date(2020, 1, 1), defaults={"scale": scale})
        enterprises[key] = ent
    for username, role, agency_code, ent_key in USERS:
        user, created = upsert(
            User,
            username=username,
            defaults={
                "role": role,
                "agency": Agency.objects.get(short_code=agency_code) if agency_code else None,
                "enterprise": enterprises[ent_key] if ent_key else None,
                "is_demo": True,
                "is_staff": role != Role.ENTERPRISE,
                "first_name": username,
            },
        )
        if created:
            user.set_password(DEMO_PASSWORD)
            user.save(update_fields=["password"])
