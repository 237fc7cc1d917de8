"""Rendering of admin-edited notice templates with Django's template engine, restricted.

Admins write `{{ name }}` placeholders and `{% if %}` blocks; nothing else. The engine
has no loaders and no tag libraries beyond the built-ins, only the declared variables
reach the context, and they are plain values (strings, numbers, dates), so a template
can neither read files nor walk from an object to its relations.
"""

from __future__ import annotations

import datetime
import functools
import re
from decimal import Decimal
from typing import Any

from django.template import Context, Engine, TemplateSyntaxError
from django.template.base import FilterExpression, Node, TextNode, VariableNode
from django.template.defaulttags import IfNode
from django.utils.html import conditional_escape
from django.utils.translation import gettext as _

ENGINE = Engine(dirs=[], app_dirs=False, loaders=[], libraries={}, debug=False)
_ALLOWED_NODES = (TextNode, VariableNode, IfNode)
_PLAIN = (str, int, float, Decimal, bool, datetime.date, datetime.datetime, type(None))


def _expression_names(expression: FilterExpression) -> set[str]:
    names = set()
    variable = expression.var
    lookups = getattr(variable, "lookups", None)
    if lookups:
        names.add(lookups[0])
    for _func, args in expression.filters:
        for _is_var, arg in args:
            arg_lookups = getattr(arg, "lookups", None)
            if arg_lookups:
                names.add(arg_lookups[0])
    return names


def _condition_names(condition: Any) -> set[str]:
    if condition is None:
        return set()
    if hasattr(condition, "value") and isinstance(condition.value, FilterExpression):
        return _expression_names(condition.value)
    names = set()
    for part in ("first", "second"):
        child = getattr(condition, part, None)
        if child is not None:
            names |= _condition_names(child)
    return names


def _walk(nodes: list[Node]):
    for node in nodes:
        yield node
        for attr in node.child_nodelists:
            yield from _walk(getattr(node, attr, None) or [])
        if isinstance(node, IfNode):
            for _condition, nodelist in node.conditions_nodelists:
                yield from _walk(nodelist)


def check_template(source: str, *, allowed: set[str]) -> list[str]:
    """The problems of one template text, in Indonesian; empty when it may be saved."""
    if not source:
        return []
    try:
        template = ENGINE.from_string(source)
    except TemplateSyntaxError as error:
        return [_("Templat tidak valid: %(error)s") % {"error": error}]
    problems: list[str] = []
    used: set[str] = set()
    for node in _walk(template.nodelist):
        if not isinstance(node, _ALLOWED_NODES):
            tag = (node.token.contents.split() or ["?"])[0] if node.token else "?"
            problems.append(
                _("Tag {%% %(tag)s %%} tidak diizinkan; gunakan {{ variabel }} dan {%% if %%}.")
                % {"tag": tag}
            )
        elif isinstance(node, VariableNode):
            used |= _expression_names(node.filter_expression)
        elif isinstance(node, IfNode):
            for condition, _nodelist in node.conditions_nodelists:
                used |= _condition_names(condition)
    for name in sorted(used - allowed):
        problems.append(
            _("Variabel tidak dikenal: {{ %(name)s }}. Yang boleh dipakai: %(allowed)s.")
            % {"name": name, "allowed": ", ".join(sorted(allowed)) or "-"}
        )
    return problems


def restricted_context(context: dict[str, Any], *, allowed: set[str]) -> dict[str, Any]:
    """Only declared variables, and only as plain values (anything else becomes its text)."""
    return {
        name: value if isinstance(value, _PLAIN) else str(value)
        for name, value in context.items()
        if name in allowed
    }


@functools.lru_cache(maxsize=256)
def _compiled(source: str):
    # Parsing costs more than rendering; a bulk send renders one source many times.
    return ENGINE.from_string(source)


def render(source: str, context: dict[str, Any], *, html: bool = False) -> str:
    if not source:
        return ""
    return _compiled(source).render(Context(context, autoescape=html)).strip()


_MARK_OPEN, _MARK_CLOSE = "\ue000", "\ue001"  # private-use characters: no text has them
_MARKS = re.compile(f"{_MARK_OPEN}(\\d+){_MARK_CLOSE}")


class SlotRenderer:
    """A template rendered once for a whole batch, with each per-recipient variable left
    as a slot: a campaign to 100,000 people renders its texts once per language and
    fills in `name` (and CSV columns) by joining strings, not 100,000 engine renders.

    Only for variables used as a bare `{{ var }}` (no filter, not in an `{% if %}`) and
    given as strings: then the engine would output the value as it is (escaped in HTML),
    which is what a slot does. `for_batch()` returns None otherwise; callers render fully.
    """

    def __init__(self, parts: list[str], slots: list[str], html: bool) -> None:
        self.parts = parts
        self.slots = slots
        self.html = html

    @classmethod
    def for_batch(
        cls, source: str, shared: dict[str, Any], varying: list[str], *, html: bool
    ) -> SlotRenderer | None:
        if not source:
            return cls([""], [], html)
        template = _compiled(source)
        wanted = set(varying)
        for node in _walk(template.nodelist):
            if isinstance(node, VariableNode):
                expression = node.filter_expression
                names = _expression_names(expression)
                lookups = getattr(expression.var, "lookups", None)
                if names & wanted and (expression.filters or not lookups or len(lookups) != 1):
                    return None
            elif isinstance(node, IfNode):
                for condition, _nodelist in node.conditions_nodelists:
                    if _condition_names(condition) & wanted:
                        return None
        if any(isinstance(v, str) and _MARK_OPEN in v for v in shared.values()):
            return None
        marks = {name: f"{_MARK_OPEN}{index}{_MARK_CLOSE}" for index, name in enumerate(varying)}
        # Not stripped here: a recipient's value may begin or end the text.
        rendered = template.render(Context(shared | marks, autoescape=html))
        pieces = _MARKS.split(rendered)
        return cls(pieces[0::2], [varying[int(index)] for index in pieces[1::2]], html)

    def render(self, values: dict[str, str]) -> str:
        out = [self.parts[0]]
        for name, part in zip(self.slots, self.parts[1:], strict=True):
            value = values.get(name, "")
            out.append(conditional_escape(value) if self.html else value)
            out.append(part)
        return "".join(out).strip()
