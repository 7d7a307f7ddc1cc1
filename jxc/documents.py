"""What every app's document services share: the transaction a posting runs in
(retried on a conflict, reported clearly when the database fails), the row lock a
status is checked under, the form submission that makes a double post find the
first document, and the version that makes a form from an older tab stale."""

import functools
import logging
import random
import time
import uuid
from contextlib import contextmanager

from django.core.exceptions import ValidationError
from django.db import Error, InterfaceError, OperationalError, connection, transaction
from django.utils.translation import gettext as _

logger = logging.getLogger(__name__)

# A posting is tried at most this many times when it meets a conflict. With the
# web's 5 s lock timeout (README) that bounds a stuck request to about 15 s, well
# inside gunicorn's worker timeout.
POSTING_ATTEMPTS = 3
# SQLSTATEs after which the same transaction, run again, may well succeed.
BUSY = {
    "40001",  # serialization_failure
    "40P01",  # deadlock_detected
    "55P03",  # lock_not_available: lock_timeout expired
}
# The same form posted twice at once: run again, the service finds the document
# the other request made (by_submission) and returns it.
DUPLICATE = "23505"  # unique_violation
TOO_LONG = "57014"  # query_canceled: statement_timeout expired
# The server ended the session: administrator command, crash, shutdown.
CONNECTION_ENDED = {"57P01", "57P02", "57P03"}


class NotSaved(ValidationError):
    """The database failed while posting, and nothing was written. A refusal like
    any other (pages show its message and keep the form); the user may try again,
    and the form's submission token makes a second try post at most once."""

    def __init__(self, message, *, reason: str):
        self.reason = reason  # "busy", "lost", "too_long" or "failed"
        super().__init__(message)


def sqlstate(error: Exception) -> str | None:
    """The SQLSTATE of a database error (psycopg 2 or 3), else None."""
    cause = error.__cause__
    return getattr(cause, "pgcode", None) or getattr(cause, "sqlstate", None)


def retryable(error: Error) -> bool:
    """A conflict with another transaction: running the whole posting again may
    succeed."""
    code = sqlstate(error)
    return code in BUSY or code == DUPLICATE or "UNIQUE constraint failed" in str(error)


def failure_kind(error: Error) -> str:
    """What went wrong, in the words the user is told: busy (another posting was
    in the way), lost (the connection broke), too_long (a statement timeout) or
    failed (the database refused)."""
    code = sqlstate(error)
    # "database is locked": SQLite waited for the write lock and gave up.
    if code in BUSY or "database is locked" in str(error):
        return "busy"
    if code == TOO_LONG:
        return "too_long"
    # psycopg reports a server that vanished mid-statement without any SQLSTATE.
    vanished = (
        isinstance(error, OperationalError)
        and code is None
        and connection.vendor == "postgresql"
    )
    if (
        vanished
        or isinstance(error, InterfaceError)
        or code in CONNECTION_ENDED
        or (code or "").startswith("08")  # connection exceptions
        or connection.connection is None
    ):
        return "lost"
    return "failed"


def not_saved(kind: str) -> str:
    """The message for a posting the database did not save."""
    messages = {
        "busy": _(
            "Nothing was saved: the database is busy with other postings. "
            "Please try again in a moment."
        ),
        "lost": _(
            "Not saved: the connection to the database broke off. Please try "
            "again; submitting the same form again never posts it twice."
        ),
        "too_long": _(
            "Nothing was saved: saving took too long and was stopped. Please try "
            "again in a moment."
        ),
        "failed": _(
            "Nothing was saved: the database refused the posting. Please try "
            "again; if it happens again, tell the shop owner."
        ),
    }
    return messages[kind]


