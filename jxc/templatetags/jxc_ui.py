"""The look every page shares: status badges, icons, the filter drawer's count.

One badge for every status of every app (``{% status_badge document %}``): a
status's colour says where the document stands, the same in every list and on
every page, whatever the app calls the status (a purchase order's 已收货 and a
sales order's 已发货 are both done).
"""

from django import template
from django.utils.html import format_html
from heroicons.templatetags.heroicons import heroicon_micro, heroicon_mini

register = template.Library()

# The tone of each status value, whatever its model: draft (not yet binding),
# confirmed (binding, nothing moved yet), partial (part moved), done (finished),
# cancelled (void) and closed (ended short of done).
STATUS_TONES = {
    "draft": "draft",
    "counting": "draft",
    "pending": "draft",
    "requested": "draft",  # a transfer request waiting for approval
    "approved": "confirmed",
    "confirmed": "confirmed",
    "ordered": "confirmed",
    "open": "confirmed",
    "partial": "partial",
    "posted": "done",
    "received": "done",
    "shipped": "done",
    "delivered": "done",
    "cancelled": "cancelled",
    "failed": "cancelled",
    "closed": "closed",
    "active": "done",
    "revoked": "cancelled",
    "inactive": "closed",
}


def status_tone(status: str) -> str:
    """The tone (a CSS class suffix) of a status value; unknown ones are drafts'."""
    return STATUS_TONES.get(str(status), "draft")


@register.simple_tag
def status_badge(
    record=None,
    *,
    id=None,  # noqa: A002 (the HTML id)
    field="status",
    value=None,
    label=None,
    suffix="",
):
    """A status as a coloured badge: ``record``'s (its ``get_<field>_display``),
    or a ``value`` with its ``label`` for a status that is no model field (a
    shift's open / closed, an API key's active / revoked)."""
    if record is not None:
        value = getattr(record, field, "")
        label = getattr(record, f"get_{field}_display", lambda: value)()
    text = format_html("{} {}", label, suffix) if suffix else label
    return format_html(
        '<span class="badge status-badge status-{}"{} data-status="{}">{}</span>',
        status_tone(value),
        format_html(' id="{}"', id) if id else "",
        value,
        text,
    )


@register.simple_tag
def icon(name: str, small: bool = False):
    """A heroicon drawn inline (no file, no font: the CSP allows it), hidden from
    screen readers: the text beside it says what it is."""
    draw, size = (heroicon_micro, 16) if small else (heroicon_mini, 20)
    return draw(
        name,
        size=size,
        **{"class": "icon", "aria-hidden": "true", "focusable": "false"},
    )


@register.simple_tag(takes_context=True)
def filter_count(context, form=None, *ignored):
    """How many filters the query sets (the drawer's "筛选 2"): of ``form``'s
    fields if given, else of every parameter. A period a report fills in by
    default is not counted; neither are the sort order, the page and ``ignored``."""
    query = context["request"].GET
    skip = {"o", "page", *ignored}
    names = [field.name for field in form] if hasattr(form, "fields") else list(query)
    return sum(
        1
        for name in names
        if name not in skip and any(value.strip() for value in query.getlist(name))
    )
