from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import DEFAULT_DB_ALIAS, connections

from jxc.backup import BackupError, backup_copy, backup_create, backup_prune, describe
from jxc.backup_crypto import (
    PASSPHRASE_VARIABLE,
    SealError,
    passphrase_from_environment,
)


class Command(BaseCommand):
    help = (
        "Write a consistent, timestamped backup of the database into the backup "
        "folder (JXC_BACKUP_DIR) and keep the newest ones (JXC_BACKUP_KEEP). "
        "--encrypt seals it with the passphrase in "
        f"{PASSPHRASE_VARIABLE}; JXC_BACKUP_COPY_DIR gets a copy of each backup."
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
        parser.add_argument(
            "--encrypt",
            action="store_true",
            help=f"encrypt the backup with the passphrase in {PASSPHRASE_VARIABLE} "
            "(AES-256-GCM; restore asks for the same variable)",
        )
        parser.add_argument(
            "--copy-to",
            dest="copy_folder",
            type=Path,
            help="also copy the backup into this folder, e.g. a mounted drive "
            "(default: JXC_BACKUP_COPY_DIR: "
            f"{settings.JXC_BACKUP_COPY_DIR or 'unset'})",
        )
        parser.add_argument("--database", default=DEFAULT_DB_ALIAS)

    def handle(self, *args, folder, keep, database, encrypt, copy_folder, **options):
        folder = folder or Path(settings.JXC_BACKUP_DIR)
        keep = settings.JXC_BACKUP_KEEP if keep is None else keep
        if copy_folder is None and settings.JXC_BACKUP_COPY_DIR:
            copy_folder = Path(settings.JXC_BACKUP_COPY_DIR)
        if keep < 1:
            raise CommandError("--keep must be 1 or more.")
        connection = connections[database]
        try:
            passphrase = passphrase_from_environment() if encrypt else None
            path = backup_create(
                connection=connection, folder=folder, passphrase=passphrase
            )
            removed = backup_prune(folder=folder, keep=keep)
        except (BackupError, SealError) as error:
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
        if copy_folder is not None:
            try:
                copy = backup_copy(path=path, folder=copy_folder, keep=keep)
            except BackupError as error:
                raise CommandError(
                    f"The backup {path} was written, but {error}. Check that the "
                    f"second folder is mounted and writable."
                ) from error
            self.stdout.write(f"Copied to {copy}.")
