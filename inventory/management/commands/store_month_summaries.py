from django.core.management.base import BaseCommand

from inventory.months import summaries_backfill


class Command(BaseCommand):
    help = (
        "Store the 进销存 summary of every closed month that has none (months closed "
        "before this version stored them), so their reports read the stored rows. "
        "Safe to run again: months already stored are left as they are."
    )

    def handle(self, *args, **options):
        months = summaries_backfill()
        if months:
            self.stdout.write(
                "stored: " + ", ".join(f"{month:%Y-%m}" for month in months)
            )
        else:
            self.stdout.write("every closed month's summary is already stored")
