"""Backup and restore round trip (issue #10): counts and money sums come back exactly."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command

from ledger.backup import fingerprint
from ledger.models import LedgerEntry, Obligation
from ledger.services.obligations import payment_record
from tests.factories import World
from tests.ledger.obligation_helpers import contract_obligation, sme_obligation

pytestmark = pytest.mark.django_db(transaction=True)


def _some_money():
    world = World.build()
    first = sme_obligation(world)
    contract_obligation(world, principal="9999999999999.99")
    payment_record(actor=world.staff_a, obligation=first, kind="payment", on=date(2026, 5, 16), amount="50000.01")
    return world


def test_backup_then_restore_brings_back_every_row_and_every_fen(tmp_path):
    # given two obligations and a payment, backed up
    _some_money()
    before = fingerprint()
    assert before["tables"]["ledger_obligation"]["rows"] == 2
    assert before["tables"]["ledger_obligation"]["sums"]["principal"] == "10000000199999.99"
    assert before["tables"]["ledger_ledgerentry"]["sums"]["amount"] == "50000.01"
    target = tmp_path / "ledger.backup"
    call_command("backup_db", str(target))
    assert target.stat().st_size > 0
    # when the data is damaged after the backup
    LedgerEntry.objects.all().delete()
    Obligation.objects.filter(principal=Decimal("9999999999999.99")).delete()
    assert fingerprint() != before
    # and the backup is restored
    call_command("restore_db", str(target), "--yes")
    # then counts and money sums are exactly those of the backup
    assert fingerprint() == before
    assert Obligation.objects.count() == 2
    assert LedgerEntry.objects.get().amount == Decimal("50000.01")


def test_restore_needs_confirmation_and_an_existing_file(tmp_path):
    with pytest.raises(CommandError, match="加 --yes"):
        call_command("restore_db", str(tmp_path / "x.backup"))
    with pytest.raises(CommandError, match="备份文件不存在"):
        call_command("restore_db", str(tmp_path / "x.backup"), "--yes")


def test_backup_never_overwrites(tmp_path):
    target = tmp_path / "ledger.backup"
    target.write_bytes(b"keep me")
    with pytest.raises(CommandError, match="备份文件已存在，不会覆盖"):
        call_command("backup_db", str(target))
    assert target.read_bytes() == b"keep me"


def test_a_restore_that_does_not_match_its_fingerprint_fails(tmp_path):
    _some_money()
    target = tmp_path / "ledger.backup"
    call_command("backup_db", str(target))
    manifest = tmp_path / "ledger.backup.json"
    manifest.write_text(manifest.read_text(encoding="utf-8").replace('"50000.01"', '"50000.02"'), encoding="utf-8")
    with pytest.raises(
        CommandError, match="恢复后的行数或金额合计与备份时不一致：ledger_historicalledgerentry, ledger_ledgerentry$"
    ):
        call_command("restore_db", str(target), "--yes")
