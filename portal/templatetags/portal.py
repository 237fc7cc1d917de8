from __future__ import annotations

from django import template

from portal.registry import verb_label as _verb_label

register = template.Library()


@register.filter
def verb_label(verb: str):
    return _verb_label(verb)
