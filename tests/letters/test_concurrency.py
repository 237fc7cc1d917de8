"""Concurrent issuance on the real PostgreSQL: numbers and log indices without gaps or doubles."""

from __future__ import annotations

import threading

import pytest
from django.db import connection

from notifications.letters import audit, log
from notifications.letters.models import Letter, LogLeaf
from notifications.letters.services import letter_issue

ISSUANCES = 100
THREADS = 20


@pytest.mark.django_db(transaction=True)
def test_concurrent_issuances_get_distinct_consecutive_numbers(fast_renderer, letter_setup, issuer):
    unit, classification, official = letter_setup
    errors: list[BaseException] = []
    start = threading.Barrier(THREADS)

    def worker(count: int) -> None:
        try:
            start.wait()
            for _ in range(count):
                letter_issue(
                    kind="notice",
                    unit=unit,
                    classification=classification,
                    official=official,
                    recipient_name="Warga Sukamaju",
                    subject="Pemberitahuan",
                    body_template="letters/bodies/generic.html",
                    context={"text": "Isi"},
                    issued_by=issuer,
                )
        except BaseException as error:  # reported by the main thread
            errors.append(error)
        finally:
            connection.close()

    threads = [
        threading.Thread(target=worker, args=(ISSUANCES // THREADS,)) for _ in range(THREADS)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not errors, errors
    sequences = sorted(Letter.objects.values_list("sequence", flat=True))
    assert sequences == list(range(1, ISSUANCES + 1))
    numbers = set(Letter.objects.values_list("number", flat=True))
    assert len(numbers) == ISSUANCES
    assert sorted(LogLeaf.objects.values_list("index", flat=True)) == list(range(ISSUANCES))
    assert log.log_size() == ISSUANCES
    log.checkpoint_create()
    assert audit.audit().problems == []
