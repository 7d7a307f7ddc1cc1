from django.core.management.base import BaseCommand, CommandError

from inventory.selectors import stock_drift


class Command(BaseCommand):
    help = (
        "Recompute every stock balance from the ledger and report any drift; "
        "exits non-zero when a balance disagrees with its moves."
    )

    def handle(self, *args, **options):
        drifts = stock_drift()
        for drift in drifts:
            self.stderr.write(
                f"product {drift.product_id} warehouse {drift.warehouse_id}: "
                f"on hand {drift.level_quantity} vs ledger {drift.ledger_quantity}, "
                f"value {drift.level_value} vs ledger {drift.ledger_value}"
            )
        if drifts:
            raise CommandError(
                f"{len(drifts)} stock balance(s) drifted from the ledger."
            )
        self.stdout.write(self.style.SUCCESS("Stock balances match the ledger."))
