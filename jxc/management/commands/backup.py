from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import DEFAULT_DB_ALIAS, connections

from jxc.backup import BackupError, backup_create, backup_prune, describe


class Command(BaseCommand):
    help = (
        "Write a consistent, timestamped backup of the database into the backup "
        "folder (JXC_BACKUP_DIR) and keep the newest ones (JXC_BACKUP_KEEP)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--dir",
            dest="folder",
            type=Path,
            help=f"folder for backups (default: {settings.JXC_BACKUP_DIR})",
        )
        parser.add_argument(
            "--keep",
            type=int,
            help=f"backups to keep, the newest (default: {settings.JXC_BACKUP_KEEP})",
        )
        parser.add_argument("--database", default=DEFAULT_DB_ALIAS)

    def handle(self, *args, folder, keep, database, **options):
        folder = folder or Path(settings.JXC_BACKUP_DIR)
        keep = settings.JXC_BACKUP_KEEP if keep is None else keep
        if keep < 1:
            raise CommandError("--keep must be 1 or more.")
        connection = connections[database]
        try:
            path = backup_create(connection=connection, folder=folder)
            removed = backup_prune(folder=folder, keep=keep)
        except BackupError as error:
            raise CommandError(
                f"Backup failed, nothing was written: {error}"
            ) from error
        self.stdout.write(
            self.style.SUCCESS(
                f"Backup of the {describe(connection)} written: {path} "
                f"({path.stat().st_size / 1048576:.1f} MB)."
            )
        )
        for old in removed:
            self.stdout.write(f"Removed old backup {old.name} (keeping {keep}).")
