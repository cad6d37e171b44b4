"""/dashboard/: who may see it, what it shows, and — in headless Chromium — that its charts drew
their data (the series values are in the DOM and the canvases are not blank)."""

from __future__ import annotations

import json
import re
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from selenium import webdriver
from selenium.common.exceptions import NoSuchElementException, StaleElementReferenceException
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

from ledger import models as m
from tests.factories import TenureFactory, World
from tests.ledger.report_helpers import ob, pay
from tests.owned_objects import policy_for, recommendation_for

PASSWORD = "Test-password-2026"  # tests/factories.py UserFactory
AS_OF = "2026-06-30"


def _data(world):
    """Arrears in two agencies, a legacy-debt case, stock and new, and a recommendation."""
    TenureFactory(agency=world.agency_a, person="甲", start_on=date(2020, 1, 1), end_on=date(2026, 3, 1))
    TenureFactory(agency=world.agency_a, person="乙", start_on=date(2026, 3, 1))
    ob(world, arose_on=date(2021, 6, 1), due_on=date(2021, 7, 1), principal="12345.67")  # stock, > 365 days
    ob(world, arose_on=date(2026, 1, 5), due_on=date(2026, 2, 4), principal="3000.00")  # new; both are legacy cases
    stock_paid = ob(world, arose_on=date(2021, 9, 1), due_on=date(2021, 10, 1), principal="500.00")
    pay(world, stock_paid, "500.00", date(2023, 5, 1))
    ob(world, agency=world.agency_b, due_on=date(2026, 6, 20), principal="800.00")
    recommendation_for(world, deadline=date(2026, 5, 6), replied_on=date(2026, 5, 6), status="replied")
    # a policy with one 免申即享 redemption of two (neither approved yet: no obligation)
    policy = policy_for(
        world,
        doc_number="屯政〔2026〕3号",
        title="看板测试政策",
        delivery_mode=m.DeliveryMode.FREE_APPLY,
        redemption_working_days=10,
    )
    common = {"policy": policy, "agency": world.agency_a, "enterprise": world.enterprise_1, "region_code": "341002"}
    m.Redemption.objects.create(
        **common, amount=Decimal("100.00"), status=m.RedemptionStatus.ELIGIBLE, eligible_on=date(2026, 4, 1)
    )
    m.Redemption.objects.create(
        **common, amount=Decimal("200.00"), status=m.RedemptionStatus.APPLIED, applied_on=date(2026, 4, 2)
    )


# --- without a browser ---------------------------------------------------------------------------
@pytest.mark.django_db
@pytest.mark.parametrize("role", ["staff_a", "enterprise_user_1", "credit_officer", "administrator"])
def test_only_supervisors_and_auditors_see_the_dashboard(world, client, role):
    client.force_login(getattr(world, role))
    response = client.get("/dashboard/")
    assert response.status_code == 403
    assert "监督看板仅供" in response.content.decode()


