"""Send the webhook outbox: one pass (cron), or --loop (a long-running process)."""

import time

from django.core.management.base import BaseCommand

from api.webhooks import deliver_pass


class Command(BaseCommand):
    help = (
        "Deliver waiting webhook events (stock changed, document posted) with "
        "HMAC-SHA256 signatures; failed ones are retried with backoff."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--loop", action="store_true", help="Keep running, a pass every --every s."
        )
        parser.add_argument("--every", type=float, default=5.0)
        parser.add_argument(
            "--passes", type=int, default=0, help="With --loop: stop after N passes."
        )

    def handle(self, *args, loop=False, every=5.0, passes=0, **options):
        done = 0
        while True:
            result = deliver_pass()
            if result.delivered or result.failed or not loop:
                self.stdout.write(
                    f"delivered {result.delivered}, failed {result.failed}"
                )
            done += 1
            if not loop or (passes and done >= passes):
                return
            time.sleep(every)
