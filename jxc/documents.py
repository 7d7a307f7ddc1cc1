"""What every app's document services share: the row lock a status is checked
under, the form submission that makes a double post find the first document, and
the version that makes a form from an older tab stale."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _


class StaleDocument(ValidationError):
    """The document changed since this form was opened."""


def lock(model, pk):
    """The document's row, locked: its status is always checked under this lock."""
    return model.objects.select_for_update().get(pk=pk)


def by_submission(model, submission):
    """The document an earlier submit of the same form created, if any."""
    if submission is None:
        return None
    return model.objects.filter(submission=submission).first()


def check_version(document, version: int | None) -> None:
    """Refuse a form opened on an older version of ``document`` (None: not checked)."""
    if version is not None and document.version != version:
        raise StaleDocument(
            _(
                "%(number)s was changed by someone else since you opened it; this page "
                "now shows its current state."
            )
            % {"number": document.number}
        )
