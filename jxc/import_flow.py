"""One way every spreadsheet import runs (kernel; imports no app): upload → every
problem at once, or a preview → 确认导入.

1. The uploaded file is read and checked whole (``read_upload``): the sheet's
   formulas and merged cells and every row's problems come back together, in one
   table sorted by row. Any problem: nothing is written, the table is shown.
2. No problem: a preview says what the import would do ("19 new, 1 updated,
   0 unchanged", the first rows, warnings such as near-duplicate names), and the
   file is kept on the server (``stage``) under a random token tied to the user
   and the import.
3. 确认导入 posts the token: the file is taken (``claim``: renamed away, so a
   double click or a second tab imports once), read and checked again (the shop
   may have changed meanwhile) and written.

Staged files live in ``settings.JXC_STAGING_DIR`` and are dropped after
STAGED_FOR; a claimed file is deleted once read.
"""

from __future__ import annotations

import os
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from jxc.tabular import RowError, Table, TableError, read_upload

STAGED_FOR = 60 * 60  # seconds a preview may wait for its 确认导入
PREVIEW_ROWS = 20
MAX_PROBLEMS_SHOWN = 500


@dataclass
class ImportPlan:
    """What an import would do, for the preview."""

    counts: list[tuple[str, int]]  # (label, number): 新增 19, 更新 1, 不变 0
    headers: list[str]
    rows: list[list] = field(default_factory=list)  # the first PREVIEW_ROWS rows
    total: int = 0  # rows in the file
    warnings: list[RowError] = field(default_factory=list)

    @property
    def more(self) -> int:
        return max(self.total - len(self.rows), 0)

    @property
    def labelled_rows(self) -> list[list[tuple[str, object]]]:
        """Each shown row's cells with their header (a phone shows them as labels)."""
        return [list(zip(self.headers, row, strict=False)) for row in self.rows]


@dataclass(frozen=True)
class ImportSpec:
    """One import: how to read, check, preview and save its rows.

    ``check(table)`` returns the checked rows (problems go to table.errors and
    table.warnings); ``plan(table, rows)`` the preview; ``save(rows, name,
    submission)`` writes and returns (message, redirect URL).
    """

    kind: str
    columns: list
    check: Callable[[Table], object]
    plan: Callable[[Table, object], ImportPlan]
    save: Callable[..., tuple[str, str]]


def _folder() -> Path:
    return Path(settings.JXC_STAGING_DIR)


def _path(user, kind: str, token: str) -> Path:
    return _folder() / f"{kind}-{user.pk}-{token}.upload"


def stage(*, user, kind: str, data: bytes, name: str) -> str:
    """Keep an upload until its preview is confirmed; returns the token."""
    folder = _folder()
    folder.mkdir(parents=True, exist_ok=True)
    _drop_expired(folder)
    token = secrets.token_urlsafe(24)
    encoded = name.encode()[:1000]
    path = _path(user, kind, token)
    with open(path, "wb") as out:
        out.write(len(encoded).to_bytes(2, "big") + encoded + data)
    return token


def claim(*, user, kind: str, token: str) -> tuple[bytes, str] | None:
    """Take a staged upload (once): (data, file name), or None when it is gone,
    expired, or not this user's for this import."""
    if not token or not token.replace("-", "").replace("_", "").isalnum():
        return None
    path = _path(user, kind, token[:64])
    taken = path.with_suffix(f".taken-{secrets.token_hex(4)}")
    try:
        os.rename(path, taken)  # atomic: a second confirm finds nothing
    except OSError:
        return None
    try:
        if time.time() - taken.stat().st_mtime > STAGED_FOR:
            return None
        raw = taken.read_bytes()
    finally:
        taken.unlink(missing_ok=True)
    size = int.from_bytes(raw[:2], "big")
    return raw[2 + size :], raw[2 : 2 + size].decode(errors="replace")


def _drop_expired(folder: Path) -> None:
    limit = time.time() - STAGED_FOR
    for path in folder.glob("*.upload"):
        try:
            if path.stat().st_mtime < limit:
                path.unlink(missing_ok=True)
        except OSError:
            continue


def _problems(table: Table) -> list[RowError]:
    return sorted(table.errors, key=lambda error: error.row)


def import_view(request, spec: ImportSpec, form, template: str, context: dict):
    """The upload → problems | preview → 确认导入 page of one import.

    ``form`` is the bound (or unbound) upload form; a confirm posts ``token``
    (and the form's other fields, e.g. a submission id) without a file.
    """
    problems: list[RowError] = []
    file_error = ""
    plan = token = upload = None
    if request.method == "POST":
        confirming = "token" in request.POST
        if confirming:
            form.fields["file"].required = False
        if form.is_valid():
            submission = form.cleaned_data.get("submission")
            if confirming:
                staged = claim(
                    user=request.user, kind=spec.kind, token=request.POST["token"]
                )
                if staged is None:
                    file_error = _(
                        "This preview has expired or was already imported. Upload "
                        "the file again."
                    )
                else:
                    data, name = staged
                    upload = SimpleUploadedFile(name, data)
            else:
                upload = form.cleaned_data["file"]
            if not file_error:
                try:
                    table = read_upload(upload, spec.columns)
                except TableError as error:
                    file_error = str(error)
                else:
                    rows = spec.check(table)
                    problems = _problems(table)
                    if not problems and confirming:
                        try:
                            message, url = spec.save(
                                rows=rows, name=upload.name, submission=submission
                            )
                        except ValidationError as error:  # e.g. not enough stock
                            file_error = " ".join(error.messages)
                        else:
                            upload.close()
                            messages.success(request, message)
                            return redirect(url)
                    elif not problems:
                        plan = spec.plan(table, rows)
                        upload.seek(0)
                        token = stage(
                            user=request.user,
                            kind=spec.kind,
                            data=upload.read(),
                            name=upload.name,
                        )
    if upload is not None:
        upload.close()
    return render(
        request,
        template,
        {
            **context,
            "form": form,
            "problems": problems[:MAX_PROBLEMS_SHOWN],
            "problem_count": len(problems),
            "file_error": file_error,
            "plan": plan,
            "token": token,
            "columns": spec.columns,
        },
    )
