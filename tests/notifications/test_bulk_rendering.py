"""Bulk paths give the same texts and bytes as the standard ones: texts rendered once per
batch with per-recipient slots, and notice MIME written directly."""

from __future__ import annotations

import email
import email.policy

import pytest

from notifications import delivery, mime, rendering
from notifications.services import Item, notify_items
from tests.factories import CitizenProfileFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("html", [False, True])
def test_a_slotted_text_equals_the_engine_render_for_each_recipient(html):
    source = "<p>Yth. {{ name }},</p>{% if title %}<h1>{{ title }}</h1>{% endif %}{{ body|linebreaksbr }}"
    shared = {"title": "Jadwal & libur", "body": "baris 1\nbaris 2"}
    fast = rendering.SlotRenderer.for_batch(source, shared, ["name"], html=html)

    for name in ["Siti", "<b>Budi & Ani</b>", ""]:
        assert fast.render({"name": name}) == rendering.render(
            source, shared | {"name": name}, html=html
        )


def test_a_variable_with_a_filter_or_in_a_condition_is_not_slotted():
    assert rendering.SlotRenderer.for_batch("{{ name|upper }}", {}, ["name"], html=False) is None
    assert (
        rendering.SlotRenderer.for_batch("{% if name %}x{% endif %}", {}, ["name"], html=False)
        is None
    )


def test_a_campaign_batch_personalises_each_recipient_and_escapes_html():
    users = [p.user for p in CitizenProfileFactory.create_batch(3)]
    users[0].citizen_profile.full_name = "<script>Ani</script>"
    context = {"title": "Jadwal", "body": "Buka Sabtu."}

    messages = notify_items(
        items=[Item(user=u, context=context, idempotency_key="k") for u in users],
        template_key="announcement.generic",
        category="announcements",
        channels=["inbox"],
    )

    by_user = {m.recipient_id: m for m in messages}
    for user in users:
        assert by_user[user.pk].body_text.startswith(f"Yth. {user.get_full_name()},")
    assert by_user[users[0].pk].body_text.startswith("Yth. <script>Ani</script>,")


def test_notice_mime_encodes_subject_strips_header_breaks_and_long_lines():
    long_line = "é" * 700  # 1,400 bytes: past SMTP's line limit
    raw = mime.build(
        from_email="Portal Layanan Publik <noreply@portal.example.go.id>",
        to="siti@example.id",
        subject="Pengingat: perpanjang SIM\r\nBcc: korban@example.id",
        text=f"Halo\n{long_line}\n",
        html="<p>Halo</p>",
        headers={"X-Portal-Message": "abc"},
        linesep="\r\n",
    ).as_bytes()

    parsed = email.message_from_bytes(raw, policy=email.policy.default)
    assert parsed["Subject"] == "Pengingat: perpanjang SIM Bcc: korban@example.id"
    assert parsed["Bcc"] is None and parsed["X-Portal-Message"] == "abc"
    assert max(len(line) for line in raw.split(b"\r\n")) <= 998
    text, html = (part.get_content() for part in parsed.iter_parts())
    assert long_line in text and "<p>Halo</p>" in html


def test_a_non_ascii_subject_reaches_the_sink_intact(alice, smtp_sink):
    smtp_sink.start()
    [message] = notify_items(
        items=[
            Item(
                user=alice,
                context={"title": "Jadwal Lebaran — libur", "body": "x"},
                idempotency_key="m",
            )
        ],
        template_key="announcement.generic",
        category="announcements",
        channels=["email"],
    )

    assert delivery.messages_deliver(message_ids=[message.pk]).delivered == [message.pk]
    [received] = smtp_sink.messages
    assert str(email.header.make_header(email.header.decode_header(received["Subject"]))) == (
        "Jadwal Lebaran — libur"
    )
