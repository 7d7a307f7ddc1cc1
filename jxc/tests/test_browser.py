"""Browser smoke test: the first thing a shop owner does."""

import re
from io import StringIO

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_owner_signs_in_switches_language_and_signs_out(page, live_server):
    out = StringIO()
    call_command("seed_demo", stdout=out)
    password = re.search(r"owner / (\S+)", out.getvalue()).group(1)

    page.goto(live_server.url + "/")
    expect(page).to_have_url(re.compile(r"/login/\?next=/$"))
    expect(page.locator("h1")).to_have_text("登录")
    page.get_by_label("用户名").fill("owner")
    page.get_by_label("密码").fill(password)
    page.locator("#login-button").click()

    expect(page.locator("h1")).to_contain_text("欢迎")
    page.locator("#language-en").click()
    expect(page.locator("h1")).to_contain_text("Welcome")
    expect(page.locator("html")).to_have_attribute("lang", "en")

    page.locator("#user-menu").click()
    page.locator("#logout-button").click()
    expect(page).to_have_url(re.compile(r"/login/$"))
    expect(page.locator("h1")).to_have_text("Sign in")
