"""Every export is in the audit trail: who downloaded which file, with which
filters. One place for every export the shop has and will have: any answer that
is a file download (``Content-Disposition: attachment``, as ``jxc.excel``'s
``xlsx_response`` sends) to a signed-in user is recorded once it is made."""

from __future__ import annotations

import re
from urllib.parse import unquote

from audit.services import export_record

FILENAME_STAR = re.compile(r"filename\*=UTF-8''([^;]+)", re.IGNORECASE)
FILENAME = re.compile(r'filename="([^"]*)"', re.IGNORECASE)
# Query parameters that say how the file is made, not what is in it.
NOT_FILTERS = {"format", "page"}


def attachment_name(disposition: str) -> str | None:
    """The file name of a download's Content-Disposition, else None."""
    if not disposition.lower().startswith("attachment"):
        return None
    if match := FILENAME_STAR.search(disposition):
        return unquote(match.group(1))
    if match := FILENAME.search(disposition):
        return match.group(1)
    return ""


class ExportAuditMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if response.status_code != 200 or not (user and user.is_authenticated):
            return response
        name = attachment_name(response.get("Content-Disposition", ""))
        if name is not None:
            export_record(
                user=user,
                name=name or request.path,
                path=request.path,
                filters=[
                    (key, value)
                    for key, values in request.GET.lists()
                    if key not in NOT_FILTERS
                    for value in values
                    if value != ""
                ],
            )
        return response
