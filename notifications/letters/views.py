from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from notifications.letters import bundle, keys, log, selectors, services
from notifications.letters.forms import VerifyUploadForm
from notifications.letters.models import Letter


@require_GET
@login_required
def letter_list(request: HttpRequest) -> HttpResponse:
    letters = selectors.letter_list_for_user(user=request.user)[:100]
    return render(request, "letters/letter_list.html", {"letters": letters})


def _get_letter_for_user(request: HttpRequest, pk: int) -> Letter:
    # Another citizen's letter is a 404: its existence is not revealed.
    letter = selectors.letter_for_user(user=request.user, pk=pk)
    if letter is None:
        raise Http404
    return letter


@require_GET
@login_required
@never_cache
def letter_pdf(request: HttpRequest, pk: int) -> FileResponse:
    letter = _get_letter_for_user(request, pk)
    services.letter_record_opened(letter=letter, user=request.user)
    filename = letter.number.replace("/", "-") + ".pdf"
    response = FileResponse(
        letter.pdf.open("rb"), content_type="application/pdf", filename=filename
    )
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    return response


_ANSWERS = {
    services.VerdictStatus.AUTHENTIC: "Asli",
    services.VerdictStatus.NOT_AUTHENTIC: "Tidak asli",
    services.VerdictStatus.REVOKED: "Dicabut",
}


@require_http_methods(["GET", "POST"])
def verify_upload(request: HttpRequest) -> HttpResponse:
    form = VerifyUploadForm(request.POST or None, request.FILES or None)
    verdict = None
    if request.method == "POST" and form.is_valid():
        verdict = services.letter_verify_pdf(pdf_bytes=form.cleaned_data["pdf"])
        if request.user.is_authenticated:
            services.letter_record_verified(
                letter=verdict.letter, user=request.user, verdict=verdict.status
            )
    return render(
        request,
        "letters/verify_upload.html",
        {
            "form": form,
            "verdict": verdict,
            "answer": _ANSWERS[verdict.status] if verdict else "",
        },
        status=400 if form.errors else 200,
    )


def _public_letter(public_id: str) -> Letter:
    letter = selectors.letter_public(public_id=public_id)
    if letter is None:
        raise Http404(_("Surat tidak ditemukan."))
    return letter


@require_GET
def verify_letter(request: HttpRequest, public_id: str) -> HttpResponse:
    letter = _public_letter(public_id)
    leaves = selectors.leaves_of(letter)
    checkpoint = log.checkpoint_latest()
    proofs = []
    for event in ("issued", "revoked"):
        leaf = leaves.get(event)
        if leaf is not None:
            proofs.append((leaf, log.leaf_proof(leaf, checkpoint)))
    return render(
        request,
        "letters/verify_letter.html",
        {"letter": letter, "proofs": proofs, "checkpoint": checkpoint},
    )


@require_GET
def proof_bundle(request: HttpRequest, public_id: str) -> JsonResponse:
    letter = _public_letter(public_id)
    response = JsonResponse(bundle.proof_bundle_for(letter), json_dumps_params={"indent": 2})
    response["Content-Disposition"] = f'attachment; filename="bukti-{letter.public_id}.json"'
    return response


@require_GET
def log_checkpoint(request: HttpRequest) -> HttpResponse:
    checkpoint = log.checkpoint_latest()
    if checkpoint is None:
        raise Http404
    return HttpResponse(checkpoint.note, content_type="text/plain; charset=utf-8")


@require_GET
def log_public_key(request: HttpRequest) -> HttpResponse:
    return HttpResponse(keys.tlog_verifier_key() + "\n", content_type="text/plain; charset=utf-8")
