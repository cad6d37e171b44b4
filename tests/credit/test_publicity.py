"""Publicity windows (SPEC R10): the administrator's dated table, windows at determination,
expiry as of a date, and the flag for a record still unperformed at its maximum."""

from datetime import date

import pytest

from credit.models import PublicityWindowRule, RecordStatus
from credit.selectors import flagged_records, performed_on, publication
from credit.services import records as svc
from credit.services.windows import publicity_window_save, seed_publicity_windows
from ledger.errors import ValidationFailed
from ledger.models import Notification
from ledger.rules.publicity import DEFAULT_WINDOWS
from tests.credit.builders import authority, bring_to, candidate, determine

S = RecordStatus


@pytest.mark.django_db
def test_the_table_is_seeded_with_order_36_and_reseeding_adds_nothing(windows):
    seed_publicity_windows()
    rows = list(
        PublicityWindowRule.objects.order_by("min_months").values_list(
            "severity", "published", "min_months", "max_months", "effective_from"
        )
    )
    assert rows == [
        ("轻微", False, 0, 3, date(2026, 4, 1)),
        ("一般", True, 3, 12, date(2026, 4, 1)),
        ("严重", True, 12, 36, date(2026, 4, 1)),
    ]
    assert all(
        "国家发展改革委令第36号" in basis for basis in PublicityWindowRule.objects.values_list("basis", flat=True)
    )
    assert sum(PublicityWindowRule.history.filter(id=r.id).count() for r in PublicityWindowRule.objects.all()) == 3
    assert len(DEFAULT_WINDOWS) == 3


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("severity", "determined_on", "published", "min_end", "max_end"),
    [
        ("一般", date(2026, 6, 15), True, date(2026, 9, 15), date(2027, 6, 15)),
        ("严重", date(2026, 6, 15), True, date(2027, 6, 15), date(2029, 6, 15)),
        ("轻微", date(2026, 6, 15), False, date(2026, 6, 15), date(2026, 9, 15)),
        # month ends (民法典 art. 202): no 30 November + … beyond the month's last day
        ("一般", date(2026, 8, 31), True, date(2026, 11, 30), date(2027, 8, 31)),
        ("严重", date(2027, 2, 28), True, date(2028, 2, 28), date(2030, 2, 28)),
        ("一般", date(2027, 11, 30), True, date(2028, 2, 29), date(2028, 11, 30)),  # leap year
    ],
)
def test_window_at_determination(world, windows, severity, determined_on, published, min_end, max_end):
    record = bring_to(world, S.RECTIFICATION_ORDERED)
    record = determine(world, record, by=authority(), on=determined_on, severity=severity)
    assert (record.publicity_start, record.publicity_min_end, record.publicity_max_end) == (
        determined_on,
        min_end,
        max_end,
    )
    assert record.published is published
    assert record.window_rule.severity == severity
    assert "国家发展改革委令第36号" in record.window_basis


@pytest.mark.django_db
def test_minor_is_published_only_when_decided_and_general_must_be(world, windows):
    minor = determine(world, bring_to(world, S.RECTIFICATION_ORDERED), by=authority(), severity="轻微", publish=True)
    assert minor.published is True
    general = bring_to(world, S.RECTIFICATION_ORDERED)
    with pytest.raises(ValidationFailed) as exc:
        determine(world, general, by=authority(), severity="一般", publish=False)
    assert list(exc.value.fields) == ["publish"]
    general.refresh_from_db()
    assert general.status == S.RECTIFICATION_ORDERED


@pytest.mark.django_db
def test_no_window_before_order_36_unless_the_administrator_enters_one(world, windows):
    officer = world.credit_officer
    record = candidate(world, proposed_on=date(2026, 1, 5))
    record = svc.record_verify(actor=officer, record=record, on=date(2026, 1, 6), reason="核实")
    record = svc.record_order_rectification(
        actor=officer, record=record, on=date(2026, 1, 7), deadline=date(2026, 2, 7), reason="整改"
    )
    with pytest.raises(ValidationFailed) as exc:
        determine(world, record, by=authority(), on=date(2026, 3, 31))
    assert exc.value.code == "publicity_window_missing"
    record.refresh_from_db()
    assert record.status == S.RECTIFICATION_ORDERED
    # an administrator's dated row (with its basis) governs from its date
    publicity_window_save(
        actor=world.administrator,
        severity="一般",
        published=True,
        min_months=3,
        max_months=12,
        effective_from=date(2023, 5, 1),
        basis="（测试）此前适用的规则",
    )
    record = determine(world, record, by=authority(), on=date(2026, 3, 31))
    assert record.window_basis == "（测试）此前适用的规则"
    assert record.publicity_max_end == date(2027, 3, 31)