@pytest.mark.django_db
def test_signed_out_users_are_sent_to_sign_in(client):
    response = client.get("/dashboard/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["supervisor", "auditor"])
def test_the_dashboard_shows_every_figure_with_a_link_to_its_list(world, client, role):
    _data(world)
    client.force_login(getattr(world, role))
    response = client.get("/dashboard/", {"as_of": AS_OF})
    assert response.status_code == 200
    page = response.content.decode()
    # the figures, exact, with the filtered list behind each
    assert 'id="fig-overdue-count" href="/api/obligations/?as_of=2026-06-30&amp;overdue=true" data-value="3"' in page
    assert 'data-value="16145.67"' in page  # 12,345.67 + 3,000.00 + 800.00 overdue
    assert 'href="/api/obligations/?as_of=2026-06-30&amp;legacy=true" data-value="2"' in page
    assert f"/api/obligations/?agency_exact={world.agency_a.pk}&amp;as_of=2026-06-30&amp;overdue=true" in page
    assert "days_overdue_min=366" in page
    assert "/vendor/chart.umd.js" in page and "cdn" not in page.lower()
    charts = json.loads(re.search(r'<script id="dashboard-data" type="application/json">(.*?)</script>', page).group(1))
    assert set(charts) == {"ageing", "monthly", "clearance", "replies", "free_apply"}
    over_365 = next(s for s in charts["ageing"]["series"] if s["key"] == "over_365")
    assert over_365["values"] == ["12345.67", "0.00"]
    assert charts["replies"]["series"][0]["values"] == ["100.00"]
    assert charts["free_apply"]["series"][0]["values"] == ["50.00"]


@pytest.mark.django_db
def test_every_chart_and_figure_leads_to_a_list_with_its_own_count(world, client, api):
    _data(world)
    client.force_login(world.auditor)
    page = client.get("/dashboard/", {"as_of": AS_OF}).content.decode()
    charts = json.loads(re.search(r'<script id="dashboard-data" type="application/json">(.*?)</script>', page).group(1))
    lists = api(world.auditor)

    def count(url: str) -> int:
        response = lists.get(url)
        assert response.status_code == 200, url
        return response.json()["count"]

    # each bar of the ageing chart: the list behind it holds exactly the bar's obligations
    counted = {s["key"]: [count(url) for url in s["links"]] for s in charts["ageing"]["series"]}
    assert counted == {s["key"]: s["counts"] for s in charts["ageing"]["series"]}
    assert counted["over_365"] == [1, 0]
    assert counted["d1_30"] == [0, 1]
    # the headline figures
    for fig, expected in [("fig-overdue-count", 3), ("fig-legacy", 2)]:
        href = re.search(rf'id="{fig}" href="([^"]+)" data-value="(\d+)"', page)
        assert int(href.group(2)) == expected == count(href.group(1).replace("&amp;", "&")), fig
    # every other chart links each point to a list that answers
    for key in ("monthly", "clearance", "replies", "free_apply"):
        for series in charts[key]["series"]:
            assert None not in series["links"], key
            for url in series["links"]:
                count(url)  # a 200 with a count, never a 400
    assert [count(u) for u in charts["monthly"]["series"][0]["links"]][-1] == 1  # June: the stock debt
    assert [count(u) for u in charts["free_apply"]["series"][0]["links"]] == [1]
    assert [count(u) for u in charts["replies"]["series"][0]["links"]] == [1]


@pytest.mark.django_db
def test_a_bad_date_is_a_400_page_naming_it(world, client):
    client.force_login(world.auditor)
    response = client.get("/dashboard/", {"as_of": "2026-02-30"})
    assert response.status_code == 400
    assert "as_of" in response.content.decode()


def _charts(page: str) -> dict:
    return json.loads(re.search(r'<script id="dashboard-data" type="application/json">(.*?)</script>', page).group(1))


@pytest.mark.django_db
def test_agency_tables_page_the_most_in_arrears_first(world, client, monkeypatch):
    """A province has 2,000 agencies: each agency table shows a page, the most in arrears first,
    with the whole table one click away; the headline figures stay the whole province's."""
    monkeypatch.setattr("ledger.dashboard.PAGE_SIZE", 1)
    _data(world)
    ob(world, agency=world.agency_b, due_on=date(2026, 5, 1), principal="90000.00")  # B now owes the most
    client.force_login(world.auditor)
    page = client.get("/dashboard/", {"as_of": AS_OF}).content.decode()
    charts = _charts(page)
    assert charts["ageing"]["labels"] == [world.agency_b.name]
    assert 'id="fig-overdue-count" href="/api/obligations/?as_of=2026-06-30&amp;overdue=true" data-value="4"' in page
    assert 'id="pager-ageing_page" data-page="1" data-pages="2" data-count="2"' in page
    assert "共 2 个单位，按逾期未付本金从高到低；第 1–1 个（第 1 / 2 页）" in page
    assert 'href="?as_of=2026-06-30&amp;ageing_page=2">下一页' in page
    assert 'href="/api/reports/agencies/?as_of=2026-06-30&amp;format=xlsx">全部单位（Excel）' in page
    whole = client.get("/api/reports/agencies/?as_of=2026-06-30&format=xlsx")  # the signed-in page's session
    assert whole.status_code == 200
    assert whole["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    # the second page: agency A, and a way back
    second = client.get("/dashboard/", {"as_of": AS_OF, "ageing_page": "2"}).content.decode()
    charts = _charts(second)
    assert charts["ageing"]["labels"] == [world.agency_a.name]
    assert next(s for s in charts["ageing"]["series"] if s["key"] == "over_365")["values"] == ["12345.67"]
    assert 'href="?as_of=2026-06-30&amp;ageing_page=1">上一页' in second
    assert charts["clearance"]["labels"] == [world.agency_a.name]  # its own page: stock outstanding first


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("0", "ageing_page：页码应在1至1之间"),
        ("x", "ageing_page：页码应为正整数"),
        ("3", "ageing_page：页码应在1至1之间"),
    ],
)
def test_a_page_out_of_range_is_a_400_naming_it(world, client, value, message):
    _data(world)
    client.force_login(world.auditor)
    response = client.get("/dashboard/", {"as_of": AS_OF, "ageing_page": value})
    assert response.status_code == 400
    assert f'<p class="error" id="dashboard-error">{message}</p>' in response.content.decode()


