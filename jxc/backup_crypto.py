"""Encrypted backups: a backup sealed with a passphrase, safe to keep off the machine.

The file is AES-256-GCM (authenticated encryption, from the ``cryptography``
package) in 1 MiB chunks, each sealed on its own so a backup of any size is
encrypted and decrypted in constant memory. The key is derived from the
passphrase with scrypt and a random salt. Every chunk's nonce carries its
position and whether it is the last one, and every chunk authenticates the
header, so a changed byte, swapped or missing chunks and a cut-off file are
all refused — never restored half.

Layout::

    header  = MAGIC (8) | salt (16) | scrypt log2 n, r, p (3) | nonce prefix (7)
              | chunk size (4, big-endian)
    chunk i = AES-GCM(key, nonce = prefix | i (4, big-endian) | last (1), data,
              associated data = header)              # data + 16-byte tag

The plain backup never lands in the backup folder: ``backup --encrypt`` writes it
into a private temporary folder, seals it into the backup folder and deletes it.
"""

from __future__ import annotations

import os
import secrets
import struct
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.scrypt import Scrypt

MAGIC = b"JXCBAK1\x00"
SUFFIX = ".enc"
PASSPHRASE_VARIABLE = "JXC_BACKUP_PASSPHRASE"  # noqa: S105 - a variable name
MIN_PASSPHRASE = 12
CHUNK = 1 << 20
TAG = 16
# scrypt cost: 2**15 × 8 × 128 bytes = 32 MiB and about 0.1 s, once per file.
SCRYPT_LOG2_N, SCRYPT_R, SCRYPT_P = 15, 8, 1
_HEADER = struct.Struct(">8s16sBBB7sI")
HEADER_SIZE = _HEADER.size


class SealError(Exception):
    """An encrypted backup that cannot be written or opened; the message says why."""


def passphrase_from_environment() -> str:
    """The passphrase, from JXC_BACKUP_PASSPHRASE (never a command-line argument,
    which any user of the machine can read in the process list)."""
    passphrase = os.environ.get(PASSPHRASE_VARIABLE, "")
    if not passphrase:
        raise SealError(
            f"Set the passphrase in the environment variable {PASSPHRASE_VARIABLE} "
            f"(at least {MIN_PASSPHRASE} characters). Keep it somewhere other than "
            f"this machine: without it an encrypted backup cannot be restored."
        )
    if len(passphrase) < MIN_PASSPHRASE:
        raise SealError(
            f"The passphrase in {PASSPHRASE_VARIABLE} is {len(passphrase)} "
            f"characters; use at least {MIN_PASSPHRASE}."
        )
    return passphrase


def is_sealed(path: Path) -> bool:
    with path.open("rb") as file:
        return file.read(len(MAGIC)) == MAGIC


def _key(passphrase: str, salt: bytes, log2_n: int, r: int, p: int) -> bytes:
    if not (10 <= log2_n <= 20 and 1 <= r <= 16 and 1 <= p <= 4):
        # A header asking for absurd work is not one of ours (or was tampered with).
        raise SealError("The file is not an encrypted JXC backup (bad header).")
    kdf = Scrypt(salt=salt, length=32, n=1 << log2_n, r=r, p=p)
    return kdf.derive(passphrase.encode("utf-8"))


def _nonce(prefix: bytes, index: int, last: bool) -> bytes:
    if index >= 1 << 32:
        raise SealError("The backup is too large to encrypt (over 4 PiB).")
    return prefix + struct.pack(">IB", index, 1 if last else 0)


def seal(*, source: Path, target: Path, passphrase: str) -> None:
    """Encrypt ``source`` into ``target`` (created 0600; must not exist)."""
    salt, prefix = secrets.token_bytes(16), secrets.token_bytes(7)
    header = _HEADER.pack(MAGIC, salt, SCRYPT_LOG2_N, SCRYPT_R, SCRYPT_P, prefix, CHUNK)
    cipher = AESGCM(_key(passphrase, salt, SCRYPT_LOG2_N, SCRYPT_R, SCRYPT_P))
    descriptor = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "wb") as out, source.open("rb") as plain:
        out.write(header)
        index, chunk = 0, plain.read(CHUNK)
        while True:
            following = plain.read(CHUNK)
            last = not following
            out.write(cipher.encrypt(_nonce(prefix, index, last), chunk, header))
            if last:
                break
            index, chunk = index + 1, following
        out.flush()
        os.fsync(out.fileno())


def unseal(*, source: Path, target: Path, passphrase: str) -> None:
    """Decrypt ``source`` into ``target`` (created 0600); on any doubt, raise
    SealError and leave no ``target`` behind."""
    refused = SealError(
        f"{source} cannot be decrypted: the passphrase is wrong, or the file was "
        f"changed or cut short. Nothing was restored."
    )
    descriptor = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(descriptor, "wb") as out, source.open("rb") as sealed:
            header = sealed.read(HEADER_SIZE)
            if len(header) != HEADER_SIZE or not header.startswith(MAGIC):
                raise SealError(f"{source} is not an encrypted JXC backup.")
            _magic, salt, log2_n, r, p, prefix, size = _HEADER.unpack(header)
            if not 1024 <= size <= 64 << 20:
                raise SealError(f"{source} is not an encrypted JXC backup (header).")
            cipher = AESGCM(_key(passphrase, salt, log2_n, r, p))
            index, block = 0, sealed.read(size + TAG)
            while True:
                following = sealed.read(size + TAG)
                last = not following
                if len(block) < TAG:
                    raise refused
                try:
                    nonce = _nonce(prefix, index, last)
                    out.write(cipher.decrypt(nonce, block, header))
                except InvalidTag:
                    raise refused from None
                if last:
                    break
                index, block = index + 1, following
            out.flush()
            os.fsync(out.fileno())
    except BaseException:
        target.unlink(missing_ok=True)
        raise
