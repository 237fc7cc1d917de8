"""Lesson content is sanitised, videos come only from allowed hosts, files are checked."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from learning import content
from tests.learning.factories import LessonFactory


def test_lesson_html_loses_scripts_handlers_and_styles():
    dirty = (
        '<p onclick="alert(1)" style="color:red">Halo <script>alert(1)</script>'
        '<a href="javascript:alert(1)">x</a><a href="https://bkn.go.id">BKN</a></p>'
    )
    clean = content.sanitize_html(dirty)
    assert "script" not in clean and "onclick" not in clean and "style" not in clean
    assert "javascript:" not in clean
    assert 'href="https://bkn.go.id"' in clean


@pytest.mark.django_db
def test_a_saved_lesson_is_sanitised():
    lesson = LessonFactory(body="<p>Aman</p><iframe src='https://evil.example'></iframe>")
    lesson.refresh_from_db()
    assert lesson.body == "<p>Aman</p>"


@pytest.mark.parametrize(
    "url", ["https://www.youtube.com/watch?v=abc", "https://youtu.be/abc", "https://vimeo.com/1"]
)
def test_allowed_video_hosts(url):
    content.validate_video_url(url)


@pytest.mark.parametrize(
    "url",
    [
        "http://www.youtube.com/watch?v=abc",
        "https://evil.example/v",
        "https://youtube.com.evil.io/x",
    ],
)
def test_other_video_hosts_are_refused(url):
    with pytest.raises(ValidationError):
        content.validate_video_url(url)


def test_an_attachment_must_be_what_its_name_says():
    content.validate_attachment(SimpleUploadedFile("modul.pdf", b"%PDF-1.7 ..."))
    with pytest.raises(ValidationError, match="tidak sesuai"):
        content.validate_attachment(SimpleUploadedFile("modul.pdf", b"<html>"))
    with pytest.raises(ValidationError, match="tidak diizinkan"):
        content.validate_attachment(SimpleUploadedFile("modul.exe", b"MZ"))


def test_an_oversized_attachment_is_refused(settings):
    settings.LEARNING_ATTACHMENT_MAX_MB = 1
    big = SimpleUploadedFile("modul.pdf", b"%PDF-" + b"0" * (1024 * 1024))
    with pytest.raises(ValidationError, match="terlalu besar"):
        content.validate_attachment(big)
