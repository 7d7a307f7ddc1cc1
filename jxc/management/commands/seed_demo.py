import secrets

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand
from django.db import transaction

from accounts import services as account_services
from accounts.roles import OWNER, STAFF
from jxc import demo

# staff2 works in the demo's second shop (jxc.demo._second_shop moves them there).
DEMO_ACCOUNTS = [
    ("owner", "店主", OWNER),
    ("staff", "店员", STAFF),
    ("staff2", "二店店员", STAFF),
]


class Command(BaseCommand):
    help = (
        "Load demo data (accounts, master data) once; running it again changes nothing."
    )

    @transaction.atomic
    def handle(self, *args, **options):
        User = get_user_model()
        for username, name, role in DEMO_ACCOUNTS:
            if User.objects.filter(username=username).exists():
                self.stdout.write(
                    f"Account '{username}' already exists (password unchanged; "
                    f"reset it with: python manage.py changepassword {username})"
                )
                continue
            password = secrets.token_urlsafe(9)
            account_services.user_create(
                username=username, password=password, role=role, first_name=name
            )
            self.stdout.write(
                self.style.SUCCESS(f"Created {role} account: {username} / {password}")
            )
        owner = User.objects.filter(groups__name=OWNER).order_by("pk").first()
        for line in demo.seed(owner=owner):
            self.stdout.write(line)
