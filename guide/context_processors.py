from guide.sections import help_url


def help_link(request):
    """``help_url``: the guide section about the screen being shown (no queries);
    computed only when a template uses it."""

    def url():
        match = getattr(request, "resolver_match", None)
        return help_url(match.view_name if match else None)

    return {"help_url": url}
