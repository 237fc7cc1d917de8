"""Default texts of the leave notices, installed into notifications after every migrate.

`notifications.services.template_define` is idempotent and never overwrites texts an
admin has edited, so running it on each post_migrate (and after test flushes) is safe.
"""

from __future__ import annotations

_PERIOD_ID = "{{ leave_type }}, {{ start_date }} s.d. {{ end_date }}"
_PERIOD_EN = "{{ leave_type }}, {{ start_date }} to {{ end_date }}"
_BASE = ["employee_name", "leave_type", "start_date", "end_date", "url"]


def _texts(subject_id: str, line_id: str, subject_en: str, line_en: str) -> dict:
    return {
        "id": {
            "subject": subject_id,
            "body_text": f"{line_id}\n\nBuka: {{{{ url }}}}\n\nPortal Layanan Publik",
            "body_html": f'<p>{line_id}</p><p><a href="{{{{ url }}}}">Buka permohonan</a></p>',
            "sms_text": f"{subject_id}. {{{{ url }}}}",
        },
        "en": {
            "subject": subject_en,
            "body_text": f"{line_en}\n\nOpen: {{{{ url }}}}\n\nPortal Layanan Publik",
            "body_html": f'<p>{line_en}</p><p><a href="{{{{ url }}}}">Open the request</a></p>',
            "sms_text": f"{subject_en}. {{{{ url }}}}",
        },
    }


NOTICES = [
    (
        "leave.submitted",
        _BASE,
        _texts(
            "Permohonan cuti {{ employee_name }} menunggu pertimbangan Anda",
            f"{{{{ employee_name }}}} mengajukan {_PERIOD_ID}.",
            "Leave request from {{ employee_name }} awaits your recommendation",
            f"{{{{ employee_name }}}} applied for {_PERIOD_EN}.",
        ),
    ),
    (
        "leave.recommended",
        _BASE,
        _texts(
            "Permohonan cuti {{ employee_name }} menunggu keputusan Anda",
            f"Atasan langsung telah memberi pertimbangan atas {_PERIOD_ID} "
            "yang diajukan {{ employee_name }}.",
            "Leave request from {{ employee_name }} awaits your decision",
            f"The direct superior has recommended {_PERIOD_EN} for {{{{ employee_name }}}}.",
        ),
    ),
    (
        "leave.decided",
        [*_BASE, "outcome", "note"],
        _texts(
            "Keputusan cuti: {{ outcome }}",
            f"Permohonan {_PERIOD_ID} atas nama {{{{ employee_name }}}}: {{{{ outcome }}}}. "
            "{{ note }}",
            "Leave decision: {{ outcome }}",
            f"The request for {_PERIOD_EN} by {{{{ employee_name }}}}: {{{{ outcome }}}}. "
            "{{ note }}",
        ),
    ),
    (
        "leave.cancelled",
        _BASE,
        _texts(
            "Permohonan cuti {{ employee_name }} dibatalkan",
            f"{{{{ employee_name }}}} membatalkan {_PERIOD_ID}.",
            "Leave request from {{ employee_name }} cancelled",
            f"{{{{ employee_name }}}} cancelled {_PERIOD_EN}.",
        ),
    ),
    (
        "leave.new_device",
        ["employee_name", "at", "url"],
        _texts(
            "Presensi {{ employee_name }} dari perangkat baru",
            "{{ employee_name }} melakukan presensi dari perangkat yang belum dikenal pada {{ at }}.",
            "Attendance by {{ employee_name }} from a new device",
            "{{ employee_name }} checked in from an unknown device at {{ at }}.",
        ),
    ),
]


def install(**_kwargs) -> None:
    from notifications.services import NotifyError, template_define

    try:
        for key, variables, texts in NOTICES:
            template_define(key=key, category="services", variables=variables, texts=texts)
    except NotifyError:
        return  # a flushed test database: the notifications categories are not there
