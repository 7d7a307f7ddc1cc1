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


@register.simple_tag(takes_context=True)
def record_link(context, content_type_id, object_id, text):
    """``text`` linked to the record's page where the reader may view that kind of
    record, else ``text`` alone (a clerk's stock card names an owner-only document
    by its number: its link would answer 403)."""
    from django.contrib.contenttypes.models import ContentType

    from jxc.models import record_page

    if content_type_id is None or object_id is None:
        return text
    content_type = ContentType.objects.get_for_id(content_type_id)
    user = context.get("user")
    permission = f"{content_type.app_label}.view_{content_type.model}"
    url = record_page(content_type, object_id)
    if not url or user is None or not user.has_perm(permission):
        return text
    return format_html('<a href="{}">{}</a>', url, text)