@pytest.mark.django_db
def test_a_later_row_governs_only_later_determinations_and_a_used_row_is_frozen(world, windows):
    early = determine(world, bring_to(world, S.RECTIFICATION_ORDERED), by=authority(), on=date(2026, 6, 1))
    publicity_window_save(
        actor=world.administrator,
        severity="一般",
        published=True,
        min_months=6,
        max_months=24,
        effective_from=date(2027, 1, 1),
        basis="（测试）新规则",
    )
    late = determine(world, bring_to(world, S.RECTIFICATION_ORDERED), by=authority(), on=date(2027, 1, 1))
    early.refresh_from_db()
    assert (early.publicity_min_end, early.publicity_max_end) == (date(2026, 9, 1), date(2027, 6, 1))
    assert (late.publicity_min_end, late.publicity_max_end) == (date(2027, 7, 1), date(2029, 1, 1))
    used = early.window_rule
    with pytest.raises(ValidationFailed) as exc:
        publicity_window_save(
            actor=world.administrator,
            window=used,
            severity="一般",
            published=True,
            min_months=1,
            max_months=2,
            effective_from=used.effective_from,
            basis=used.basis,
        )
    assert exc.value.code == "in_use"
    used.refresh_from_db()
    assert (used.min_months, used.max_months) == (3, 12)


@pytest.mark.django_db
def test_publication_as_of_a_date(world, windows):
    # given a 一般 record determined 2026-06-15 (maximum 2027-06-15)
    record = bring_to(world, S.DETERMINED)
    state = lambda day: publication(record, day, performed_on(record)).code  # noqa: E731
    assert state(date(2026, 6, 14)) == "not_determined"
    assert state(date(2026, 6, 15)) == "published"
    assert state(date(2027, 6, 15)) == "published"  # through the last day of the maximum
    # unperformed at the maximum: flagged, not silently expired
    pub = publication(record, date(2027, 6, 16), None)
    assert (pub.code, pub.published, pub.flagged) == ("max_reached_unperformed", True, True)
    # performed: it stops being published from the day after the maximum
    svc.record_performance_record(
        actor=world.credit_officer, record=record, performed_on=date(2027, 1, 10), note="已支付"
    )
    record.refresh_from_db()
    pub = publication(record, date(2027, 6, 16), performed_on(record))
    assert (pub.code, pub.published, pub.flagged) == ("max_reached", False, False)
    assert state(date(2027, 6, 15)) == "published"


@pytest.mark.django_db
def test_flagged_records_are_notified_to_credit_officers_once(world, windows):
    record = bring_to(world, S.DETERMINED)
    assert flagged_records(date(2027, 6, 15)) == []
    assert flagged_records(date(2027, 6, 16)) == [record]
    assert svc.notify_flagged(as_of=date(2027, 6, 16)) == 1
    assert svc.notify_flagged(as_of=date(2027, 6, 17)) == 0
    note = Notification.objects.get()
    assert note.user == world.credit_officer
    assert record.number in note.title


@pytest.mark.django_db
def test_expire_is_refused_before_the_maximum_and_allowed_after(world, windows):
    record = bring_to(world, S.DETERMINED)
    with pytest.raises(ValidationFailed) as exc:
        svc.record_expire(actor=world.credit_officer, record=record, on=date(2027, 6, 15), reason="期满")
    assert exc.value.code == "max_not_reached"
    record = svc.record_expire(actor=world.credit_officer, record=record, on=date(2027, 6, 16), reason="期满")
    assert (record.status, record.closed_on) == (S.EXPIRED, date(2027, 6, 16))
    assert publication(record, date(2027, 6, 16), None).code == S.EXPIRED


@pytest.mark.django_db
def test_flagged_records_through_the_api(world, windows, api):
    # given a 一般 record determined 2026-06-15 (maximum 2027-06-15), unperformed, and a performed one
    flagged = bring_to(world, S.DETERMINED)
    performed = bring_to(world, S.DETERMINED)
    svc.record_performance_record(
        actor=world.credit_officer, record=performed, performed_on=date(2027, 1, 10), note="已支付"
    )
    client = api(world.credit_officer)
    url = "/api/credit/records/"

    def listed(as_of):
        r = client.get(url, {"flagged": "true", "as_of": as_of})
        assert r.status_code == 200, r.content
        return [row["id"] for row in r.json()["results"]]

    # then on the last day of the maximum nothing is flagged; from the next day the unperformed one is
    assert listed("2027-06-15") == []
    assert listed("2027-06-16") == [flagged.pk]
    shown = client.get(f"{url}{flagged.pk}/", {"as_of": "2027-06-16"}).json()["publication"]
    assert shown == {
        "as_of": "2027-06-16",
        "code": "max_reached_unperformed",
        "label": "最长公示期届满但义务未履行，待信用管理员处理",
        "published": True,
        "flagged": True,
        "performed_on": None,
        "repair_blockers": ["失信行为尚未纠正、法定义务尚未履行完毕", "尚未作出公开信用承诺"],
    }
    other = client.get(f"{url}{performed.pk}/", {"as_of": "2027-06-16"}).json()["publication"]
    assert (other["code"], other["published"], other["flagged"], other["performed_on"]) == (
        "max_reached",
        False,
        False,
        "2027-01-10",
    )
