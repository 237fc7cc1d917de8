"""Masking of identifiers (NIK, document numbers) for display and logs."""

from __future__ import annotations


def mask_identifier(value: str | None, *, keep_start: int = 4, keep_end: int = 4) -> str:
    """`3273014105900001` → `3273********0001`; short values are masked whole."""
    if not value:
        return ""
    value = str(value)
    if len(value) <= keep_start + keep_end:
        return "*" * len(value)
    hidden = len(value) - keep_start - keep_end
    return f"{value[:keep_start]}{'*' * hidden}{value[-keep_end:]}"
