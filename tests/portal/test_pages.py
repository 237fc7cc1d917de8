"""The core pages: who may see them, what they cost in queries, language and security headers."""

from __future__ import annotations

from html.parser import HTMLParser
from urllib.parse import parse_qs, urlsplit

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.factories import ActivityFactory, CitizenDocumentFactory

pytestmark = pytest.mark.django_db

SIGNED_IN_PAGES = [
    "portal:dashboard",
    "portal:profile",
    "portal:profile_edit",
    "portal:document_add",
    "portal:activity_list",
]


class _InlineCodeFinder(HTMLParser):
    """Collects what a strict CSP (no 'unsafe-inline') would block."""

    def __init__(self) -> None:
        super().__init__()
        self.scripts: list[dict] = []
        self.problems: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        if tag == "script":
            self.scripts.append(attributes)
            if not attributes.get("src"):
                self.problems.append(f"inline <script> at line {self.getpos()[0]}")
        if tag == "style":
            self.problems.append(f"inline <style> at line {self.getpos()[0]}")
        for name, value in attrs:
            if name.startswith("on"):
                self.problems.append(f"{name}= handler on <{tag}>")
            if name == "style":
                self.problems.append(f"style= attribute on <{tag}>")
            if value and value.strip().lower().startswith("javascript:"):
                self.problems.append(f"javascript: URL on <{tag}>")


def _path_and_next(url: str) -> tuple[str, list[str]]:
    parts = urlsplit(url)
    return parts.path, parse_qs(parts.query).get("next", [])


def _inline_code(html: str) -> _InlineCodeFinder:
    finder = _InlineCodeFinder()
    finder.feed(html)
    return finder


def test_the_home_page_is_public_and_offers_the_language_switch(client):
    response = client.get(reverse("portal:home"))

    assert response.status_code == 200
    html = response.content.decode()
    assert '<html lang="id">' in html
    assert f'action="{reverse("set_language")}"' in html
    assert '<select name="language" id="lang-select">' in html
    assert '<option value="en">' in html


def test_a_signed_in_citizen_is_taken_from_home_to_the_dashboard(client, alice):
    client.force_login(alice)

    response = client.get(reverse("portal:home"))

    assert response.status_code == 302
    assert response.url == reverse("portal:dashboard")


def test_alices_dashboard_greets_her_and_shows_her_cards(client, alice):
    CitizenDocumentFactory(owner=alice, kind="stnk")
    ActivityFactory(actor=alice, verb="document.added")
    client.force_login(alice)

    response = client.get(reverse("portal:dashboard"))

    assert response.status_code == 200
    html = response.content.decode()
    assert "Selamat datang, Alice" in html
    assert "Alice Wulandari" in html
    assert "STNK (Surat Tanda Nomor Kendaraan)" in html
    assert "Menambahkan dokumen" in html


@pytest.mark.parametrize("url_name", SIGNED_IN_PAGES)
def test_signed_in_pages_send_anonymous_visitors_to_login(client, url_name):
    url = reverse(url_name)

    response = client.get(url)

    assert response.status_code == 302
    assert _path_and_next(response.url) == (reverse("account_login"), [url])


def test_anonymous_visitors_cannot_post_to_a_document_either(client, alice):
    document = CitizenDocumentFactory(owner=alice)

    for url in (
        reverse("portal:document_edit", args=[document.pk]),
        reverse("portal:document_delete", args=[document.pk]),
    ):
        response = client.post(url, {"number": "HACKED99"})
        assert response.status_code == 302
        assert response.url.startswith(reverse("account_login"))
    document.refresh_from_db()
    assert document.number != "HACKED99"


def test_the_dashboard_stays_within_its_query_budget(client, alice, django_assert_max_num_queries):
    CitizenDocumentFactory.create_batch(3, owner=alice)
    ActivityFactory.create_batch(5, actor=alice)
    client.force_login(alice)

    # Session user, roles, and each card: profile, inbox (unread count + latest),
    # documents, letters, learning (enrolments + employee), missions (missions,
    # points, streak) and recent activity. One query per card part, never per row.
    with django_assert_max_num_queries(13):
        assert client.get(reverse("portal:dashboard")).status_code == 200


def test_the_profile_page_stays_within_its_query_budget(
    client, alice, django_assert_max_num_queries
):
    CitizenDocumentFactory.create_batch(3, owner=alice)
    client.force_login(alice)

    with django_assert_max_num_queries(5):
        assert client.get(reverse("portal:profile")).status_code == 200


def _count_queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


@pytest.mark.parametrize("url_name", ["portal:dashboard", "portal:profile", "portal:activity_list"])
def test_a_page_costs_the_same_queries_with_1_or_many_documents_and_activities(
    client, alice, url_name
):
    client.force_login(alice)
    url = reverse(url_name)
    CitizenDocumentFactory(owner=alice)
    ActivityFactory(actor=alice)
    with_one = _count_queries(client, url)

    CitizenDocumentFactory.create_batch(19, owner=alice)
    ActivityFactory.create_batch(49, actor=alice)
    with_many = _count_queries(client, url)

    assert with_many == with_one


def test_switching_to_english_makes_the_page_english(client):
    response = client.post(
        reverse("set_language"), {"language": "en", "next": reverse("portal:home")}
    )
    assert response.status_code == 302

    response = client.get(reverse("portal:home"))

    html = response.content.decode()
    assert '<html lang="en">' in html
    assert response["Content-Language"] == "en"
    assert "Public services at your fingertips" in html
    assert "Layanan publik dalam genggaman" not in html


def test_a_signed_in_citizen_keeps_english_across_pages(client, alice):
    client.force_login(alice)
    client.post(reverse("set_language"), {"language": "en", "next": reverse("portal:dashboard")})

    for url_name in ("portal:dashboard", "portal:profile"):
        assert '<html lang="en">' in client.get(reverse(url_name)).content.decode()


@pytest.mark.parametrize("url_name", ["portal:home", "account_login", "account_signup"])
def test_public_pages_carry_a_strict_csp_and_refuse_framing(client, url_name):
    response = client.get(reverse(url_name))

    assert response.status_code == 200
    csp = response["Content-Security-Policy"]
    assert "script-src 'self'" in csp
    assert "frame-ancestors 'none'" in csp
    assert "unsafe-inline" not in csp
    assert "unsafe-eval" not in csp
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"


@pytest.mark.parametrize(
    "url_name", ["portal:home", "account_login", "account_signup", "account_reset_password"]
)
def test_public_pages_have_no_inline_code_the_csp_would_block(client, url_name):
    html = client.get(reverse(url_name)).content.decode()

    found = _inline_code(html)
    assert found.scripts, "htmx should be loaded from our static files"
    assert found.problems == []


@pytest.mark.parametrize("url_name", SIGNED_IN_PAGES)
def test_signed_in_pages_have_no_inline_code_the_csp_would_block(client, alice, url_name):
    client.force_login(alice)

    assert _inline_code(client.get(reverse(url_name)).content.decode()).problems == []
