"""`make serve`: the shop on its own PC, reached by the other devices on its LAN.

``python -m jxc.serve`` migrates, collects the static files and hands over to
gunicorn in production mode: debug off; a secret key generated once and kept in a
file outside the repository (``JXC_SECRET_KEY_FILE``, default
``~/.config/jxc/secret_key``, mode 600); allowed hosts = this PC's LAN addresses,
its host name and localhost; HTTPS only when a certificate is configured
(``JXC_TLS_CERT`` and ``JXC_TLS_KEY``). Before gunicorn starts it prints the
address to open on the counter laptop and the phones, with a QR code of it.

The pieces are plain functions so tests can check each; Django is not imported
here: its settings read the environment this module prepares.
"""

from __future__ import annotations

import argparse
import array
import fcntl
import ipaddress
import os
import secrets
import socket
import struct
import subprocess  # noqa: S404 - manage.py and gunicorn, argument lists, no shell
import sys
from collections.abc import Mapping
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
DEFAULT_PORT = 8000
SECRET_KEY_BYTES = 50


class ServeError(Exception):
    """Configuration that stops `make serve`; the message says what to fix."""


# --- the secret key ----------------------------------------------------------------


def secret_key_path(environ: Mapping[str, str] = os.environ) -> Path:
    """Where the key lives: JXC_SECRET_KEY_FILE, else the user's config folder."""
    if environ.get("JXC_SECRET_KEY_FILE"):
        return Path(environ["JXC_SECRET_KEY_FILE"]).expanduser()
    config = environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(config).expanduser() / "jxc" / "secret_key"


def secret_key(path: Path) -> str:
    """The key in ``path``, written there (mode 600) the first time.

    The key signs sessions and password-reset links: a new one on every start
    would sign everybody out, so it is made once and kept. It is created with
    O_EXCL, so two starts at once cannot write two different keys.
    """
    try:
        key = path.read_text(encoding="ascii").strip()
    except FileNotFoundError:
        key = ""
    if key:
        return key
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    key = secrets.token_urlsafe(SECRET_KEY_BYTES)
    try:
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return secret_key(path)  # another start wrote it a moment ago
    with os.fdopen(descriptor, "w", encoding="ascii") as file:
        file.write(key + "\n")
    return key


# --- this PC's addresses -------------------------------------------------------------


def _interface_addresses() -> list[str]:
    """IPv4 addresses of every interface (Linux), or [] where not available."""
    siocgifaddr = 0x8915
    found = []
    try:
        names = [name for _index, name in socket.if_nameindex()]
    except OSError:
        return []
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        for name in names:
            request = array.array("B", struct.pack("256s", name.encode()[:15]))
            try:
                fcntl.ioctl(probe.fileno(), siocgifaddr, request)
            except OSError:
                continue  # no IPv4 address on this interface
            found.append(socket.inet_ntoa(request.tobytes()[20:24]))
    return found


