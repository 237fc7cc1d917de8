"""The citizen's letters, the PDF download, the public QR page and the upload form."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from notifications.letters import log
from notifications.letters.services import letter_revoke
from portal.models import Activity
from tests.conftest import ALICE_NIK

pytestmark = pytest.mark.django_db


def _pdf_bytes(letter) -> bytes:
    with letter.pdf.open("rb") as handle:
        return handle.read()


def _upload(client, data: bytes, name: str = "surat.pdf", content_type: str = "application/pdf"):
    return client.post(
        reverse("letters:verify_upload"),
        {"pdf": SimpleUploadedFile(name, data, content_type=content_type)},
    )


def test_citizen_sees_only_their_own_letters(fast_renderer, client, issue_letter, alice, bob):
    mine = issue_letter(recipient=alice, subject="Surat untuk Alice")
    issue_letter(recipient=bob, subject="Surat untuk Bob")
    client.force_login(alice)
    response = client.get(reverse("letters:letter_list"))
    assert response.status_code == 200
    assert mine.number.encode() in response.content
    assert b"Surat untuk Bob" not in response.content


def test_letter_list_query_count_does_not_grow_with_letters(
    fast_renderer, client, issue_letter, alice, django_assert_max_num_queries
):
    issue_letter(recipient=alice)
    client.force_login(alice)
    client.get(reverse("letters:letter_list"))
    with django_assert_max_num_queries(12) as captured:
        client.get(reverse("letters:letter_list"))
    few = len(captured)
    issue_letter(recipient=alice)
    issue_letter(recipient=alice)
    with django_assert_max_num_queries(few):
        client.get(reverse("letters:letter_list"))


def test_citizen_opens_their_pdf_and_the_opening_is_recorded(client, issue_letter, alice):
    letter = issue_letter(recipient=alice)
    client.force_login(alice)
    response = client.get(reverse("letters:letter_pdf", args=[letter.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert b"".join(response.streaming_content) == _pdf_bytes(letter)
    assert Activity.objects.filter(
        actor=alice, verb="letter.opened", target_id=str(letter.pk)
    ).exists()


def test_citizen_cannot_open_another_citizens_pdf(client, issue_letter, alice, bob):
    letter = issue_letter(recipient=bob)
    client.force_login(alice)
    assert client.get(reverse("letters:letter_pdf", args=[letter.pk])).status_code == 404
    client.logout()
    response = client.get(reverse("letters:letter_pdf", args=[letter.pk]))
    assert response.status_code == 302


def test_public_verification_page_shows_the_letter_but_no_personal_data(
    client, issue_letter, alice, django_assert_max_num_queries
):
    letter = issue_letter(recipient=alice, recipient_name="Alice Wulandari")
    log.checkpoint_create()
    with django_assert_max_num_queries(6):
        response = client.get(reverse("letters:verify_letter", args=[letter.public_id]))
    assert response.status_code == 200
    html = response.content.decode()
    assert letter.number in html
    assert letter.unit.name in html
    assert letter.pdf_sha256 in html
    assert "Terverifikasi" in html
    assert "27" in html or letter.issued_at.strftime("%Y") in html
    for secret in ["Alice", "Wulandari", alice.email, ALICE_NIK, letter.subject]:
        assert secret not in html


def test_public_bundle_has_no_personal_data(client, issue_letter, alice):
    letter = issue_letter(recipient=alice, recipient_name="Alice Wulandari")
    response = client.get(reverse("letters:proof_bundle", args=[letter.public_id]))
    text = response.content.decode()
    assert response.status_code == 200
    for secret in ["Alice", "Wulandari", alice.email, ALICE_NIK]:
        assert secret not in text


def test_verification_page_waits_for_the_next_checkpoint(fast_renderer, client, issue_letter):
    letter = issue_letter()
    response = client.get(reverse("letters:verify_letter", args=[letter.public_id]))
    assert "menunggu ringkasan log berikutnya" in response.content.decode()


def test_unknown_verification_id_is_404(client, db):
    assert client.get(reverse("letters:verify_letter", args=["x" * 22])).status_code == 404


def test_revoked_letter_shows_as_revoked_on_its_page_and_on_upload(client, issue_letter, issuer):
    letter = issue_letter()
    letter_revoke(letter=letter, reason="Terbit ganda", revoked_by=issuer)
    page = client.get(reverse("letters:verify_letter", args=[letter.public_id])).content.decode()
    assert "Dicabut: Terbit ganda" in page
    answer = _upload(client, _pdf_bytes(letter)).content.decode()
    assert "Dicabut: Terbit ganda" in answer


def test_upload_of_the_original_answers_asli_and_records_for_a_signed_in_visitor(
    client, issue_letter, bob
):
    letter = issue_letter()
    response = _upload(client, _pdf_bytes(letter))
    assert response.status_code == 200
    assert '<h2 class="verdict-answer">Asli</h2>' in response.content.decode()
    assert not Activity.objects.filter(verb="letter.verified").exists()
    client.force_login(bob)
    _upload(client, _pdf_bytes(letter))
    assert Activity.objects.filter(actor=bob, verb="letter.verified").exists()


def test_upload_of_a_changed_copy_answers_tidak_asli(client, issue_letter):
    data = bytearray(_pdf_bytes(issue_letter()))
    data[len(data) // 2] ^= 0x01
    response = _upload(client, bytes(data))
    assert "Tidak asli" in response.content.decode()


@pytest.mark.parametrize(
    ("data", "content_type"),
    [
        (b"GIF89a not a pdf", "application/pdf"),
        (b"%PDF-1.7 but an image type", "image/png"),
        (b"", "application/pdf"),
    ],
)
def test_upload_rejects_what_is_not_a_pdf_without_a_500(client, db, data, content_type):
    response = _upload(client, data, content_type=content_type)
    assert response.status_code == 400


def test_upload_rejects_a_file_over_the_limit(client, db, settings):
    settings.LETTER_UPLOAD_MAX_BYTES = 1000
    response = _upload(client, b"%PDF-1.7\n" + b"0" * 2000)
    assert response.status_code == 400
    assert "terlalu besar" in response.content.decode()


def test_log_public_key_and_checkpoint_are_published(fast_renderer, client, issue_letter):
    issue_letter()
    assert client.get(reverse("letters:log_checkpoint")).status_code == 404
    log.checkpoint_create()
    note = client.get(reverse("letters:log_checkpoint")).content.decode()
    assert note.startswith("portal.test/esurat/log\n1\n")
    key = client.get(reverse("letters:log_public_key")).content.decode()
    assert key.startswith("portal.test/esurat/log+")


def test_admin_issues_and_revokes_letters(client, admin_user, letter_setup, alice):
    unit, classification, official = letter_setup
    client.force_login(admin_user)
    response = client.post(
        reverse("admin:letters_letter_issue"),
        {
            "kind": "notice",
            "unit": unit.pk,
            "classification": classification.pk,
            "official": official.pk,
            "recipient_email": alice.email,
            "recipient_name": "Alice Wulandari",
            "subject": "Undangan",
            "text": "Saudara diundang.",
        },
    )
    assert response.status_code == 302
    from notifications.letters.models import Letter

    letter = Letter.objects.get()
    assert letter.recipient == alice
    changelist = client.get(reverse("admin:letters_letter_changelist"), {"q": letter.number})
    assert letter.number in changelist.content.decode()
    client.post(
        reverse("admin:letters_letter_changelist"),
        {
            "action": "revoke_letters",
            "_selected_action": [letter.pk],
            "apply": "1",
            "reason": "Keliru",
        },
    )
    letter.refresh_from_db()
    assert letter.status == "revoked"
