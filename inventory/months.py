"""Month close: snapshots of every balance at a month's end, and the rule that
nothing may be posted into a closed month. Months are cut in local time: a sale at
23:30 on the 31st belongs to that month."""

from __future__ import annotations

from datetime import date, datetime, time

from django.core.exceptions import ValidationError
from django.db import connection
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.services import Action, audit_record
from inventory.models import ClosedMonth, MonthSnapshot, StockMove
from jxc.decimals import money, quantity
from jxc.documents import posting
from jxc.fields import FIRST_DAY, LAST_DAY


def next_month(first: date) -> date:
    return date(first.year + first.month // 12, first.month % 12 + 1, 1)


def moment(day: date) -> datetime:
    """Midnight at the start of ``day`` in the shop's time zone."""
    return timezone.make_aware(datetime.combine(day, time()))


def latest_closed() -> date | None:
    return (
        ClosedMonth.objects.order_by("-month").values_list("month", flat=True).first()
    )


# The first key of PostgreSQL's two-key advisory locks that stand for months (the
# second is the month as yyyymm). Any constant no other lock of the app uses.
MONTH_LOCK_SPACE = 7301


def month_key(day: date) -> int:
    return day.year * 100 + day.month


def month_lock(day: date, *, exclusive: bool) -> None:
    """Hold the month's lock until the transaction ends.

    Every posting takes it shared for the month it is dated in, the close and the
    reopen take it exclusively: a close waits for postings already under way in
    that month to commit (so its snapshot sees them), and a posting that comes
    during the close waits, then reads the month as closed and is refused.
    Postings never wait for each other (shared locks do not conflict), nor for a
    close of another month. SQLite needs none: it runs one writer at a time.
    """
    if connection.vendor != "postgresql":
        return
    function = "pg_advisory_xact_lock" if exclusive else "pg_advisory_xact_lock_shared"
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {function}(%s, %s)", [MONTH_LOCK_SPACE, month_key(day)])


def check_open(occurred_at) -> None:
    """Refuse a posting dated into a closed month.

    Called inside the posting's transaction: the month's shared lock is taken
    first, so the closed months read after it include a close that was committing
    meanwhile (READ COMMITTED reads what committed before each statement).
    """
    month_lock(timezone.localtime(occurred_at).date(), exclusive=False)
    latest = latest_closed()
    if latest is not None and occurred_at < moment(next_month(latest)):
        raise ValidationError(
            _(
                "%(month)s is closed: nothing can be posted on %(day)s. Date it later, "
                "or ask the owner to reopen the month."
            )
            % {
                "month": f"{latest:%Y-%m}",
                "day": f"{timezone.localtime(occurred_at):%Y-%m-%d}",
            }
        )


@posting
def month_close(*, month: date, user) -> ClosedMonth:
    """Close ``month`` (its first day): store every balance at its end.

    Months close in order, and only once they are over. The snapshot is what the
    ledger says at the month's end: the previous snapshot plus this month's moves.
    """
    month = month.replace(day=1)
    if not FIRST_DAY <= month <= LAST_DAY:
        raise ValidationError(_("Choose a month between 2000 and 2100."))
    # Wait for postings into the month to commit, and keep new ones out until the
    # snapshot is stored (they are then refused as dated into a closed month).
    month_lock(month, exclusive=True)
    # Lock the closed months so two owners closing at once line up.
    latest = (
        ClosedMonth.objects.select_for_update()
        .order_by("-month")
        .values_list("month", flat=True)
        .first()
    )
    if latest is not None and month != next_month(latest):
        raise ValidationError(
            _("Months close in order: the next month to close is %(month)s.")
            % {"month": f"{next_month(latest):%Y-%m}"}
        )
    end = next_month(month)
    if end > timezone.localdate():
        raise ValidationError(
            _("%(month)s is not over yet.") % {"month": f"{month:%Y-%m}"}
        )
    closed = ClosedMonth.objects.create(month=month, closed_by=user)
    balances: dict[tuple[int, int], list] = {}
    if latest is not None:
        for snap in MonthSnapshot.objects.filter(closed_month__month=latest):
            balances[(snap.product_id, snap.warehouse_id)] = [snap.quantity, snap.value]
        moves = StockMove.objects.filter(occurred_at__gte=moment(month))
    else:
        moves = StockMove.objects.all()
    sums = (
        moves.filter(occurred_at__lt=moment(end))
        .values("product_id", "warehouse_id")
        .annotate(q=Sum("quantity"), v=Sum("value"))
        .order_by()
    )
    for row in sums:
        key = (row["product_id"], row["warehouse_id"])
        before = balances.get(key, [0, 0])
        balances[key] = [before[0] + row["q"], before[1] + row["v"]]
    MonthSnapshot.objects.bulk_create(
        [
            MonthSnapshot(
                closed_month=closed,
                product_id=p,
                warehouse_id=w,
                quantity=quantity(q),
                value=money(v),
            )
            for (p, w), (q, v) in balances.items()
            if q or v
        ],
        batch_size=2000,
    )
    summary_store(closed, previous=latest)
    audit_record(user=user, action=Action.CLOSE, record=closed)
    return closed


def summary_store(closed: ClosedMonth, *, previous: date | None) -> None:
    """Store the closed month's 进销存 summary (MonthSummary), for the whole shop and
    per warehouse, computed as the live report computes it: from ``previous``'s
    snapshot (the month closed before it) or, for the first close, the ledger.
    Two INSERT … SELECT statements; reopening the month deletes the rows with it.
    """
    from inventory.selectors import SUMMARY_COLUMNS, _summary_rows_sql, summary_params

    columns = ", ".join(SUMMARY_COLUMNS)
    nonzero = " OR ".join(f"{c} <> 0" for c in SUMMARY_COLUMNS)
    params = {
        "start": moment(closed.month),
        "end": moment(next_month(closed.month)),
        "snapshot": previous,
        "after_snapshot": moment(closed.month),
        "closed": closed.pk,
    }
    with connection.cursor() as cursor:
        for by_warehouse in (False, True):
            rows = _summary_rows_sql(
                snapshot=previous,
                warehouse=None,
                category=None,
                by_warehouse=by_warehouse,
                before_start=previous is None,
            )
            warehouse = "warehouse_id" if by_warehouse else "NULL"
            cursor.execute(
                "INSERT INTO inventory_monthsummary (closed_month_id, product_id, "  # noqa: S608
                f"warehouse_id, {columns}) SELECT %(closed)s, product_id, "
                f"{warehouse}, {columns} FROM ({rows}) r WHERE {nonzero}",
                summary_params(params),
            )
    ClosedMonth.objects.filter(pk=closed.pk).update(summary_stored=True)


@posting
def summaries_backfill() -> list[date]:
    """Store the summary of every closed month that has none (months closed before
    summaries were stored), oldest first, each from the month closed before it.
    Returns the months stored; a second run stores nothing."""
    done = []
    previous = None
    for closed in ClosedMonth.objects.select_for_update().order_by("month"):
        if not closed.summary_stored:
            summary_store(closed, previous=previous)
            done.append(closed.month)
        previous = closed.month
    return done


@posting
def month_reopen(*, user) -> date:
    """Reopen the latest closed month (its snapshots go; postings into it are allowed
    again)."""
    latest = ClosedMonth.objects.select_for_update().order_by("-month").first()
    if latest is None:
        raise ValidationError(_("No month is closed."))
    month = latest.month
    month_lock(month, exclusive=True)
    audit_record(
        user=user,
        action=Action.REOPEN,
        model=ClosedMonth,
        object_id=latest.pk,
        label=str(latest),
    )
    latest.delete()
    return month
