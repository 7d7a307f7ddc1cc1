from django.core.management.base import BaseCommand

from sales.services import reservations_expire


class Command(BaseCommand):
    help = (
        "Release the reservations of sales orders not fully shipped within the "
        "owner's expiry days (sales settings) and mark them “reservation expired”. "
        "Safe to run from cron at any time, also beside the shop: a second run at "
        "once releases nothing twice."
    )

    def handle(self, *args, **options):
        expired = reservations_expire()
        for order in expired:
            self.stdout.write(f"{order.number}: reservation expired")
        self.stdout.write(
            self.style.SUCCESS(f"{len(expired)} order(s) had their reservation expire.")
        )
