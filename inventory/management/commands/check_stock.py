from django.core.management.base import BaseCommand, CommandError

from inventory.checks import (
    negative_running_balances,
    product_stock_drift,
    snapshot_drift,
)
from inventory.selectors import stock_drift


class Command(BaseCommand):
    help = (
        "Check the stock ledger: every balance equals the sum of its moves, every "
        "closed month's snapshot equals the moves up to that month's end, no "
        "running balance goes below zero, and every product's totals equal the "
        "sum of its balances. Exits non-zero on any failure."
    )

    def handle(self, *args, **options):
        failures = 0
        drifts = stock_drift()
        for drift in drifts:
            self.stderr.write(
                f"product {drift.product_id} warehouse {drift.warehouse_id}: "
                f"on hand {drift.level_quantity} vs ledger {drift.ledger_quantity}, "
                f"value {drift.level_value} vs ledger {drift.ledger_value}"
            )
        failures += len(drifts)
        snapshots = snapshot_drift()
        for drift in snapshots:
            self.stderr.write(str(drift))
        negatives = negative_running_balances()
        for run in negatives:
            self.stderr.write(str(run))
        totals = product_stock_drift()
        for drift in totals:
            self.stderr.write(str(drift))
        problems = []
        if drifts:
            problems.append(f"{len(drifts)} stock balance(s) drifted from the ledger")
        if snapshots:
            problems.append(
                f"{len(snapshots)} closed-month snapshot row(s) disagree with the "
                "ledger"
            )
        if negatives:
            problems.append(
                f"{len(negatives)} move(s) leave a negative running balance"
            )
        if totals:
            problems.append(
                f"{len(totals)} product total(s) disagree with the sum of their "
                "balances"
            )
        if problems:
            raise CommandError("; ".join(problems) + ".")
        self.stdout.write(
            self.style.SUCCESS(
                "Stock balances match the ledger; closed months' snapshots match "
                "it; no running balance goes below zero; every product's totals equal "
                "the sum of its balances."
            )
        )