def posting(service):
    """Run ``service`` in one transaction, as every posting entry point does.

    When the service opens the outermost transaction, a conflict (deadlock,
    serialization failure, lock timeout, a concurrent duplicate) rolls everything
    back and runs the whole service again, at most POSTING_ATTEMPTS times with a
    short jittered pause; a database failure it cannot get past becomes NotSaved
    with a clear message, after dropping a broken connection so the next request
    gets a fresh one. Inside an outer transaction (a service calling another, a
    command's or a test's atomic block) nothing is retried or translated: after
    a database error the outer transaction is broken as a whole, so only its
    owner can roll back and try again; the error goes to it unchanged.

    Refusals (ValidationError) and programming errors pass through untouched.

    The outermost posting (the first ``@posting`` on the call stack, even inside
    a test's or a command's atomic block) numbers the documents its services
    made with ``document_number_later`` when its service returns, just before
    its transaction commits (``jxc.numbering.numbers_take``): the day's counter
    row is locked only for that last moment.
    """

    @functools.wraps(service)
    def numbered(*args, **kwargs):
        # The outermost posting (even inside a test's or command's atomic block)
        # numbers its documents last, just before its transaction commits.
        pending = getattr(connection, "jxc_numbers_pending", None)
        if pending is not None:
            entries = connection.jxc_audit_pending
            hooks = connection.jxc_before_commit
            start, entries_start, hooks_start = len(pending), len(entries), len(hooks)
            try:
                return service(*args, **kwargs)
            except BaseException:
                # Rolled back to this posting's savepoint: its documents are gone.
                del pending[start:]
                del entries[entries_start:]
                del hooks[hooks_start:]
                raise
        connection.jxc_numbers_pending = pending = []
        connection.jxc_audit_pending = []
        connection.jxc_before_commit = hooks = []
        try:
            result = service(*args, **kwargs)
            # A hook may add documents or hooks of its own: run until none is left.
            while hooks:
                hooks.pop(0)()
            from jxc.numbering import numbers_take

            numbers_take(pending)
            return result
        finally:
            connection.jxc_numbers_pending = None
            connection.jxc_audit_pending = []
            connection.jxc_before_commit = None

    atomic_service = transaction.atomic(numbered)

    @functools.wraps(service)
    def run(*args, **kwargs):
        if connection.in_atomic_block:
            return atomic_service(*args, **kwargs)
        attempt = 1
        while True:
            try:
                return atomic_service(*args, **kwargs)
            except Error as error:
                if retryable(error) and attempt < POSTING_ATTEMPTS:
                    logger.info(
                        "%s: %s, attempt %d of %d",
                        service.__qualname__,
                        sqlstate(error) or error,
                        attempt,
                        POSTING_ATTEMPTS,
                    )
                    # Jitter keeps two colliding postings from colliding again;
                    # not security-sensitive.
                    time.sleep(random.uniform(0.02, 0.1) * attempt)  # noqa: S311
                    attempt += 1
                    continue
                kind = failure_kind(error)
                # A connection that broke stays broken: drop it now, so the
                # page telling the user (and the next request) get a new one.
                connection.close_if_unusable_or_obsolete()
                log = logger.error if kind == "failed" else logger.warning
                log(
                    "%s not saved (%s): %s",
                    service.__qualname__,
                    kind,
                    error,
                    exc_info=kind == "failed",
                )
                raise NotSaved(not_saved(kind), reason=kind) from error

    return run


def before_commit(callback) -> None:
    """Run ``callback`` at the end of the outermost posting, after its services
    returned and just before its documents are numbered and it commits; outside
    a posting, at once. A ledger's hot row (a money account's balance, which
    every cash sale changes) is then locked for that last moment only, as the
    day's document counter is, so two postings do not wait for each other's
    whole transaction. A posting rolled back to its savepoint drops its hooks."""
    hooks = getattr(connection, "jxc_before_commit", None)
    if hooks is None:
        callback()
        return
    hooks.append(callback)


@contextmanager
def form_kept(form):
    """Around a form's validation and save in a view: when the database fails
    there (busy, a lost connection, a timeout) the failure becomes a "not saved,
    try again" error on ``form`` and the block is left, so the view goes on to
    render the form again with everything typed, instead of the bare 503 page.

    A broken connection is dropped first, so rendering gets a new one; if the
    database is still away, rendering fails too and the 503 page says so. Inside
    an outer transaction (a test's, a command's) the error goes on unchanged: only
    that transaction's owner can roll back.
    """
    try:
        yield
    except NotSaved as error:  # a posting service already said so
        form.add_error(None, error.messages)
    except (OperationalError, InterfaceError) as error:
        if connection.in_atomic_block:
            raise
        kind = failure_kind(error)
        connection.close_if_unusable_or_obsolete()
        logger.warning("form not saved (%s): %s", kind, error)
        form.add_error(None, not_saved(kind))


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


def posted_by(model, token: str | None):
    """The document a form's submission token (as posted, unchecked) already
    created, if any: a garbled token is no submission."""
    try:
        submission = uuid.UUID(str(token))
    except ValueError:
        return None
    return by_submission(model, submission)


def posted_already(document) -> str:
    """What a second click of a form hears when its first click posted ``document``."""
    return _("%(number)s was already posted by your first click; here it is.") % {
        "number": document.number
    }


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
