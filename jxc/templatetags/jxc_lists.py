"""List helpers: links that keep the current filters while changing one parameter."""

from django import template
from django.utils.html import format_html

register = template.Library()


@register.simple_tag(takes_context=True)
def query_with(context, **changes):
    """The current query string with some parameters replaced (None removes one)."""
    query = context["request"].GET.copy()
    for key, value in changes.items():
        if value is None or value == "":
            query.pop(key, None)
        else:
            query[key] = value
    if "o" in changes or "q" in changes:
        query.pop("page", None)
    encoded = query.urlencode()
    return f"?{encoded}" if encoded else "?"


@register.simple_tag(takes_context=True)
def sort_header(context, field, label, numeric=False):
    """A column header that sorts by ``field``; clicking again reverses the order."""
    current = context["request"].GET.get("o", "")
    if current == field:
        target, arrow, state = f"-{field}", " ▲", "ascending"
    elif current == f"-{field}":
        target, arrow, state = field, " ▼", "descending"
    else:
        target, arrow, state = field, "", "none"
    href = query_with(context, o=target)
    css = "num" if numeric else ""
    return format_html(
        '<th scope="col" class="{}" aria-sort="{}"><a href="{}" '
        'class="link-body-emphasis text-decoration-none">{}{}</a></th>',
        css,
        state,
        href,
        label,
        arrow,
    )


@register.filter
def field_of(record, name: str):
    """``record``'s field ``name`` (a list names its party or date column)."""
    return getattr(record, name, None) if name else None
