"""/status/ in headless Chromium: sign in, see the list, open one obligation, download the statement."""

from __future__ import annotations

import time
from decimal import Decimal
from pathlib import Path

import pytest
from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as ec
from selenium.webdriver.support.ui import WebDriverWait

from tests.factories import World
from tests.ledger.claim_helpers import account
from tests.ledger.statement_reading import cid_fonts, money, pdf_text, xlsx_rows

PASSWORD = "Test-password-2026"  # tests/factories.py UserFactory


def _browser(chrome: str, chromedriver: str, profile: Path, downloads: Path) -> webdriver.Chrome:
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
    options.add_experimental_option(
        "prefs",
        {
            "download.default_directory": str(downloads),
            "download.prompt_for_download": False,
            "download.directory_upgrade": True,
            "plugins.always_open_pdf_externally": True,  # a PDF is saved, not shown
        },
    )
    return webdriver.Chrome(service=Service(executable_path=chromedriver), options=options)


def _wait_for_file(directory: Path, suffix: str, timeout: float = 30) -> Path:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        done = [p for p in directory.glob(f"*{suffix}") if not p.name.endswith(".crdownload")]
        partial = list(directory.glob("*.crdownload"))
        if done and not partial:
            return done[0]
        time.sleep(0.2)
    raise AssertionError(f"no {suffix} downloaded into {directory}: {list(directory.iterdir())}")


@pytest.mark.browser
def test_enterprise_signs_in_sees_its_account_opens_an_obligation_and_downloads(
    chromium_paths, live_server, transactional_db, tmp_path
):
    chrome, chromedriver = chromium_paths
    # given enterprise 1's account
    world = World.build()
    acc = account(world)
    downloads = tmp_path / "downloads"
    downloads.mkdir()
    driver = _browser(chrome, chromedriver, tmp_path / "profile", downloads)
    wait = WebDriverWait(driver, 20)
    try:
        # when its user signs in
        driver.get(f"{live_server.url}/accounts/login/?next=/status/%3Fas_of%3D2026-06-05")
        driver.find_element(By.ID, "id_username").send_keys(world.enterprise_user_1.username)
        driver.find_element(By.ID, "id_password").send_keys(PASSWORD)
        driver.find_element(By.ID, "login-submit").click()
        # then it sees its own account, as of 2026-06-05
        title = wait.until(ec.presence_of_element_located((By.ID, "status-title")))
        assert title.text == f"{world.enterprise_1.name} 的账款状态"
        links = driver.find_elements(By.CSS_SELECTOR, "#obligations a.obligation-link")
        assert sorted(a.text for a in links) == sorted([acc["sme"].reference, acc["contract"].reference])
        assert driver.find_element(By.ID, "total-outstanding").text == "163345.67"
        assert acc["others"].reference not in driver.page_source
        claims = driver.find_element(By.ID, "claims").text
        assert acc["claim"].reference in claims and "已转办" in claims

        # when it opens the 条例 obligation
        next(a for a in links if a.text == acc["sme"].reference).click()
        wait.until(ec.presence_of_element_located((By.ID, "obligation-title")))
        assert driver.find_element(By.ID, "obligation-title").text == f"给付义务 {acc['sme'].reference}"
        assert driver.find_element(By.ID, "outstanding").text == "151000.00"
        assert driver.find_element(By.ID, "interest-unpaid").text == "1510.00"
        assert driver.find_element(By.ID, "days-overdue").text == "30"
        entries = driver.find_element(By.ID, "entries").text
        assert "2026-05-16" in entries and "50000.00" in entries

        # and goes back and downloads the statement, XLSX then PDF
        driver.find_element(By.ID, "back").click()
        wait.until(ec.element_to_be_clickable((By.ID, "download-xlsx"))).click()
        xlsx = _wait_for_file(downloads, ".xlsx")
        driver.find_element(By.ID, "download-pdf").click()
        pdf = _wait_for_file(downloads, ".pdf")
    finally:
        driver.quit()

    # then the files are a valid XLSX and PDF with the expected content
    assert xlsx.name == f"statement-{world.enterprise_1.uscc}-2026-06-05.xlsx"
    rows = {row[0]: row for row in xlsx_rows(xlsx.read_bytes(), "给付义务")[1:]}
    assert money(rows[acc["sme"].reference][7]) == Decimal("151000.00")
    assert money(rows[acc["sme"].reference][9]) == Decimal("1510.00")
    assert rows[acc["contract"].reference][9] == "无法定逾期利息"
    data = pdf.read_bytes()
    assert data.startswith(b"%PDF-") and cid_fonts(data)
    text = pdf_text(data)
    assert f"{world.enterprise_1.name} 对账单（截至2026-06-05）" in text
    assert acc["sme"].reference in text and "151,000.00" in text
