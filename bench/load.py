"""A small HTTP load driver for loopback runs: signed-in clients in threads.

Each client keeps one HTTP/1.1 connection and its own cookies, signs in through
the login form like a person, and can submit a form the way the browser would
(every input of the form as rendered, CSRF token included). It stops by itself.
"""

from __future__ import annotations

import http.client
import threading
import time
from html.parser import HTMLParser
from urllib.parse import urlencode, urlsplit


class _Inputs(HTMLParser):
    """The name/value pairs a browser would submit for the first POST form posting
    to ``action`` (None: a form without an action, which posts back to its page;
    the navigation bar's language switch and sign-out forms have one)."""

    def __init__(self, action: str | None = None):
        super().__init__()
        self.action = action
        self.fields: list[tuple[str, str]] = []
        self.inside = False
        self.done = False
        self.textarea: str | None = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form" and (attrs.get("method") or "").lower() == "post":
            self.inside = not self.done and (attrs.get("action") or None) == self.action
        if not self.inside:
            return
        name = attrs.get("name")
        if tag == "input" and name and "disabled" not in attrs:
            kind = (attrs.get("type") or "text").lower()
            if kind in ("checkbox", "radio") and "checked" not in attrs:
                return
            if kind in ("submit", "button", "file"):
                return
            self.fields.append((name, attrs.get("value") or ""))
        elif tag == "textarea" and name:
            self.textarea = name
            self.fields.append((name, ""))
        elif tag == "select" and name:
            self.select, self.chosen = name, None
        elif (
            tag == "option"
            and getattr(self, "select", None)
            and (self.chosen is None or "selected" in attrs)
        ):
            self.chosen = attrs.get("value") or ""

    def handle_endtag(self, tag):
        if tag == "form" and self.inside:
            self.inside, self.done = False, True
        if tag == "textarea":
            self.textarea = None
        if tag == "select" and getattr(self, "select", None):
            self.fields.append((self.select, self.chosen or ""))
            self.select = None


class Client:
    def __init__(self, base: str):
        parts = urlsplit(base)
        self.host, self.port = parts.hostname, parts.port
        self.cookies: dict[str, str] = {}
        self.connection = http.client.HTTPConnection(self.host, self.port, timeout=60)

    def request(self, method: str, path: str, data: list | None = None):
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}
        body = None
        if data is not None:
            body = urlencode(data)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            headers["Referer"] = f"http://{self.host}:{self.port}{path}"
            if "csrftoken" in self.cookies:
                headers["X-CSRFToken"] = self.cookies["csrftoken"]
        for attempt in (1, 2):
            try:
                self.connection.request(method, path, body=body, headers=headers)
                response = self.connection.getresponse()
                content = response.read()
                break
            except (http.client.HTTPException, ConnectionError):
                # The server closed an idle keep-alive connection: reconnect once.
                self.connection.close()
                self.connection = http.client.HTTPConnection(
                    self.host, self.port, timeout=60
                )
                if attempt == 2:
                    raise
        for header, value in response.getheaders():
            if header.lower() == "set-cookie":
                name, _, rest = value.partition("=")
                self.cookies[name.strip()] = rest.split(";", 1)[0]
        return response.status, response.getheader("Location"), content

    def form_fields(self, html: bytes, action: str | None = None) -> list:
        parser = _Inputs(action)
        parser.feed(html.decode("utf-8", "replace"))
        return parser.fields

    def login(self, username: str, password: str) -> None:
        status, _location, html = self.request("GET", "/login/")
        fields = dict(self.form_fields(html))
        fields.update(username=username, password=password)
        status, location, _html = self.request("POST", "/login/", list(fields.items()))
        if status != 302:
            raise RuntimeError(f"login of {username} failed with {status}")


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return 0.0
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


class Recorder:
    """Latencies and status codes per named request, shared by the threads."""

    def __init__(self):
        self.lock = threading.Lock()
        self.samples: dict[str, list[float]] = {}
        self.errors: dict[str, list[str]] = {}

    def add(self, name: str, seconds: float, error: str | None = None) -> None:
        with self.lock:
            self.samples.setdefault(name, []).append(seconds)
            if error:
                self.errors.setdefault(name, []).append(error)

    def summary(self, seconds: float) -> dict:
        result = {}
        for name, values in sorted(self.samples.items()):
            result[name] = {
                "requests": len(values),
                "rps": round(len(values) / seconds, 1),
                "p50_ms": round(percentile(values, 0.50) * 1000, 1),
                "p95_ms": round(percentile(values, 0.95) * 1000, 1),
                "p99_ms": round(percentile(values, 0.99) * 1000, 1),
                "errors": len(self.errors.get(name, [])),
            }
        every = [v for values in self.samples.values() for v in values]
        result["all"] = {
            "requests": len(every),
            "rps": round(len(every) / seconds, 1),
            "p50_ms": round(percentile(every, 0.50) * 1000, 1),
            "p95_ms": round(percentile(every, 0.95) * 1000, 1),
            "p99_ms": round(percentile(every, 0.99) * 1000, 1),
            "errors": sum(len(v) for v in self.errors.values()),
        }
        return result


def timed(recorder: Recorder, name: str, client: Client, method, path, data=None,
          expect=(200,)):  # fmt: skip
    began = time.perf_counter()
    try:
        status, location, content = client.request(method, path, data)
    except Exception as error:  # a dead connection is a failed request, recorded
        recorder.add(name, time.perf_counter() - began, repr(error))
        return None, None, b""
    error = None if status in expect else f"{status} {path}"
    recorder.add(name, time.perf_counter() - began, error)
    return status, location, content


def run_clients(count: int, seconds: float, body) -> float:
    """Run ``body(index, deadline)`` in ``count`` threads; returns the wall time."""
    deadline = time.perf_counter() + seconds
    threads = [
        threading.Thread(target=body, args=(i, deadline), daemon=True)
        for i in range(count)
    ]
    began = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(seconds + 120)
    return time.perf_counter() - began
