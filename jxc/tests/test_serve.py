"""`make serve` (jxc.serve): its pieces, and the real thing on a free port."""

import ipaddress
import os
import signal
import socket
import stat
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from jxc import serve

ROOT = Path(__file__).resolve().parents[2]


def test_secret_key_is_written_once_readable_by_owner_only_and_reused(tmp_path):
    path = tmp_path / "config" / "jxc" / "secret_key"

    first = serve.secret_key(path)
    second = serve.secret_key(path)

    assert first == second
    assert len(first) >= 50
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    assert path.read_text().strip() == first


def test_secret_key_in_an_existing_file_is_kept(tmp_path):
    path = tmp_path / "secret_key"
    path.write_text("kept-from-last-year\n")

    assert serve.secret_key(path) == "kept-from-last-year"


def test_secret_key_lives_outside_the_repository_unless_told_where():
    home_default = serve.secret_key_path({"XDG_CONFIG_HOME": "/home/shop/.config"})
    assert home_default == Path("/home/shop/.config/jxc/secret_key")
    assert serve.secret_key_path({"JXC_SECRET_KEY_FILE": "/etc/jxc/key"}) == Path(
        "/etc/jxc/key"
    )
    assert ROOT not in serve.secret_key_path({}).parents


def test_lan_addresses_leave_out_loopback_link_local_and_duplicates():
    found = serve.lan_addresses(
        [None, "192.168.1.20", "127.0.0.1", "169.254.3.4", "0.0.0.0", "192.168.1.20"]  # noqa: S104
        + ["10.0.0.5", "not an address", "::1"]
    )

    assert found == ["192.168.1.20", "10.0.0.5"]


def test_lan_addresses_of_this_machine_are_reachable_ipv4_addresses():
    for address in serve.lan_addresses():
        parsed = ipaddress.IPv4Address(address)
        assert not parsed.is_loopback
        with socket.socket() as probe:  # an address of this machine binds
            probe.bind((address, 0))


def test_allowed_hosts_are_the_lan_addresses_this_pc_and_localhost():
    hosts = serve.allowed_hosts(["192.168.1.20"], hostname="backroom")

    assert hosts == [
        "192.168.1.20",
        "localhost",
        "127.0.0.1",
        "backroom",
        "backroom.local",
    ]


def test_serve_environment_is_production_mode_on_plain_http():
    env = serve.serve_environment(
        {"DJANGO_DEBUG": "1", "DJANGO_ALLOWED_HOSTS": "shop.example", "PATH": "/bin"},
        key="k" * 60,
        hosts=["192.168.1.20", "localhost"],
        https=False,
    )

    assert env["DJANGO_DEBUG"] == "0"
    assert env["DJANGO_HTTPS"] == "0"
    assert env["DJANGO_SECRET_KEY"] == "k" * 60
    assert env["DJANGO_ALLOWED_HOSTS"] == "192.168.1.20,localhost,shop.example"
    assert env["JXC_STATIC_MANIFEST"] == "1"
    assert env["PATH"] == "/bin"


def test_a_secret_key_in_the_environment_wins_over_the_file():
    env = serve.serve_environment(
        {"DJANGO_SECRET_KEY": "from-env"}, key="from-file", hosts=[], https=True
    )

    assert env["DJANGO_SECRET_KEY"] == "from-env"
    assert env["DJANGO_HTTPS"] == "1"


def test_https_needs_both_certificate_and_key(tmp_path):
    cert, key = tmp_path / "shop.crt", tmp_path / "shop.key"
    cert.write_text("cert")
    key.write_text("key")

    assert serve.tls_files({}) is None
    assert serve.tls_files({"JXC_TLS_CERT": str(cert), "JXC_TLS_KEY": str(key)}) == (
        cert,
        key,
    )
    with pytest.raises(serve.ServeError, match="both"):
        serve.tls_files({"JXC_TLS_CERT": str(cert)})
    with pytest.raises(serve.ServeError, match="does not exist"):
        serve.tls_files({"JXC_TLS_CERT": str(cert), "JXC_TLS_KEY": "/nope.key"})
    command = serve.gunicorn_command(port=8443, workers=3, tls=(cert, key))
    assert f"--certfile={cert}" in command
    assert "--bind=0.0.0.0:8443" in command


def test_shop_urls_and_qr_code_are_printed(capsys):
    urls = serve.shop_urls(["192.168.1.20"], 8000, https=False)
    assert urls == ["http://192.168.1.20:8000/"]
    assert serve.shop_urls(["10.0.0.5"], 443, https=True) == ["https://10.0.0.5/"]

    serve.announce(urls)

    out = capsys.readouterr().out
    assert "http://192.168.1.20:8000/" in out
    assert "█" in out  # the QR code, drawn with block characters


def _environment(tmp_path: Path, **extra: str) -> dict[str, str]:
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "JXC_")) and key != "DATABASE_URL"
    }
    env.update(HOME=str(tmp_path), XDG_CONFIG_HOME=str(tmp_path / "config"))
    env.update(extra)
    return env


def test_settings_under_serve_environment_are_production_on_the_lan(tmp_path):
    env = serve.serve_environment(
        _environment(tmp_path),
        key="x" * 60,
        hosts=serve.allowed_hosts(["192.168.1.20"], hostname="backroom"),
        https=False,
    )
    code = (
        "import django; django.setup(); from django.conf import settings as s; "
        "print(s.DEBUG, s.SECURE_SSL_REDIRECT, s.SESSION_COOKIE_SECURE, "
        "s.ALLOWED_HOSTS, s.SECRET_KEY == 'x' * 60)"
    )

    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )

    assert result.stdout.split(" ", 3)[:3] == ["False", "False", "False"]
    assert "'192.168.1.20'" in result.stdout
    assert "'backroom.local'" in result.stdout
    assert result.stdout.strip().endswith("True")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _get(url: str) -> tuple[int, str]:
    with urllib.request.urlopen(url, timeout=5) as response:  # noqa: S310 - our server
        return response.status, response.read().decode()


def test_make_serve_migrates_and_serves_the_sign_in_page(tmp_path):
    port = _free_port()
    env = _environment(tmp_path, DATABASE_URL=f"sqlite:///{tmp_path / 'shop.db'}")
    log = (tmp_path / "serve.log").open("w+")
    process = subprocess.Popen(  # noqa: S603
        [sys.executable, "-m", "jxc.serve", f"--port={port}", "--workers=1"],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 180
        while True:
            try:
                status, body = _get(f"http://127.0.0.1:{port}/login/")
                break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    log.seek(0)
                    pytest.fail(f"make serve did not come up:\n{log.read()[-3000:]}")
                time.sleep(0.5)
        assert status == 200
        assert 'name="csrfmiddlewaretoken"' in body
        for address in serve.lan_addresses():  # the other devices' way in
            assert _get(f"http://{address}:{port}/login/")[0] == 200
        log.seek(0)
        printed = log.read()
        assert "Scan with a phone" in printed
        key_file = tmp_path / "config" / "jxc" / "secret_key"
        assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=30)
        log.close()
