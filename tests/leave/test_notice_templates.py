import pytest

from learning.notices import DUE_TEMPLATE_KEY
from leave.notices import TEMPLATE_KEYS, leave_notice
from notifications.models import Message, TemplateKey
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_every_leave_notice_and_the_course_due_notice_have_templates_after_migrate():
    installed = set(TemplateKey.objects.values_list("key", flat=True))

    assert set(TEMPLATE_KEYS) <= installed
    assert DUE_TEMPLATE_KEY in installed


def test_a_leave_decision_reaches_the_employees_inbox():
    employee = UserFactory()

    leave_notice(
        recipients=[employee],
        template_key="leave.decided",
        context={
            "employee_name": "Budi Santoso",
            "leave_type": "Cuti tahunan",
            "start_date": "1 Desember 2026",
            "end_date": "3 Desember 2026",
            "outcome": "disetujui",
            "note": "",
            "url": "http://127.0.0.1:8000/cuti/",
        },
        idempotency_key="test:decided:1",
    )

    message = Message.objects.get(recipient=employee, channel="inbox")
    assert message.subject == "Keputusan cuti: disetujui"
    assert "Cuti tahunan, 1 Desember 2026 s.d. 3 Desember 2026" in message.body_text
