"""Backups of the shop's database, and restoring one into an empty database.

PostgreSQL: pg_dump's custom format (one consistent snapshot, compressed), put back
by pg_restore in a single transaction, so a failed restore leaves nothing behind.
SQLite: the online backup API, a consistent copy even while the shop is selling.
A backup is written under a temporary name and renamed once complete, so a file
under a backup's name is always whole. The commands are `manage.py backup` and
`manage.py restore`; this module does the work and raises BackupError with a
message for the person at the terminal.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import sqlite3
import subprocess  # noqa: S404 - pg_dump and pg_restore, argument lists, no shell
import tempfile
import time
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from urllib.request import pathname2url

from django.utils import timezone

from jxc import backup_crypto

# jxc-20261126-030000.dump; a second backup within the same second gets -2, -3...
# Encrypted ones (manage.py backup --encrypt) end in .enc: jxc-….dump.enc
BACKUP_NAME = re.compile(r"^jxc-(\d{8}-\d{6})(?:-(\d+))?\.(dump|sqlite3)(\.enc)?$")
EXTENSIONS = {"postgresql": "dump", "sqlite": "sqlite3"}
SQLITE_HEADER = b"SQLite format 3\x00"
BUSY_SECONDS = 60
PG_DUMP_HEADER = b"PGDMP"


class BackupError(Exception):
    """A backup or restore that cannot go on; the message says why and what to do."""


def _kind(connection) -> str:
    if connection.vendor not in EXTENSIONS:
        raise BackupError(
            f"Backups support PostgreSQL and SQLite, not {connection.vendor}."
        )
    return connection.vendor


def describe(connection) -> str:
    """The database in words: which one a backup or restore is about."""
    settings = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"SQLite database {settings['NAME']}"
    where = f"{settings.get('HOST') or 'local socket'}"
    if settings.get("PORT"):
        where += f":{settings['PORT']}"
    return f"PostgreSQL database {settings['NAME']!r} on {where}"


# --- writing backups ---------------------------------------------------------------


def backup_create(
    *,
    connection,
    folder: Path,
    now: datetime | None = None,
    passphrase: str | None = None,
) -> Path:
    """Write one consistent backup of ``connection``'s database into ``folder``.

    With a ``passphrase`` the file is encrypted (jxc.backup_crypto, name ending in
    .enc); the plain backup is written into a private temporary folder and never
    into ``folder``. The file appears under its final name only once it is
    complete; on any failure no file is left behind.
    """
    kind = _kind(connection)
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    stamp = timezone.localtime(now or timezone.now()).strftime("%Y%m%d-%H%M%S")
    extension = EXTENSIONS[kind] + (backup_crypto.SUFFIX if passphrase else "")
    final = _free_name(folder, stamp, extension)
    partial = folder / f".{final.name}.partial"
    try:
        if passphrase:
            with tempfile.TemporaryDirectory(prefix="jxc-backup-") as private:
                plain = Path(private) / "plain"
                _write_plain(connection, kind, plain)
                backup_crypto.seal(source=plain, target=partial, passphrase=passphrase)
        else:
            _write_plain(connection, kind, partial)
        os.replace(partial, final)
        _fsync_folder(folder)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    return final


def _write_plain(connection, kind: str, target: Path) -> None:
    # Backups hold every customer and password hash: readable by the owner only.
    os.close(os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    if kind == "postgresql":
        _pg_dump(connection.settings_dict, target)
    else:
        _sqlite_backup(connection, target)
    with target.open("rb") as written:
        os.fsync(written.fileno())


def backup_copy(*, path: Path, folder: Path, keep: int) -> Path:
    """Copy a finished backup into a second folder (a mounted drive, a network
    share) the same careful way: under a temporary name, renamed once complete,
    then the copies beyond ``keep`` pruned there too."""
    final = folder / path.name
    partial = folder / f".{path.name}.partial"
    try:
        folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        descriptor = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(descriptor, "wb") as out, path.open("rb") as source:
            shutil.copyfileobj(source, out, 1 << 20)
            out.flush()
            os.fsync(out.fileno())
        os.replace(partial, final)
        _fsync_folder(folder)
    except OSError as error:
        with contextlib.suppress(OSError):  # the folder itself may be what failed
            partial.unlink(missing_ok=True)
        raise BackupError(f"copying it to {folder} failed: {error}") from error
    backup_prune(folder=folder, keep=keep)
    return final


def _free_name(folder: Path, stamp: str, extension: str) -> Path:
    path = folder / f"jxc-{stamp}.{extension}"
    number = 2
    while path.exists():
        path = folder / f"jxc-{stamp}-{number}.{extension}"
        number += 1
    return path


def _fsync_folder(folder: Path) -> None:
    descriptor = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def backups(folder: Path) -> list[Path]:
    """The backups in ``folder``, oldest first (other files are not ours)."""
    found = []
    if folder.is_dir():
        for path in folder.iterdir():
            match = BACKUP_NAME.match(path.name)
            if match and path.is_file():
                found.append(((match[1], int(match[2] or 1)), path))
    return [path for _key, path in sorted(found)]


def backup_prune(*, folder: Path, keep: int) -> list[Path]:
    """Delete all but the newest ``keep`` backups; returns the deleted files."""
    if keep < 1:
        raise BackupError("Keep at least one backup (--keep 1 or more).")
    old = backups(folder)[:-keep]
    for path in old:
        path.unlink()
    return old


def _tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        raise BackupError(
            f"{name} was not found. Install the PostgreSQL client programs of the "
            f"server's version or newer (Debian/Ubuntu: apt-get install "
            f"postgresql-client) so that {name} is on the PATH, then try again."
        )
    return path


def _pg_connection(settings: dict) -> tuple[list[str], dict[str, str]]:
    """Connection arguments for pg_dump / pg_restore, and their environment.

    The password travels in PGPASSWORD, never on the command line, where any user
    of the machine could read it.
    """
    arguments = ["--no-password"]
    for option, key in (("host", "HOST"), ("port", "PORT"), ("username", "USER")):
        if settings.get(key):
            arguments.append(f"--{option}={settings[key]}")
    environment = dict(os.environ)
    if settings.get("PASSWORD"):
        environment["PGPASSWORD"] = str(settings["PASSWORD"])
    options = settings.get("OPTIONS") or {}
    for option, variable in (
        ("sslmode", "PGSSLMODE"),
        ("sslrootcert", "PGSSLROOTCERT"),
        ("sslcert", "PGSSLCERT"),
        ("sslkey", "PGSSLKEY"),
        ("passfile", "PGPASSFILE"),
        ("service", "PGSERVICE"),
    ):
        if options.get(option):
            environment[variable] = str(options[option])
    return arguments, environment


def _run(command: list[str], environment: dict[str, str]) -> None:
    result = subprocess.run(  # noqa: S603 - fixed program, argument list
        command, env=environment, capture_output=True, text=True, check=False
    )
    if result.returncode != 0:
        program = Path(command[0]).name
        raise BackupError(
            f"{program} failed (exit code {result.returncode}): "
            f"{result.stderr.strip() or 'no message'}"
        )


def _pg_dump(settings: dict, target: Path) -> None:
    arguments, environment = _pg_connection(settings)
    _run(
        [
            _tool("pg_dump"),
            *arguments,
            "--format=custom",
            f"--file={target}",
            f"--dbname={settings['NAME']}",
        ],
        environment,
    )


def _give_up_when_busy_for(seconds: float):
    """A backup progress callback: SQLite retries a locked page forever; we stop."""
    deadline = time.monotonic() + seconds

    def progress(status, remaining, total):
        locked = status in (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED)
        if locked and time.monotonic() > deadline:
            raise BackupError(
                f"The database stayed locked by another writer for {seconds:.0f} "
                f"seconds. Try again in a moment."
            )

    return progress


def _sqlite_backup(connection, target: Path) -> None:
    connection.ensure_connection()
    destination = sqlite3.connect(target)
    try:
        connection.connection.backup(
            destination, progress=_give_up_when_busy_for(BUSY_SECONDS)
        )
        # One self-contained file, whatever journal mode the shop's database uses.
        destination.execute("PRAGMA journal_mode=DELETE")
        if destination.execute("PRAGMA quick_check").fetchone()[0] != "ok":
            raise BackupError("The SQLite backup failed its integrity check.")
    except sqlite3.Error as error:
        raise BackupError(f"The SQLite backup failed: {error}") from error
    finally:
        destination.close()


# --- restoring ---------------------------------------------------------------------


@dataclass(frozen=True)
class RestorePlan:
    path: Path
    size: int
    modified: datetime
    target: str

    def __str__(self) -> str:
        return (
            f"  backup: {self.path} ({self.size / 1048576:.1f} MB, written "
            f"{timezone.localtime(self.modified):%Y-%m-%d %H:%M})\n"
            f"  into:   {self.target}"
        )


def restore_check(*, connection, path: Path) -> RestorePlan:
    """Refuse a file that is not a backup of this kind, or a database not empty."""
    kind = _kind(connection)
    if not path.is_file():
        raise BackupError(f"{path} does not exist or is not a file.")
    with path.open("rb") as file:
        header = file.read(len(SQLITE_HEADER))
    if kind == "postgresql":
        _check_pg_archive(connection.settings_dict, path, header)
    else:
        _check_sqlite_file(path, header)
    tables = connection.introspection.table_names()
    if tables:
        raise BackupError(
            f"The {describe(connection)} is not empty: it has {len(tables)} tables "
            f"({', '.join(tables[:3])}, ...). A backup is restored only into an "
            f"empty database, so nothing is overwritten: create a new database "
            f"(PostgreSQL: createdb; SQLite: a new file name), point DATABASE_URL "
            f"at it and run restore again."
        )
    stat = path.stat()
    return RestorePlan(
        path=path,
        size=stat.st_size,
        modified=datetime.fromtimestamp(
            stat.st_mtime, tz=timezone.get_current_timezone()
        ),
        target=describe(connection),
    )


def _check_pg_archive(settings: dict, path: Path, header: bytes) -> None:
    if header.startswith(SQLITE_HEADER):
        raise BackupError(
            f"{path} is an SQLite backup, but this database is PostgreSQL. Restore "
            f"it with DATABASE_URL unset (or pointing at a new SQLite file)."
        )
    arguments, environment = _pg_connection(settings)
    try:
        result = subprocess.run(  # noqa: S603 - fixed program, argument list
            [_tool("pg_restore"), "--list", str(path)],
            env=environment,
            capture_output=True,
            text=True,
            check=False,
        )
    except OSError as error:
        raise BackupError(f"pg_restore could not be started: {error}") from error
    if result.returncode != 0:
        raise BackupError(
            f"{path} is not a PostgreSQL backup made by manage.py backup "
            f"({result.stderr.strip() or 'pg_restore cannot read it'})."
        )
    if "TABLE public django_migrations" not in result.stdout:
        raise BackupError(f"{path} is a PostgreSQL backup, but not of a JXC shop.")


def _open_read_only(path: Path) -> sqlite3.Connection:
    return sqlite3.connect(
        f"file:{pathname2url(str(path.resolve()))}?mode=ro", uri=True
    )


def _check_sqlite_file(path: Path, header: bytes) -> None:
    if header.startswith(PG_DUMP_HEADER):
        raise BackupError(
            f"{path} is a PostgreSQL backup, but this database is SQLite. Restore it "
            f"with DATABASE_URL pointing at a new, empty PostgreSQL database."
        )
    if header != SQLITE_HEADER:
        raise BackupError(f"{path} is not an SQLite backup made by manage.py backup.")
    try:
        source = _open_read_only(path)
        try:
            check = source.execute("PRAGMA quick_check").fetchone()[0]
            tables = {
                name
                for (name,) in source.execute(
                    "SELECT name FROM sqlite_master WHERE type = 'table'"
                )
            }
        finally:
            source.close()
    except sqlite3.Error as error:
        raise BackupError(f"{path} cannot be read as SQLite: {error}.") from error
    if check != "ok":
        raise BackupError(f"{path} is damaged (SQLite integrity check: {check}).")
    if "django_migrations" not in tables:
        raise BackupError(f"{path} is an SQLite database, but not of a JXC shop.")


def restore_run(*, connection, plan: RestorePlan) -> None:
    """Load the checked backup into the empty database, all of it or nothing."""
    if connection.vendor == "postgresql":
        settings = connection.settings_dict
        arguments, environment = _pg_connection(settings)
        _run(
            [
                _tool("pg_restore"),
                *arguments,
                "--no-owner",
                "--no-privileges",
                "--exit-on-error",
                "--single-transaction",
                f"--dbname={settings['NAME']}",
                str(plan.path),
            ],
            environment,
        )
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")  # planner statistics are not in a dump
    else:
        connection.ensure_connection()
        source = _open_read_only(plan.path)
        try:
            source.backup(
                connection.connection, progress=_give_up_when_busy_for(BUSY_SECONDS)
            )
        except sqlite3.Error as error:
            raise BackupError(f"The SQLite restore failed: {error}") from error
        finally:
            source.close()
    connection.close()
