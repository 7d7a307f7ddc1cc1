"""Encrypted backups (manage.py backup --encrypt) and the copy to a second folder:
a sealed backup restores whole with the right passphrase, and with a wrong one, a
changed byte or a cut-off file it restores nothing. The plain backup never lands
in the backup folder."""

import os
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from jxc import backup_crypto
from jxc.backup import backups
from jxc.backup_crypto import SealError, seal, unseal
from jxc.tests import test_backup
from jxc.tests.test_backup import run_backup, shop_picture

scratch = test_backup.scratch  # the empty database a restore goes into

PASSPHRASE = "correct horse battery staple"


@pytest.fixture
def passphrase(monkeypatch):
    monkeypatch.setenv(backup_crypto.PASSPHRASE_VARIABLE, PASSPHRASE)
    return PASSPHRASE


CHUNK = backup_crypto.CHUNK


@pytest.mark.parametrize("size", [0, 1, CHUNK - 1, CHUNK, 3 * CHUNK + 5])
def test_seal_and_unseal_round_trip_at_chunk_boundaries(tmp_path, size):
    plain = tmp_path / "plain"
    plain.write_bytes(os.urandom(size))
    seal(source=plain, target=tmp_path / "sealed", passphrase=PASSPHRASE)
    sealed = (tmp_path / "sealed").read_bytes()
    assert sealed.startswith(backup_crypto.MAGIC)
    assert size < 64 or plain.read_bytes()[:64] not in sealed
    assert (tmp_path / "sealed").stat().st_mode & 0o777 == 0o600
    unseal(source=tmp_path / "sealed", target=tmp_path / "back", passphrase=PASSPHRASE)
    assert (tmp_path / "back").read_bytes() == plain.read_bytes()


def sealed_file(tmp_path, size=2 * backup_crypto.CHUNK + 100) -> Path:
    plain = tmp_path / "plain"
    plain.write_bytes(os.urandom(size))
    seal(source=plain, target=tmp_path / "sealed", passphrase=PASSPHRASE)
    return tmp_path / "sealed"


def damaged(path: Path, how: str) -> None:
    data = bytearray(path.read_bytes())
    chunk = backup_crypto.CHUNK + backup_crypto.TAG
    if how == "flip a byte":
        data[backup_crypto.HEADER_SIZE + 1000] ^= 1
    elif how == "flip the salt":
        data[10] ^= 1
    elif how == "cut the last chunk":
        data = data[: backup_crypto.HEADER_SIZE + 2 * chunk]
    elif how == "cut inside a tag":
        data = data[: backup_crypto.HEADER_SIZE + chunk + 5]
    elif how == "swap two chunks":
        start = backup_crypto.HEADER_SIZE
        middle, end = start + chunk, start + 2 * chunk
        data[start:end] = data[middle:end] + data[start:middle]
    path.write_bytes(bytes(data))


@pytest.mark.parametrize(
    "how",
    [
        "flip a byte",
        "flip the salt",
        "cut the last chunk",
        "cut inside a tag",
        "swap two chunks",
    ],
)
def test_a_changed_or_cut_file_is_refused_and_leaves_nothing(tmp_path, how):
    path = sealed_file(tmp_path)
    damaged(path, how)
    with pytest.raises(SealError, match="cannot be decrypted"):
        unseal(source=path, target=tmp_path / "back", passphrase=PASSPHRASE)
    assert not (tmp_path / "back").exists()


def test_a_wrong_passphrase_is_refused(tmp_path):
    path = sealed_file(tmp_path, size=10)
    with pytest.raises(SealError, match="passphrase is wrong"):
        unseal(source=path, target=tmp_path / "back", passphrase=PASSPHRASE + "!")
    assert not (tmp_path / "back").exists()


def test_a_plain_file_is_not_taken_for_a_sealed_one(tmp_path):
    path = tmp_path / "plain"
    path.write_bytes(b"SQLite format 3\x00" + b"\x00" * 100)
    with pytest.raises(SealError, match="not an encrypted JXC backup"):
        unseal(source=path, target=tmp_path / "back", passphrase=PASSPHRASE)


@pytest.mark.parametrize("value", ["", "short"])
def test_backup_encrypt_needs_a_real_passphrase_and_writes_nothing(
    tmp_path, monkeypatch, value
):
    monkeypatch.setenv(backup_crypto.PASSPHRASE_VARIABLE, value)
    with pytest.raises(CommandError, match=backup_crypto.PASSPHRASE_VARIABLE):
        call_command("backup", folder=tmp_path, encrypt=True, stdout=StringIO())
    assert list(tmp_path.iterdir()) == []


@pytest.mark.django_db(transaction=True)
def test_an_encrypted_backup_restores_whole_and_only_with_its_passphrase(
    scratch, tmp_path, passphrase, monkeypatch
):
    call_command("seed_demo", stdout=StringIO())
    before = shop_picture()
    written = run_backup(tmp_path / "backups", encrypt=True)
    [backup] = backups(tmp_path / "backups")
    assert backup.name.endswith(".enc") and str(backup) in written
    assert backup.stat().st_mode & 0o777 == 0o600
    # Nothing but the sealed file in the backup folder: no plain copy, no leftovers.
    assert [path.name for path in (tmp_path / "backups").iterdir()] == [backup.name]
    assert b"owner" not in backup.read_bytes()

    monkeypatch.setenv(backup_crypto.PASSPHRASE_VARIABLE, passphrase + "x")
    wrong = scratch.manage("restore", str(backup), "--noinput")
    assert wrong.returncode != 0
    assert "passphrase is wrong" in wrong.stderr
    assert scratch.is_empty()

    monkeypatch.setenv(backup_crypto.PASSPHRASE_VARIABLE, passphrase)
    done = scratch.manage("restore", str(backup), "--noinput")
    assert done.returncode == 0, done.stderr
    after = scratch.picture()
    assert after["counts"] == before["counts"]
    assert after["levels"] == before["levels"]


@pytest.mark.django_db(transaction=True)
def test_a_cut_off_encrypted_backup_restores_nothing(scratch, tmp_path, passphrase):
    call_command("seed_demo", stdout=StringIO())
    run_backup(tmp_path, encrypt=True)
    [backup] = backups(tmp_path)
    backup.write_bytes(backup.read_bytes()[:-100])
    result = scratch.manage("restore", str(backup), "--noinput")
    assert result.returncode != 0
    assert "Nothing was restored" in result.stderr
    assert scratch.is_empty()


@pytest.mark.django_db(transaction=True)
def test_each_backup_is_copied_to_the_second_folder_and_pruned_there(tmp_path):
    second = tmp_path / "usb"
    for _ in range(3):
        output = run_backup(tmp_path / "backups", copy_folder=second, keep=2)
        assert f"Copied to {second}" in output
    mine, copies = backups(tmp_path / "backups"), backups(second)
    assert [path.name for path in copies] == [path.name for path in mine]
    assert len(copies) == 2
    assert copies[-1].read_bytes() == mine[-1].read_bytes()
    assert copies[-1].stat().st_mode & 0o777 == 0o600


@pytest.mark.django_db(transaction=True)
def test_a_failed_copy_says_so_and_keeps_the_backup(tmp_path):
    blocked = tmp_path / "not-a-folder"
    blocked.write_text("a file where the folder should be")
    with pytest.raises(CommandError, match="was written, but copying it"):
        run_backup(tmp_path / "backups", copy_folder=blocked)
    assert len(backups(tmp_path / "backups")) == 1
