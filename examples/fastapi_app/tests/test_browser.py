"""The page in headless Chromium: found a group, click through to recruiting, read a refusal."""

from __future__ import annotations

import json
import shutil

import pytest
from playwright import sync_api

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
FOUNDERS = [
    {"id": "ani", "name": "Ani", "profession": "apoteker"},
    {"id": "bayu", "name": "Bayu", "profession": "apoteker"},
]


@pytest.fixture
def page(server):
    assert CHROMIUM, "the page is tested in Chromium: apt-get install chromium"
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        page = browser.new_page(base_url=server)
        page.set_default_timeout(10_000)
        yield page
        browser.close()


def submit(page, event, **fields):
    form = page.locator(f"form[data-event={event}]")
    for name, value in fields.items():
        form.locator(f"[name={name}]").fill(value)
    form.locator("button").click()


def test_a_group_is_clicked_through_to_recruiting_in_indonesian(page):
    expect = sync_api.expect
    page.goto("/")
    expect(page.locator("body")).to_have_attribute("data-ready", "true")
    page.select_option("#lang", "id")
    page.fill("#founding [name=name]", "Ikatan Apoteker Muda")
    page.fill("#founding [name=profession]", "apoteker")
    page.click("#create button")
    expect(page.locator("#stage-awareness")).to_have_class("stage current")
    expect(page.locator("#stage-awareness")).to_have_text("Kesadaran kolektif")

    submit(page, "identify_needs", needs="pendidikan berkelanjutan\npertukaran pengalaman")
    expect(page.locator("#stage-needs_identified")).to_have_class("stage current")
    submit(page, "form_core_group", founders=json.dumps(FOUNDERS))
    expect(page.locator("#where")).to_have_attribute("data-stage", "core_formed")

    submit(page, "open_recruitment")  # no charter yet: refused, and told why in Indonesian
    expect(page.locator("#refusal")).to_contain_text("Susun dahulu visi, misi")
    expect(page.locator("#refusal")).to_contain_text("charter.missing")
    expect(page.locator("#where")).to_have_attribute("data-stage", "core_formed")

    submit(
        page,
        "adopt_charter",
        vision="Apoteker kompeten",
        mission="Belajar bersama",
        goals="meningkatkan kompetensi",
        steps="kajian bulanan",
    )
    submit(page, "open_recruitment")
    expect(page.locator("#where")).to_have_attribute("data-stage", "recruiting")
    expect(page.locator("#stage-recruiting")).to_have_class("stage current")
    expect(page.locator("#stage-recruiting")).to_have_text("Rekrutmen anggota")
    expect(page.locator("#refusal")).to_be_empty()
    expect(page.locator("form[data-event=admit]")).to_be_visible()
