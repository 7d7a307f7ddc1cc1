"""Lift login locks from the command line (accounts.lockout).

The owner unlocks a clerk's account on the Accounts page; this is for what that
page cannot reach: an address locked after many failures (everyone at the shop
signs in from it) and the IT administrator's superuser accounts.
"""

from django.core.management.base import BaseCommand

from accounts import services


class Command(BaseCommand):
    help = (
        "Unlock the given accounts, or without names every account and address "
        "locked by failed sign-ins."
    )

    def add_arguments(self, parser):
        parser.add_argument("usernames", nargs="*", metavar="USERNAME")

    def handle(self, *args, usernames, **options):
        if usernames:
            for username in usernames:
                services.login_failures_clear(username=username)
                self.stdout.write(f"Unlocked {username}.")
        else:
            services.login_failures_clear_all()
            self.stdout.write("Every account and address is unlocked.")
