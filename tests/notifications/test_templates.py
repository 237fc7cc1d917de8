"""Admin-edited templates: placeholders are checked on save, and admins see a preview."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from notifications.models import NotificationTemplate
from notifications.rendering import render, restricted_context
from tests.notifications.factories import template_key

pytestmark = pytest.mark.django_db


def _template(**texts) -> NotificationTemplate:
    fields = {"subject": "Halo {{ name }}", "body_text": "Isi untuk {{ name }}."} | texts
    return NotificationTemplate(
        template_key=template_key("announcement.generic"), language="id", **fields
    )


def test_an_unknown_placeholder_is_refused_with_its_name():
    template = _template(body_text="Halo {{ name }}, tagihan {{ amount }} jatuh tempo.")

    with pytest.raises(ValidationError) as error:
        template.full_clean()

    messages = error.value.message_dict["body_text"]
    assert any("amount" in message for message in messages)
    assert not any("name" in message.split(":")[1].split(".")[0] for message in messages)


def test_a_placeholder_inside_an_if_or_a_filter_argument_is_checked_too():
    template = _template(subject="{% if secret %}x{% endif %}{{ name|default:other }}")

    with pytest.raises(ValidationError) as error:
        template.full_clean()

    text = " ".join(error.value.message_dict["subject"])
    assert "secret" in text and "other" in text


def test_tags_other_than_if_are_refused():
    template = _template(body_html='{% include "base.html" %}{% for x in name %}{% endfor %}')

    with pytest.raises(ValidationError) as error:
        template.full_clean()

    text = " ".join(error.value.message_dict["body_html"])
    assert "include" in text and "for" in text


def test_a_template_with_only_declared_placeholders_saves():
    template = _template(
        subject="{{ title }}", body_text="Yth. {{ name|upper }}{% if body %}: {{ body }}{% endif %}"
    )

    template.full_clean(validate_constraints=False)


def test_the_context_holds_only_declared_plain_values(alice):
    context = restricted_context(
        {"name": "A", "user": alice, "title": alice}, allowed={"name", "title"}
    )

    assert context == {"name": "A", "title": str(alice)}
    assert render("{{ title.password }}", context) == ""


def test_html_bodies_escape_values_and_text_bodies_do_not():
    assert render("<p>{{ name }}</p>", {"name": "<b>&"}, html=True) == "<p>&lt;b&gt;&amp;</p>"
    assert render("{{ name }}", {"name": "<b>&"}) == "<b>&"


def test_the_admin_shows_a_preview_with_sample_values(client, admin_user):
    client.force_login(admin_user)
    template = NotificationTemplate.objects.get(
        template_key__key="reminder.document", language="id"
    )

    response = client.get(
        reverse("admin:notifications_notificationtemplate_change", args=[template.pk])
    )

    assert response.status_code == 200
    assert "Siti Rahayu" in response.content.decode()


def test_the_admin_refuses_an_unknown_placeholder_naming_it(client, admin_user):
    client.force_login(admin_user)
    template = NotificationTemplate.objects.get(
        template_key__key="reminder.document", language="en"
    )
    url = reverse("admin:notifications_notificationtemplate_change", args=[template.pk])

    response = client.post(
        url,
        {
            "template_key": template.template_key_id,
            "language": "en",
            "subject": "Hello {{ nama_lengkap }}",
            "body_text": template.body_text,
            "body_html": template.body_html,
            "sms_text": template.sms_text,
        },
    )

    assert response.status_code == 200
    assert "nama_lengkap" in response.content.decode()
    template.refresh_from_db()
    assert "nama_lengkap" not in template.subject
