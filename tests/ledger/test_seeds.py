"""Seeds and demo data load idempotently; the action-plan command reads a plan into tasks."""

from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from ledger.models import Agency, EnterpriseScale, PlanTask, Role, Tenure, UnitGroup, User

SOURCE = Path(__file__).resolve().parents[3] / "shared" / "source" / "tunxi-rule-of-law-action-plan-2022-2024.txt"


def _counts():
    from django.apps import apps

    return {m.__name__: m._default_manager.count() for m in apps.get_app_config("ledger").get_models()}


@pytest.mark.django_db
def test_seeds_and_demo_load_twice_to_the_same_rows():
    call_command("load_seeds", stdout=StringIO())
    call_command("load_demo", stdout=StringIO())
    first = _counts()
    call_command("load_seeds", stdout=StringIO())
    call_command("load_demo", stdout=StringIO())
    assert _counts() == first
    assert PlanTask.objects.count() == 33
    assert Agency.objects.filter(is_demo=False).count() == 35
    # the district's agencies have no known real USCC: every minted code is marked demo
    assert not Agency.objects.filter(is_demo=False, uscc__isnull=False, uscc_is_demo=False).exists()
    assert sorted(UnitGroup.objects.values_list("name", flat=True)) == sorted(
        ["区政府各部门", "区政府有关部门", "区直各单位", "各镇人民政府", "各街道办事处"]
    )


@pytest.mark.django_db
def test_demo_has_a_user_per_role_two_handovers_a_merger_and_every_scale():
    call_command("load_seeds", stdout=StringIO())
    call_command("load_demo", stdout=StringIO())
    assert {u.role for u in User.objects.filter(is_demo=True)} == set(Role.values)
    jyj = Tenure.objects.filter(agency__short_code="jyj").order_by("start_on")
    assert [(t.person, t.acting) for t in jyj] == [
        ("张建国（演示）", False),
        ("李明（演示）", True),
        ("王强（演示）", False),
    ]
    merged = Agency.objects.get(short_code="demo-lyw")
    assert (merged.successor.short_code, str(merged.succeeded_on)) == ("wltj", "2024-03-01")
    assert sorted(EnterpriseScale.objects.values_list("scale", flat=True)) == ["中型", "大型", "小型", "微型"]


@pytest.mark.django_db
def test_task_20_units_from_the_seeds():
    call_command("load_seeds", stdout=StringIO())
    task = PlanTask.objects.get(number=20)
    assert [a.name for a in task.responsible_agencies.all()] == ["区发改委"]
    assert sorted(a.name for a in task.cooperating_agencies.all()) == sorted(["区法院", "区司法局", "区市场监管局"])
    assert sorted(g.name for g in task.cooperating_groups.all()) == ["各街道办事处", "各镇人民政府"]


@pytest.mark.django_db
def test_import_action_plan_command_on_the_real_text():
    if not SOURCE.exists():
        pytest.skip(f"the action plan text is not beside the repo ({SOURCE}); the seeds test covers the parsed copy")
    call_command("load_seeds", stdout=StringIO())
    out = StringIO()
    call_command("import_action_plan", str(SOURCE), "--plan", "重新导入", stdout=out)
    assert "已导入 33 项任务" in out.getvalue()
    task = PlanTask.objects.get(plan="重新导入", number=19)
    assert [a.name for a in task.responsible_agencies.all()] == ["区司法局"]
    assert sorted(a.name for a in task.cooperating_agencies.all()) == sorted(["区法院", "区检察院", "屯溪公安分局"])


@pytest.mark.django_db
def test_import_action_plan_refuses_unknown_units_and_writes_nothing(tmp_path):
    plan = tmp_path / "plan.txt"
    plan.write_text(
        "某县行动方案\n二、主要任务\n1．建立台账。（责任单位：县不存在局；配合单位：各镇人民政府）\n", encoding="utf-8"
    )
    with pytest.raises(CommandError, match="县不存在局"):
        call_command("import_action_plan", str(plan), stdout=StringIO())
    assert PlanTask.objects.count() == 0
    assert UnitGroup.objects.count() == 0
