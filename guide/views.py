"""The user guide: every signed-in role may read all of it."""

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import render
from django.template.loader import select_template
from django.utils.translation import get_language
from django.views.decorators.http import require_GET

from guide.sections import BY_SLUG, PAGES

CHINESE = "zh_hans"


def language() -> str:
    return (get_language() or CHINESE).replace("-", "_").lower()


def page_template(slug: str):
    """The page's text in the current language, or the Chinese text where it has
    not been translated."""
    return select_template(
        [f"guide/pages/{language()}/{slug}.html", f"guide/pages/{CHINESE}/{slug}.html"]
    )


@require_GET
@login_required
def index(request):
    return render(request, "guide/index.html", {"pages": PAGES})


@require_GET
@login_required
def page(request, slug):
    if slug not in BY_SLUG:
        raise Http404
    current = BY_SLUG[slug]
    number = PAGES.index(current)
    text = page_template(slug).template.name
    return render(
        request,
        "guide/page.html",
        {
            "page": current,
            "pages": PAGES,
            "text": text,
            "untranslated": not text.startswith(f"guide/pages/{language()}/"),
            "previous": PAGES[number - 1] if number else None,
            "next": PAGES[number + 1] if number + 1 < len(PAGES) else None,
        },
    )