# --- in headless Chromium ----------------------------------------------------------------------------
def _browser(chrome: str, chromedriver: str, profile: Path) -> webdriver.Chrome:
    options = webdriver.ChromeOptions()
    for arg in (
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-dev-shm-usage",
        f"--user-data-dir={profile}",
    ):
        options.add_argument(arg)
    options.binary_location = chrome
    return webdriver.Chrome(service=Service(executable_path=chromedriver), options=options)


# Non-transparent pixels of a canvas: a chart that drew nothing has none.
_INKED = """
const c = document.getElementById(arguments[0]);
const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
let n = 0;
for (let i = 3; i < d.length; i += 4) { if (d[i] !== 0) { n++; } }
return n;
"""


@pytest.mark.browser
def test_the_charts_draw_their_data_in_chromium(chromium_paths, live_server, transactional_db, tmp_path):
    chrome, chromedriver = chromium_paths
    world = World.build()
    _data(world)
    driver = _browser(chrome, chromedriver, tmp_path / "profile")
    # the sign-in page's body goes stale while the browser navigates to the dashboard
    wait = WebDriverWait(driver, 20, ignored_exceptions=(NoSuchElementException, StaleElementReferenceException))
    try:
        # when an auditor signs in and opens the dashboard as of 2026-06-30
        driver.get(f"{live_server.url}/accounts/login/?next=/dashboard/%3Fas_of%3D{AS_OF}")
        driver.find_element(By.ID, "id_username").send_keys(world.auditor.username)
        driver.find_element(By.ID, "id_password").send_keys(PASSWORD)
        driver.find_element(By.ID, "login-submit").click()
        wait.until(lambda d: d.find_element(By.TAG_NAME, "body").get_attribute("data-dashboard-ready") == "true")
        # then the library came from the app itself and every chart drew its series
        assert driver.execute_script("return typeof Chart") == "function"
        for canvas_id, series in [
            ("chart-ageing", 6),
            ("chart-monthly", 2),
            ("chart-clearance", 2),
            ("chart-replies", 1),
            ("chart-free-apply", 1),
        ]:
            canvas = driver.find_element(By.ID, canvas_id)
            assert canvas.get_attribute("data-drawn") == str(series), canvas_id
            assert driver.execute_script(_INKED, canvas_id) > 0, f"{canvas_id} is blank"
            assert driver.execute_script(f"return document.getElementById('{canvas_id}').toDataURL().length") > 1000
        # the series values are in the DOM, exactly
        ageing = json.loads(driver.find_element(By.ID, "chart-ageing").get_attribute("data-series-values"))
        assert ageing[-1] == ["12345.67", "0.00"]  # over 365 days: agency A, agency B
        assert ageing[1] == ["0.00", "800.00"]  # 1–30 days
        monthly = json.loads(driver.find_element(By.ID, "chart-monthly").get_attribute("data-series-values"))
        assert monthly[0][-1] == "12345.67" and monthly[1][-1] == "3800.00"  # June: stock, new
        free_apply = json.loads(driver.find_element(By.ID, "chart-free-apply").get_attribute("data-series-values"))
        assert free_apply == [["50.00"]]
        replies = json.loads(driver.find_element(By.ID, "chart-replies").get_attribute("data-series-values"))
        assert replies == [["100.00"]]
        cells = [
            td.get_attribute("data-value")
            for td in driver.find_elements(By.CSS_SELECTOR, "table[data-series=ageing] td")
        ]
        assert "12345.67" in cells and "800.00" in cells
        # and a figure leads to the filtered list behind it
        legacy = driver.find_element(By.ID, "fig-legacy")
        assert legacy.get_attribute("data-value") == "2"  # both of A's overdue debts outlived 甲
        assert legacy.get_attribute("href").endswith("/api/obligations/?as_of=2026-06-30&legacy=true")
    finally:
        driver.quit()
