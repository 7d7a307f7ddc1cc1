from django.core.management.base import BaseCommand, CommandError

from finance.checks import balance_drift, item_drift, items_vs_balance


class Command(BaseCommand):
    help = (
        "Check the money ledger: every partner's and account's balance equals the "
        "sum of its entries, every document's settled amount equals its "
        "allocations (open = amount − allocations), and every partner's balance "
        "equals the sum of its open items. Exits non-zero on any failure."
    )

    def handle(self, *args, **options):
        problems = []
        for check, what in (
            (balance_drift, "balance(s) drifted from the ledger"),
            (item_drift, "document(s) whose settled amount is not their allocations"),
            (items_vs_balance, "partner balance(s) unequal to their open items"),
        ):
            found = check()
            for line in found:
                self.stderr.write(line)
            if found:
                problems.append(f"{len(found)} {what}")
        if problems:
            raise CommandError("; ".join(problems) + ".")
        self.stdout.write(
            self.style.SUCCESS(
                "Money balances match the ledger; every document's open amount is "
                "its amount less its allocations; every partner's balance equals "
                "its open items."
            )
        )
