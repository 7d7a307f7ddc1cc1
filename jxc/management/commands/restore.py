import tempfile
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import DEFAULT_DB_ALIAS, connections

from jxc.backup import BackupError, restore_check, restore_run
from jxc.backup_crypto import SealError, is_sealed, passphrase_from_environment, unseal


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
        try:
            sealed = file.is_file() and is_sealed(file)
        except OSError as error:
            raise CommandError(f"Nothing was restored: {error}") from error
        if not sealed:
            self.restore(file, file, interactive, connections[database])
            return
        # An encrypted backup (backup --encrypt): decrypted into a private
        # temporary folder, checked and restored from there, then deleted.
        with tempfile.TemporaryDirectory(prefix="jxc-restore-") as private:
            plain = Path(private) / file.name.removesuffix(".enc")
            try:
                unseal(
                    source=file, target=plain, passphrase=passphrase_from_environment()
                )
            except SealError as error:
                raise CommandError(f"Nothing was restored: {error}") from error
            self.restore(file, plain, interactive, connections[database])

    def restore(self, file, plain, interactive, connection):
        try:
            plan = restore_check(connection=connection, path=plain)
        except BackupError as error:
            raise CommandError(f"Nothing was restored: {error}") from error
        if interactive:
            self.stdout.write(f"You are about to restore\n{plan}")
            if plain != file:
                self.stdout.write(f"  (decrypted from {file})")
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