def _route_address() -> str | None:
    """The address this PC's LAN traffic leaves from (no packet is sent)."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        try:
            probe.connect(("10.255.255.255", 1))
            return probe.getsockname()[0]
        except OSError:
            return None


def _name_addresses() -> list[str]:
    try:
        infos = socket.getaddrinfo(socket.gethostname(), None, socket.AF_INET)
    except OSError:
        return []
    return [info[4][0] for info in infos]


def lan_addresses(candidates: list[str | None] | None = None) -> list[str]:
    """This PC's IPv4 addresses other devices can reach, the likeliest first.

    Loopback, link-local and unspecified addresses are left out; the address the
    default route leaves from comes first (it is the one on the shop's Wi-Fi).
    """
    if candidates is None:
        candidates = [_route_address(), *_interface_addresses(), *_name_addresses()]
    found: list[str] = []
    for candidate in candidates:
        if not candidate or candidate in found:
            continue
        try:
            address = ipaddress.IPv4Address(candidate)
        except ValueError:
            continue
        if address.is_loopback or address.is_link_local or address.is_unspecified:
            continue
        found.append(candidate)
    return found


def allowed_hosts(addresses: list[str], hostname: str | None = None) -> list[str]:
    """The names the shop may be reached by: LAN addresses, this PC's name, local."""
    hostname = socket.gethostname() if hostname is None else hostname
    hosts = [*addresses, "localhost", "127.0.0.1"]
    if hostname:
        hosts += [hostname, f"{hostname}.local"]
    return list(dict.fromkeys(hosts))


# --- the environment Django and gunicorn run in -------------------------------------


def tls_files(environ: Mapping[str, str] = os.environ) -> tuple[Path, Path] | None:
    """The configured certificate and key, or None: the shop LAN runs on HTTP."""
    cert, key = environ.get("JXC_TLS_CERT", ""), environ.get("JXC_TLS_KEY", "")
    if not cert and not key:
        return None
    if not (cert and key):
        raise ServeError("Set both JXC_TLS_CERT and JXC_TLS_KEY, or neither.")
    paths = (Path(cert).expanduser(), Path(key).expanduser())
    for path in paths:
        if not path.is_file():
            raise ServeError(f"{path} does not exist or is not a file.")
    return paths


def serve_environment(
    environ: Mapping[str, str],
    *,
    key: str,
    hosts: list[str],
    https: bool,
) -> dict[str, str]:
    """The environment the settings read: production mode on this PC's LAN."""
    extra = [
        host.strip()
        for host in environ.get("DJANGO_ALLOWED_HOSTS", "").split(",")
        if host.strip()
    ]
    env = dict(environ)
    env.update(
        DJANGO_SETTINGS_MODULE="jxc.settings",
        DJANGO_DEBUG="0",
        DJANGO_SECRET_KEY=environ.get("DJANGO_SECRET_KEY") or key,
        DJANGO_ALLOWED_HOSTS=",".join(dict.fromkeys([*hosts, *extra])),
        DJANGO_HTTPS="1" if https else "0",
        JXC_STATIC_MANIFEST="1",
    )
    return env


def shop_urls(addresses: list[str], port: int, https: bool) -> list[str]:
    scheme = "https" if https else "http"
    suffix = "" if (port, scheme) in ((80, "http"), (443, "https")) else f":{port}"
    return [f"{scheme}://{address}{suffix}/" for address in addresses]


def gunicorn_command(
    *, port: int, workers: int, tls: tuple[Path, Path] | None
) -> list[str]:
    command = [
        str(Path(sys.executable).with_name("gunicorn")),
        "jxc.wsgi",
        f"--bind=0.0.0.0:{port}",
        f"--workers={workers}",
        "--timeout=60",
        "--access-logfile=-",
    ]
    if tls:
        command += [f"--certfile={tls[0]}", f"--keyfile={tls[1]}"]
    return command


def announce(urls: list[str], out=None) -> None:
    """Print the address to open on other devices, and a QR code of it."""
    import segno

    out = out or sys.stdout
    if not urls:
        print(
            "No network address found: this PC seems not to be on a network. "
            "Other devices cannot reach the shop; on this PC open "
            "http://127.0.0.1/ with the port shown below.",
            file=out,
        )
        return
    print("\nOpen the shop on the counter laptop and phones (same Wi-Fi):", file=out)
    for url in urls:
        print(f"    {url}", file=out)
    print("Scan with a phone's camera:", file=out)
    segno.make(urls[0], error="m").terminal(out=out, compact=True)
    out.flush()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--port", type=int, default=int(os.environ.get("JXC_PORT") or DEFAULT_PORT)
    )
    parser.add_argument(
        "--workers",
        type=int,
        default=int(os.environ.get("JXC_WORKERS") or 2 * (os.cpu_count() or 1) + 1),
    )
    options = parser.parse_args(argv)
    try:
        tls = tls_files()
        key = secret_key(secret_key_path())
    except (ServeError, OSError) as error:
        sys.exit(f"make serve: {error}")
    addresses = lan_addresses()
    env = serve_environment(
        os.environ, key=key, hosts=allowed_hosts(addresses), https=tls is not None
    )
    manage = [sys.executable, str(BASE_DIR / "manage.py")]
    for step in (["migrate", "--noinput"], ["collectstatic", "--noinput", "-v0"]):
        result = subprocess.run([*manage, *step], env=env, cwd=BASE_DIR, check=False)  # noqa: S603
        if result.returncode:
            sys.exit(f"make serve: manage.py {step[0]} failed; nothing was started.")
    announce(shop_urls(addresses, options.port, tls is not None))
    print(f"On this PC: {shop_urls(['127.0.0.1'], options.port, bool(tls))[0]}")
    print("Stop with Ctrl+C.\n", flush=True)
    command = gunicorn_command(port=options.port, workers=options.workers, tls=tls)
    os.chdir(BASE_DIR)
    os.execve(command[0], command, env)  # noqa: S606 - gunicorn takes this process


if __name__ == "__main__":
    main()
