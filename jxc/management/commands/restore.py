from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import DEFAULT_DB_ALIAS, connections

from jxc.backup import BackupError, restore_check, restore_run


class Command(BaseCommand):
    help = (
        "Restore a backup made by manage.py backup into an EMPTY database, after "
        "confirmation. Refuses a database that has tables, or a file that is not a "
        "backup of this database's kind."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path, help="the backup file")
        parser.add_argument(
            "--noinput",
            "--no-input",
            action="store_false",
            dest="interactive",
            help="do not ask for confirmation",
        )
        parser.add_argument("--database", default=DEFAULT_DB_ALIAS)

    def handle(self, *args, file, interactive, database, **options):
        connection = connections[database]
        try:
            plan = restore_check(connection=connection, path=file)
        except BackupError as error:
            raise CommandError(f"Nothing was restored: {error}") from error
        if interactive:
            self.stdout.write(f"You are about to restore\n{plan}")
            answer = input("Type 'yes' to restore, anything else to cancel: ")
            if answer.strip().lower() != "yes":
                raise CommandError("Cancelled: nothing was restored.")
        try:
            restore_run(connection=connection, plan=plan)
        except BackupError as error:
            raise CommandError(
                f"Restore failed and was rolled back; the database is still empty. "
                f"{error}"
            ) from error
        self.stdout.write(
            self.style.SUCCESS(f"Restored {file} into the {plan.target}.")
        )
        self.stdout.write(
            "Next: manage.py migrate (applies what this code has that the backup "
            "had not), then manage.py check_stock."
        )
