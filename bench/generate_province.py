"""Generate a realistic province on PostgreSQL, deterministically, with COPY (issue 9).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/ledger_bench \\
        .venv/bin/python bench/generate_province.py [--scale 1.0] [--seed 9] [--obligations N] [--truncate]

Defaults (``--scale 1``): 16 cities and 100 counties of 安徽省, 2,000 agencies (county and city
governments, departments under them; about 3 % merged into a successor — 机构改革 — and every
agency with one to three principal tenures, so 新官不理旧账 has handovers to find), 200,000
enterprises with a scale each, 100,000 contracts with three milestones each (two government
payments, one delivery), 1,000,000 obligations (the triggered government payment milestones among
them) with about 830,000 payments, and 20,000 recommendations. ``--scale 0.2`` is a fifth of
every count; ``--obligations`` overrides that one count.

Every row satisfies the model constraints: USCCs pass R8 (GB 32100 check digit, ledger.rules.uscc),
money is Decimal to the 分, due dates are trigger + agreed term (never before arising), the
running totals (``principal_paid``, ``fully_paid_on``, the settled outcome) agree with the payment
entries, tenures never overlap. Historical (simple_history) rows are not written: this is bulk data,
not a history of edits. Same seed, same scale → the same rows.

The tables are written with ``COPY … FROM STDIN`` (psycopg 3 ``cursor.copy``) in one transaction,
then VACUUMed and ANALYZEd. SQLite is refused. ``--truncate`` empties what a previous run wrote first (bench
databases only: it truncates the obligation, contract and enterprise tables outright).
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import tempfile
import time
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

CITIES = [  # 安徽省: 16 prefecture-level cities (GB/T 2260)
    ("3401", "合肥市"), ("3402", "芜湖市"), ("3403", "蚌埠市"), ("3404", "淮南市"),
    ("3405", "马鞍山市"), ("3406", "淮北市"), ("3407", "铜陵市"), ("3408", "安庆市"),
    ("3410", "黄山市"), ("3411", "滁州市"), ("3412", "阜阳市"), ("3413", "宿州市"),
    ("3415", "六安市"), ("3416", "亳州市"), ("3417", "池州市"), ("3418", "宣城市"),
]  # fmt: skip
COUNTIES_PER_CITY = [9, 7, 7, 7, 6, 4, 4, 10, 7, 8, 8, 5, 7, 4, 4, 3]  # 100 in all
DEPARTMENTS = [
    ("发展和改革委员会", "11"), ("财政局", "11"), ("住房和城乡建设局", "11"), ("交通运输局", "11"),
    ("教育局", "11"), ("卫生健康委员会", "11"), ("农业农村局", "11"), ("水利局", "11"),
    ("自然资源和规划局", "11"), ("生态环境分局", "11"), ("城市管理局", "11"), ("商务局", "11"),
    ("经济和信息化局", "11"), ("数据资源管理局", "11"), ("机关事务管理中心", "12"), ("公共资源交易中心", "12"),
    ("人民医院", "12"), ("第一中学", "12"), ("城市建设投资服务中心", "12"), ("总工会", "13"),
]  # fmt: skip
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华建国志红玉兰文斌海波"
WORDS = "华安徽信达恒通远博宏兴盛泰和新源瑞丰嘉诚隆鑫宇创科正德利润广元同力金辉"
TRADES = [
    "建设工程",
    "信息技术",
    "环保科技",
    "物业服务",
    "医疗器械",
    "建材贸易",
    "园林绿化",
    "交通设施",
    "教育装备",
    "农业发展",
]
CONTRACT_TYPES = [
    ("government_procurement", 45), ("government_investment", 25), ("investment_promotion", 8),
    ("industry_support", 8), ("concession", 3), ("ppp", 3), ("expropriation_compensation", 4), ("other", 4),
]  # fmt: skip
OWNERSHIP = [("民营", 85), ("国有", 8), ("外资", 3), ("其他", 4)]
SCALES = [("大型", 3), ("中型", 12), ("小型", 35), ("微型", 50)]

START = date(2019, 1, 1)
END = date(2026, 10, 31)
SPAN = (END - START).days
CAL = "bench-generator（日历日，未顺延）"
USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
REF_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"
NOW = "2026-11-01 09:00:00+08"
N = r"\N"


def weighted(rng: random.Random, table):
    values = [v for v, _ in table]
    weights = [w for _, w in table]
    return lambda: rng.choices(values, weights)[0]


def org_code(n: int, lead: str) -> str:
    """A 9-character 主体标识码 unique per n (base 31 in the GB 32100 alphabet)."""
    digits = []
    for _ in range(8):
        n, r = divmod(n, 31)
        digits.append(USCC_ALPHABET[r])
    return lead + "".join(reversed(digits))


def cents(value: int) -> str:
    return f"{value // 100}.{value % 100:02d}"


class Copier:
    """Collects tab-separated lines in a temporary file; ``close()`` sends them through one COPY.

    (One connection runs one COPY at a time, and a parent row is generated beside its children.)
    """

    def __init__(self, cursor, table: str, columns: list[str]):
        self.cursor, self.table, self.columns = cursor, table, columns
        self.lines: list[str] = []
        self.count = 0
        self.file = tempfile.TemporaryFile()  # noqa: SIM115 — closed in close()

    def row(self, *values) -> None:
        self.lines.append("\t".join(values))
        self.count += 1
        if len(self.lines) >= 5000:
            self.flush()

    def flush(self) -> None:
        if self.lines:
            self.file.write(("\n".join(self.lines) + "\n").encode())
            self.lines.clear()

    def close(self) -> int:
        self.flush()
        self.file.seek(0)
        with self.cursor.copy(f"COPY {self.table} ({', '.join(self.columns)}) FROM STDIN") as copy:
            while block := self.file.read(1 << 20):
                copy.write(block)
        self.file.close()
        return self.count


def next_id(cursor, table: str) -> int:
    cursor.execute(f"SELECT coalesce(max(id), 0) + 1 FROM {table}")  # noqa: S608 (our own table names)
    return cursor.fetchone()[0]


def reset_sequence(cursor, table: str) -> None:
    cursor.execute(
        f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT coalesce(max(id), 1) FROM {table}))"  # noqa: S608
    )


TRUNCATE = [
    "ledger_ledgerentry", "ledger_refusalreason", "contracts_milestone", "contracts_contract",
    "ledger_obligation", "ledger_recommendation", "ledger_enterprisescale", "ledger_enterprise", "ledger_tenure",
]  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--scale", type=float, default=1.0, help="multiplies every default count (default 1)")
    parser.add_argument("--seed", type=int, default=9)
    parser.add_argument("--obligations", type=int, help="number of obligations (default 1,000,000 × scale)")
    parser.add_argument("--truncate", action="store_true", help="empty the tables a previous run wrote first")
    args = parser.parse_args()

    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ledger.settings")
    import django

    django.setup()
    from django.db import connection, transaction

    if connection.vendor != "postgresql":
        sys.exit(
            f"generate_province needs PostgreSQL (it writes with COPY); DATABASE_URL points at {connection.vendor}. "
            "Set DATABASE_URL=postgres://… to a scratch database that has been migrated."
        )
    from ledger.models import Enterprise, Role, User
    from ledger.rules.uscc import calc_check_digit, validate

    def uscc(prefix17: str) -> str:
        return prefix17 + calc_check_digit(prefix17)

    s = args.scale
    n_agencies = max(200, round(2000 * s))
    n_enterprises = max(1000, round(200_000 * s))
    n_contracts = max(500, round(100_000 * s))
    n_obligations = args.obligations if args.obligations is not None else max(1000, round(1_000_000 * s))
    n_recommendations = max(100, round(20_000 * s))
    rng = random.Random(args.seed)
    started = time.perf_counter()
    counts: dict[str, int] = {}

    with transaction.atomic():
        raw = connection.connection  # psycopg 3
        cur = raw.cursor()
        if args.truncate:
            cur.execute(f"TRUNCATE {', '.join(TRUNCATE)} CASCADE")
            cur.execute("UPDATE ledger_agency SET successor_id = NULL, succeeded_on = NULL WHERE short_code LIKE 'p-%'")
            User.objects.filter(username__startswith="bench-").delete()
            cur.execute("DELETE FROM ledger_agency WHERE short_code LIKE 'p-%'")
        elif Enterprise.objects.filter(name__startswith="省测").exists():
            sys.exit("this database already holds a generated province; rerun with --truncate to replace it")
        recorder, _ = User.objects.get_or_create(username="bench-recorder", defaults={"role": Role.ADMINISTRATOR})
        User.objects.get_or_create(username="bench-auditor", defaults={"role": Role.AUDITOR})

        # --- agencies: city and county governments, departments; mergers ------------------------
        a0 = next_id(cur, "ledger_agency")
        agencies = []  # (id, region, parent, kind_code, name)
        counties = []
        for (city_code, city), n_counties in zip(CITIES, COUNTIES_PER_CITY, strict=True):
            city_id = a0 + len(agencies)
            agencies.append((city_id, city_code + "00", None, "11", f"{city}人民政府"))
            for k in range(n_counties):
                region = f"{city_code}{k + 2:02d}"
                county_id = a0 + len(agencies)
                agencies.append((county_id, region, city_id, "11", f"{city}第{k + 1}区县人民政府"))
                counties.append((region, f"{city}第{k + 1}区县", county_id))
        d = 0
        while len(agencies) < n_agencies:
            region, county, county_id = counties[d % len(counties)]
            dept, code = DEPARTMENTS[(d // len(counties)) % len(DEPARTMENTS)]
            rounds = d // (len(counties) * len(DEPARTMENTS))
            name = f"{county}{dept}" + (f"（{rounds + 1}）" if rounds else "")
            agencies.append((a0 + len(agencies), region, county_id, code, name))
            d += 1
        kinds = {"11": "机关", "12": "事业单位", "13": "群团组织"}
        departments = [a for a in agencies if a[2] is not None and not a[4].endswith("人民政府")]
        merged: dict[int, tuple[int, date]] = {}
        for a in rng.sample(departments, len(departments) * 3 // 100):
            same_county = [b for b in departments if b[1] == a[1] and b[0] != a[0] and b[0] not in merged]
            if same_county and a[0] not in {t for t, _ in merged.values()}:
                merged[a[0]] = (rng.choice(same_county)[0], START + timedelta(days=rng.randrange(SPAN - 200)))
        cp = Copier(
            cur,
            "ledger_agency",
            ["id", "name", "short_code", "uscc", "uscc_is_demo", "kind", "parent_id", "region_code",
             "legal_personality", "successor_id", "succeeded_on", "is_demo"],
        )  # fmt: skip
        for i, (pk, region, parent, code, name) in enumerate(agencies):
            code_ = uscc(f"{code}{region}{org_code(i, 'P')}")
            succ = merged.get(pk)
            cp.row(
                str(pk), name, f"p-{i}", code_, "t", kinds[code], str(parent) if parent else N, region, "t",
                str(succ[0]) if succ else N, succ[1].isoformat() if succ else N, "f",
            )  # fmt: skip
        counts["agencies"] = cp.close()
        counts["agency mergers"] = len(merged)
        # Parents before children were written in one COPY: the self-references are deferred FKs.

        # --- principal tenures: 1–3 per agency, consecutive, sometimes a vacancy ------------------
        t0 = next_id(cur, "ledger_tenure")
        tenures: dict[int, list[tuple[int, date, date | None]]] = {}
        cp = Copier(cur, "ledger_tenure", ["id", "agency_id", "person", "title", "acting", "start_on", "end_on"])
        tid = t0
        for pk, _region, _parent, _code, name in agencies:
            n_t = rng.choices([1, 2, 3], [30, 45, 25])[0]
            cuts = sorted(rng.sample(range(200, SPAN + 600), n_t - 1))
            start = date(2016, 1, 1) + timedelta(days=rng.randrange(365))
            spans = []
            for j in range(n_t):
                end = START + timedelta(days=cuts[j]) if j < n_t - 1 else None
                spans.append((tid, start, end))
                title = (
                    "县长" if name.endswith("区县人民政府") else "市长" if name.endswith("市人民政府") else "主要负责人"
                )
                person = rng.choice(SURNAMES) + rng.choice(GIVEN) + rng.choice(GIVEN)
                acting = "t" if rng.random() < 0.08 else "f"
                cp.row(str(tid), str(pk), person, title, acting, start.isoformat(), end.isoformat() if end else N)
                tid += 1
                if end is not None:  # a vacancy of a few weeks one time in ten, if the next term allows
                    room = (START + timedelta(days=cuts[j + 1]) - end).days if j + 2 < n_t else 10_000
                    gap = rng.randrange(20, 60) if rng.random() < 0.1 else 0
                    start = end + timedelta(days=gap if gap < room else 0)
            tenures[pk] = spans
        counts["tenures"] = cp.close()

        # --- enterprises and their scale ----------------------------------------------------------
        e0 = next_id(cur, "ledger_enterprise")
        ownership, scale = weighted(rng, OWNERSHIP), weighted(rng, SCALES)
        cp = Copier(cur, "ledger_enterprise", ["id", "name", "uscc", "ownership", "region_code", "is_demo"])
        cs = Copier(cur, "ledger_enterprisescale", ["id", "enterprise_id", "scale", "valid_from"])
        s0 = next_id(cur, "ledger_enterprisescale")
        ent_region = []
        for i in range(n_enterprises):
            region = counties[rng.randrange(len(counties))][0]
            name = f"省测{''.join(rng.choices(WORDS, k=2))}{rng.choice(TRADES)}有限公司{i}"
            cp.row(str(e0 + i), name, uscc(f"91{region}{org_code(i, 'M')}"), ownership(), region, "f")
            cs.row(str(s0 + i), str(e0 + i), scale(), (START - timedelta(days=rng.randrange(3000))).isoformat())
            ent_region.append(region)
        counts["enterprises"] = cp.close()
        counts["enterprise scales"] = cs.close()
        # The enterprise whose status page is benchmarked: exactly 200 obligations (below).
        status_enterprise = e0
        User.objects.get_or_create(
            username="bench-enterprise", defaults={"role": Role.ENTERPRISE, "enterprise_id": status_enterprise}
        )

        def creditor() -> int:
            # Skewed: a few enterprises hold many obligations; never the status enterprise.
            return e0 + 1 + int((n_enterprises - 1) * rng.random() ** 1.6)

        # --- contracts and milestones -------------------------------------------------------------
        c0, m0 = next_id(cur, "contracts_contract"), next_id(cur, "contracts_milestone")
        ob0 = next_id(cur, "ledger_obligation")
        ctype = weighted(rng, CONTRACT_TYPES)
        cc = Copier(
            cur,
            "contracts_contract",
            ["id", "number", "title", "description", "contract_type", "agency_id", "counterparty_id", "region_code",
             "amount", "period_start", "period_end", "payment_term_days", "acceptance_period_days", "sme_declared",
             "agreed_late_rate", "status", "review_round", "signed_on", "filed_on", "performing_on", "completed_on",
             "terminated_on", "termination_reason_code", "termination_reason", "disputed_since", "dispute_reason",
             "version", "is_demo", "created_at", "updated_at"],
        )  # fmt: skip
        cm = Copier(
            cur,
            "contracts_milestone",
            ["id", "contract_id", "side", "kind", "title", "description", "due_on", "amount", "goods_works_services",
             "payment_basis", "delivered_on", "accepted_on", "settlement_confirmed_on", "met_on", "partly_met_on",
             "progress_note", "obligation_id", "created_at"],
        )  # fmt: skip
        # Triggered government payment milestones become the first obligations (source=milestone).
        milestone_obligations: list[tuple] = []  # (contract facts…) in obligation order
        mid = m0
        legal_agencies = [a for a in agencies if a[2] is not None]
        for i in range(n_contracts):
            agency = rng.choice(legal_agencies)
            kind = ctype()
            amount = rng.randrange(5_000_000, 2_000_000_000)  # 5万 to 2000万, in 分
            signed = START + timedelta(days=rng.randrange(SPAN - 90))
            sme = kind == "government_procurement" and rng.random() < 0.7
            term = rng.choice([15, 30, 45, 60, 90]) if rng.random() < 0.9 else None
            rate = rng.choice([None, None, Decimal("3.6500"), Decimal("5.4750")])
            acceptance = rng.choice([7, 15, 30])
            roll = rng.random()
            status = "completed" if roll < 0.35 else "terminated" if roll < 0.38 else "performing"
            completed = signed + timedelta(days=rng.randrange(200, 700)) if status == "completed" else None
            terminated = signed + timedelta(days=rng.randrange(30, 400)) if status == "terminated" else None
            counterparty = creditor()
            cc.row(
                str(c0 + i), f"HT-{agency[1]}-{i:07d}", f"{agency[4]}{rng.choice(TRADES)}合同{i}", "", kind,
                str(agency[0]), str(counterparty), agency[1], cents(amount), signed.isoformat(),
                (signed + timedelta(days=365)).isoformat(), str(term) if term else N, str(acceptance),
                "t" if sme else "f",
                str(rate) if rate else N, status, "1", signed.isoformat(), (signed + timedelta(days=5)).isoformat(),
                (signed + timedelta(days=10)).isoformat(), completed.isoformat() if completed else N,
                terminated.isoformat() if terminated else N, "mutual_agreement" if terminated else "",
                "协商一致解除" if terminated else "", N, "", "0", "f", NOW, NOW,
            )  # fmt: skip
            first = amount * rng.choice([30, 40, 50]) // 100
            for j, part in enumerate((first, amount - first)):
                due = signed + timedelta(days=90 + 180 * j)
                basis = rng.choice(["acceptance", "delivery", "settlement"])
                triggered = due + timedelta(days=rng.randrange(-20, 40))
                ob = None
                if triggered <= END and status != "terminated" and len(milestone_obligations) < n_obligations // 4:
                    ob = ob0 + len(milestone_obligations)
                    milestone_obligations.append(
                        (ob, agency, counterparty, part, triggered, basis, kind, sme, signed, term, rate)
                    )
                trig = {"delivery": "", "acceptance": "", "settlement": ""}
                if ob is not None:
                    trig[basis] = triggered.isoformat()
                cm.row(
                    str(mid), str(c0 + i), "government", "payment", f"第{j + 1}期付款", "", due.isoformat(),
                    cents(part), "t" if kind in ("government_procurement", "government_investment") else "f", basis,
                    trig["delivery"] or N, trig["acceptance"] or N, trig["settlement"] or N, N, N, "",
                    str(ob) if ob else N, NOW,
                )  # fmt: skip
                mid += 1
            met = signed + timedelta(days=rng.randrange(60, 120))
            cm.row(
                str(mid), str(c0 + i), "enterprise", "delivery", "交付验收", "",
                (signed + timedelta(days=90)).isoformat(),
                N, "f", "", N, N, N, met.isoformat() if met <= END else N, N, "", N, NOW,
            )  # fmt: skip
            mid += 1
        # --- obligations and payments --------------------------------------------------------------
        co = Copier(
            cur,
            "ledger_obligation",
            ["id", "reference", "debtor_agency_id", "creditor_id", "external_ref", "region_code", "source", "title",
             "principal", "arose_on", "trigger", "trigger_on", "regime", "contract_type", "sme_declared", "signed_on",
             "agreed_term_days", "agreed_annual_rate", "lpr_at_signing", "due_on", "due_provisional",
             "calendar_version", "due_basis", "due_override_basis", "term_capped", "term_missing",
             "default_term_used", "allocation_rule", "allocation_basis", "disputed_amount", "dispute_note", "outcome",
             "outcome_on", "outcome_basis", "principal_paid", "fully_paid_on", "tenure_at_arising_id", "is_demo",
             "created_at"],
        )  # fmt: skip
        ce = Copier(
            cur,
            "ledger_ledgerentry",
            ["id", "obligation_id", "kind", "\"on\"", "amount", "allocation", "reverses_id", "note", "basis",
             "recorded_by_id", "recorded_at", "confirmation", "confirmation_note", "confirmed_at",
             "after_principal_outstanding", "after_balance_days", "after_interest_paid", "after_interest_waived",
             "after_fully_paid_on"],
        )  # fmt: skip
        en = next_id(cur, "ledger_ledgerentry")
        recorder_id = str(recorder.pk)
        triggers = {"acceptance": "acceptance", "delivery": "delivery", "settlement": "settlement_confirmed"}
        today = END + timedelta(days=26)  # the as-of the data was drawn for (payments never after it)

        def tenure_on(agency_id: int, day: date) -> str:
            for pk, start, end in tenures[agency_id]:
                if start <= day and (end is None or day < end):
                    return str(pk)
            return N

        for k in range(n_obligations):
            pk = ob0 + k
            if k < len(milestone_obligations):
                _, agency, cred, principal, trigger_on, basis, kind, sme, signed, term, rate = milestone_obligations[k]
                source, trigger, arose = "milestone", triggers[basis], trigger_on
                title = f"合同第{k}号付款节点"
            else:
                agency = rng.choice(legal_agencies)
                cred = status_enterprise if k - len(milestone_obligations) < 200 else creditor()
                principal = int(10 ** rng.uniform(5, 9.7))  # 1,000 to 50 million yuan, in 分, log-uniform
                arose = START + timedelta(days=rng.randrange(SPAN))
                trigger_on = arose + timedelta(days=rng.randrange(0, 21))
                kind = ctype() if rng.random() < 0.7 else ""
                sme = kind == "government_procurement" and rng.random() < 0.7
                signed = arose - timedelta(days=rng.randrange(30, 400)) if kind else None
                term = rng.choice([15, 30, 45, 60, 90]) if rng.random() < 0.9 else None
                rate = rng.choice([None, None, Decimal("3.6500"), Decimal("5.4750")])
                source, trigger = "other", rng.choice(["acceptance", "delivery", "other"])
                title = f"{rng.choice(TRADES)}服务费第{k}笔"
            regime = "sme_procurement" if sme else "contract"
            capped = sme and term is not None and term > 60
            days = 30 if term is None else min(term, 60) if sme else term
            due = trigger_on + timedelta(days=days)
            lpr = Decimal("3.450") if sme and rate is not None else None
            bears = sme or rate is not None
            # Payments: about half paid off (mostly around the due date), a fifth partly, the rest not.
            roll = rng.random()
            entries: list[tuple[date, int]] = []
            if roll < 0.5:
                paid_on = due + timedelta(days=int(rng.triangular(-30, 120, 0)))
                paid_on = max(paid_on, arose)
                if paid_on <= today:
                    if rng.random() < 0.3 and principal > 200:
                        first = principal * rng.randrange(20, 80) // 100
                        early = max(arose, paid_on - timedelta(days=rng.randrange(10, 90)))
                        entries = [(early, first), (paid_on, principal - first)]
                    else:
                        entries = [(paid_on, principal)]
            elif roll < 0.7:
                paid_on = max(arose, due + timedelta(days=rng.randrange(-20, 200)))
                if paid_on <= today:
                    entries = [(paid_on, max(1, principal * rng.randrange(10, 90) // 100))]
            paid = sum(a for _, a in entries)
            fully = entries[-1][0] if entries and paid == principal else None
            outcome, outcome_on, outcome_basis = "open", None, ""
            if fully is not None and (not bears or fully <= due):
                outcome, outcome_on = "paid", fully  # settled: nothing accrued, nothing unpaid
            elif not entries and rng.random() < 0.02 and arose + timedelta(days=400) <= today:
                outcome = rng.choice(["written_off", "cancelled"])
                outcome_on = arose + timedelta(days=rng.randrange(100, 400))
                outcome_basis = "依法核销（债权人注销）" if outcome == "written_off" else "合同解除，义务撤销"
            disputed = (principal - paid) * rng.randrange(10, 60) // 100 if not fully and rng.random() < 0.03 else 0
            ref = (
                "OB-"
                + "".join(REF_ALPHABET[(pk >> (5 * j)) & 31] for j in range(5))
                + "".join(rng.choices(REF_ALPHABET, k=11))
            )
            co.row(
                str(pk), ref, str(agency[0]), str(cred), N, agency[1], source, title, cents(principal),
                arose.isoformat(), trigger, trigger_on.isoformat(), regime, kind, "t" if sme else "f",
                signed.isoformat() if signed else N, str(term) if term is not None else N,
                str(rate) if rate is not None else N, str(lpr) if lpr is not None else N, due.isoformat(), "f", CAL,
                f"起算日{trigger_on.isoformat()}+{days}日（生成数据）", "", "t" if capped else "f",
                "t" if term is None else "f", "t" if term is None else "f", "principal_first", "合同约定先本后息",
                cents(disputed), "部分金额有争议" if disputed else "", outcome,
                outcome_on.isoformat() if outcome_on else N, outcome_basis, cents(paid),
                fully.isoformat() if fully else N, tenure_on(agency[0], arose), "f", NOW,
            )  # fmt: skip
            # The state after each entry (rules.interest.entry_states, principal first): outstanding,
            # and Σ outstanding × days overdue through max(due date, the entry's date).
            outstanding, balance, through = principal, 0, due
            for on, amount in entries:
                if on > through:
                    balance += outstanding * (on - through).days
                    through = on
                outstanding -= amount
                ce.row(
                    str(en), str(pk), "payment", on.isoformat(), cents(amount), "principal_first", N, "",
                    "合同约定先本后息",
                    recorder_id, NOW, "confirmed", "", NOW,
                    cents(outstanding), cents(balance), "0.00", "0.00", on.isoformat() if outstanding == 0 else N,
                )  # fmt: skip
                en += 1
        counts["contracts"] = cc.close()
        counts["milestones"] = cm.close()
        counts["obligations"] = co.close()
        counts["obligations from milestones"] = len(milestone_obligations)
        counts["payments"] = ce.close()

        # --- recommendations ------------------------------------------------------------------------
        r0 = next_id(cur, "ledger_recommendation")
        cr = Copier(
            cur,
            "ledger_recommendation",
            ["id", "kind", "issuer", "doc_number", "title", "recipient_id", "region_code", "served_on", "urgent",
             "stated_days", "stated_months", "deadline", "deadline_provisional", "deadline_rolled_from",
             "deadline_basis", "calendar_version", "revision", "status", "replied_on", "rectification", "verdict_on",
             "verdict_note", "verdict_by_id", "recorded_by_id", "created_at", "is_demo"],
        )  # fmt: skip
        for i in range(n_recommendations):
            agency = rng.choice(agencies)
            kind = rng.choices(["procuratorial", "public_interest", "judicial"], [55, 25, 20])[0]
            urgent = kind == "public_interest" and rng.random() < 0.2
            served = START + timedelta(days=rng.randrange(SPAN))
            period = 15 if urgent else 61
            deadline = served + timedelta(days=period)
            issuer = f"{agency[1]}{'人民法院' if kind == 'judicial' else '人民检察院'}"
            doc = f"{'法建' if kind == 'judicial' else '检建'}〔{served.year}〕{i + 1}号"
            roll = rng.random()
            replied = served + timedelta(days=rng.randrange(5, 90)) if roll < 0.75 else None
            if replied is not None and replied > today:
                replied = None
            status = "served" if replied is None else ("assessed" if roll < 0.5 else "replied")
            verdict = replied + timedelta(days=rng.randrange(5, 30)) if status == "assessed" else None
            cr.row(
                str(r0 + i), kind, issuer, doc, f"关于{rng.choice(TRADES)}项目拖欠账款的建议", str(agency[0]),
                agency[1],
                served.isoformat(), "t" if urgent else "f", str(period) if urgent else N, N if urgent else "2",
                deadline.isoformat(), "f", N,
                f"送达日{served.isoformat()}起{'15日' if urgent else '2个月'}（生成数据）",
                CAL, "0", status, replied.isoformat() if replied else N,
                rng.choice(["fully", "partly", "not"]) if verdict else "", verdict.isoformat() if verdict else N, "",
                N, recorder_id, NOW, "f",
            )  # fmt: skip
        counts["recommendations"] = cr.close()

        for table in ("ledger_agency", "ledger_tenure", "ledger_enterprise", "ledger_enterprisescale",
                      "contracts_contract", "contracts_milestone", "ledger_obligation", "ledger_ledgerentry",
                      "ledger_recommendation"):  # fmt: skip
            reset_sequence(cur, table)
        # Spot-check R8 on what was written (every code went through calc_check_digit already).
        cur.execute("SELECT uscc FROM ledger_enterprise ORDER BY random() LIMIT 200")
        for (code,) in cur.fetchall():
            validate(code)
    _check_entry_states(rng)
    loaded = time.perf_counter() - started
    with connection.cursor() as cur:
        # VACUUM too, as autovacuum soon would on a loaded database: it sets the visibility map
        # that index-only scans (the auditors' counts) need; right after COPY every count would
        # visit the heap instead (measured: the overdue list page 250 ms before, 103 ms after).
        cur.execute("VACUUM (ANALYZE)")
    total = time.perf_counter() - started
    for name, value in counts.items():
        print(f"{name:>28}: {value:,}")
    print(f"status enterprise id {status_enterprise} (user bench-enterprise); auditor user bench-auditor")
    print(f"loaded in {loaded:.1f} s, with VACUUM (ANALYZE) {total:.1f} s (seed {args.seed}, scale {s})")


def _check_entry_states(rng) -> None:
    """The stored state after each entry and the running totals must be what the payment service
    would store: checked with the service's own rule on a sample of 500 paid obligations."""
    from ledger.models import LedgerEntry, Obligation
    from ledger.selectors.obligations import entry_states_of, obligation_state

    ids = list(LedgerEntry.objects.values_list("obligation_id", flat=True).order_by("obligation_id").distinct()[:50000])
    for obligation in Obligation.objects.filter(pk__in=rng.sample(ids, min(500, len(ids)))):
        entries = list(obligation.entries.all())
        for entry, want in zip(entries, entry_states_of(obligation, entries), strict=True):
            got = (
                entry.after_principal_outstanding,
                entry.after_balance_days,
                entry.after_interest_paid,
                entry.after_interest_waived,
                entry.after_fully_paid_on,
            )
            assert got == (
                want.principal_outstanding,
                want.balance_days,
                want.interest_paid,
                want.interest_waived,
                want.fully_paid_on,
            ), (obligation.pk, entry.pk, got, want)
        state = obligation_state(obligation, max(e.on for e in entries))
        assert (obligation.principal_paid, obligation.fully_paid_on) == (state.principal_paid, state.fully_paid_on)


if __name__ == "__main__":
    main()
