"""Hostile and clumsy input for the fuzz tests: what a form may be sent, a cheap
fingerprint of the database, and the checks every answer must pass.

Each example runs inside a savepoint that is rolled back afterwards, so every
example starts from the same shop and a refusal can be compared with the state
just before it.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass, field

from django.apps import apps
from django.contrib.messages import constants, get_messages
from django.db import connection, transaction
from django.urls import URLPattern, URLResolver, get_resolver
from hypothesis import HealthCheck, Phase, settings
from hypothesis import strategies as st

# One profile for every fuzz test: enough examples to find the usual suspects,
# few enough that the whole set runs in about 90 s on a 2-core machine.
# JXC_FUZZ_EXAMPLES=500 digs deeper locally, JXC_FUZZ_SHRINK=0 reports the first
# failure unshrunk (quicker while hunting); CI is derandomized (reproducible).
FUZZ = settings(
    max_examples=int(os.environ.get("JXC_FUZZ_EXAMPLES", "25")),
    phases=[
        p
        for p in Phase
        if p != Phase.shrink or os.environ.get("JXC_FUZZ_SHRINK") != "0"
    ],
    deadline=None,
    derandomize=bool(os.environ.get("CI")),
    database=None if os.environ.get("CI") else settings.default.database,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
    ],
)


def FUZZ_PER(count: float) -> settings:  # noqa: N802 (reads like the FUZZ profile)
    """The profile for a test that fuzzes ``count`` endpoints: as many examples
    as each would get on its own."""
    return settings(FUZZ, max_examples=max(1, round(FUZZ.max_examples * count)))


# --- what is typed ------------------------------------------------------------------

XSS = [
    "<script>alert(1)</script>",
    '"><img src=x onerror=alert(1)>',
    "'><svg onload=alert(1)>",
    "</textarea><script>alert(1)</script>",
]
# Strings whose raw appearance in a page means the input was not escaped.
XSS_MARKERS = ["<script>alert(1)", "<img src=x onerror", "<svg onload"]

ODD_TEXT = [
    "",
    " ",
    "   \t ",
    "😀👍🏽🇨🇳",
    "𠀀𠀁𪚥𫝀",  # CJK extension B and beyond: 4 bytes in UTF-8
    "\x00",
    "a\x00b",
    "\x01\x02\x1b[31m",
    "\x7f",
    "\u202eevil",
    "\ufeffBOM",
    "\u200b",
    "\r\n",
    "line\nbreak",
    "\ufffe\uffff",
    "{{ 7*7 }}{% debug %}",
    "' OR 1=1 --",
    "%s%d%(x)s",
    "苹果",
    "A001",
    *XSS,
]

# Every character but lone surrogates (not sendable as UTF-8).
any_char = st.characters(blacklist_categories=("Cs",))
control_char = st.characters(
    min_codepoint=0, max_codepoint=0x9F, blacklist_categories=("L", "N", "P", "S", "Z")
)
hostile_text = st.one_of(
    st.sampled_from(ODD_TEXT),
    st.sampled_from(ODD_TEXT),
    st.text(any_char, max_size=40),
    st.lists(
        st.one_of(st.sampled_from(ODD_TEXT), st.text(any_char, max_size=8)),
        min_size=1,
        max_size=4,
    ).map("".join),
    st.sampled_from([201, 1001, 100_000]).flatmap(
        lambda n: st.sampled_from(["x", "长", "😀", "<script>alert(1)</script>"]).map(
            lambda piece: (piece * n)[: max(n, len(piece))]
        )
    ),
)
ODD_NUMBERS = [
    "",
    " ",
    "0",
    "-0",
    "-1",
    "-0.001",
    "0.0001",
    "NaN",
    "nan",
    "sNaN",
    "Infinity",
    "-Infinity",
    "inf",
    "1e30",
    "1E+30",
    "-1e30",
    "1e-30",
    "1e999999999",
    "0.00000000000000000001",
    "1.12345678901234567890",
    "12345678901234567890",
    "9" * 30,
    "9" * 5000,
    "1,234.5",
    "1 234",
    "１２３",  # full-width digits
    "１２．５",
    "٣",  # Arabic-Indic three
    "²",
    "1_000",
    "0x10",
    "1e",
    "--1",
    "+5",
    "5.",
    ".5",
    "999999999.999",
    "1000000000",
    "99999999.99",
    "100000000",
    "100",
    "101",
    "2147483648",
    "9223372036854775808",
]
hostile_number = st.one_of(
    st.sampled_from(ODD_NUMBERS),
    st.sampled_from(ODD_NUMBERS),
    st.decimals(allow_nan=True, allow_infinity=True).map(str),
    st.integers().map(str),
    st.floats().map(repr),
)
ODD_DATES = [
    "",
    "0001-01-01",
    "1900-01-01",
    "1999-12-31",
    "2000-01-01",
    "2024-02-29",
    "2025-02-29",
    "2025-02-30",
    "2025-13-01",
    "2025-00-10",
    "2100-12-31",
    "2101-01-01",
    "9999-12-31",
    "10000-01-01",
    "-0001-01-01",
    "2025/01/31",
    "31/01/2025",
    "2025-1-1",
    "２０２５-０１-３１",
    "today",
    "garbage",
    "0000-00-00",
]
hostile_date = st.one_of(
    st.sampled_from(ODD_DATES), st.dates().map(lambda d: d.isoformat())
)
ODD_IDS = ["0", "-1", "1.5", "abc", "", "²", "１", "999999999", "9" * 20, "9" * 40]
hostile_id = st.one_of(st.sampled_from(ODD_IDS), st.integers().map(str))
ODD_COUNTS = ["-1", "-1000", "0", "", "abc", "1.5", "+1", " 2", "２", "1e1"]
# A count past the most lines a document takes builds (and shows) 300 lines: a
# second each, so drawn less often; test_input_refusals.py pins the refusal.
HUGE_COUNTS = ["301", "1001", "1000000", "9" * 25]
hostile_count = st.one_of(
    st.sampled_from(ODD_COUNTS),
    st.sampled_from(ODD_COUNTS),
    st.integers(-5, 5).map(str),
    st.sampled_from(ODD_COUNTS),
    st.sampled_from(HUGE_COUNTS),
)
ODD_MONTHS = ["0001-01", "1999-12", "2101-01", "9999-12", "2025-13", "2025-00"]
ODD_MONTHS += ["2025-1", "２０２５-０１", "2025-02-30", "", "garbage"]
ODD_TOKENS = [
    "",
    "garbage",
    "00000000-0000-0000-0000-000000000000",
    "not-a-uuid-\x00",
    "-1",
    "0",
    "9" * 30,
]
anything = st.one_of(hostile_text, hostile_number, hostile_date, hostile_id)

KINDS = {
    "text": hostile_text,
    "number": hostile_number,
    "date": hostile_date,
    "id": hostile_id,
    "count": hostile_count,
    "token": st.sampled_from(ODD_TOKENS),
    "month": st.one_of(st.sampled_from(ODD_MONTHS), hostile_date),
    "bool": st.sampled_from(["on", "off", "", "0", "1", "true", "false", "\x00"]),
}


# --- what a form is sent --------------------------------------------------------------


@dataclass
class Spec:
    """One form endpoint: where, what a valid submission looks like, and what
    each field holds (its kind picks the hostile values it is sent)."""

    name: str
    url: Callable  # world -> url
    data: Callable  # world -> {field: value}
    kinds: dict = field(default_factory=dict)  # field name or regex -> kind
    method: str = "post"
    user: str = "owner"
    # Values this endpoint's id/code/token fields may also be sent (other records,
    # stale tokens): world -> {kind: [values]}.
    also: Callable | None = None
    # Tables a refusal may still write to (sign-in failures are recorded).
    may_write: tuple = ()
    # Sign in again before each example (the form cycles the session key).
    relogin: bool = False
    # Django's own views answer with a bare redirect (no message).
    quiet: bool = False
    # One field or none (a confirm, a delete, a reason): a third of the examples.
    few: bool = False
    # What the plain (valid) submission gets: "accepted", "refused" where the
    # shop must refuse it (deleting a record in use), "redirected" (quiet views).
    expect: str = "accepted"

    def kind_of(self, name: str) -> str:
        for pattern, kind in self.kinds.items():
            if re.fullmatch(pattern, name):
                return kind
        return "text"


def formset(prefix: str, rows: list[dict], *, initial: int = 0) -> dict:
    """A formset's fields: its management form and one row per dict."""
    data = {
        f"{prefix}-TOTAL_FORMS": str(len(rows)),
        f"{prefix}-INITIAL_FORMS": str(initial),
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "1000",
    }
    for index, row in enumerate(rows):
        for name, value in row.items():
            data[f"{prefix}-{index}-{name}"] = value
    return data


MANAGEMENT = r".*-(TOTAL|INITIAL|MIN_NUM|MAX_NUM)_FORMS"


@st.composite
def submissions(draw, spec: Spec, world) -> list[tuple[str, str]]:
    """A valid submission of ``spec`` with a few fields made hostile: replaced,
    dropped, sent twice, or joined by fields nobody asked for."""
    base = spec.data(world)
    also = spec.also(world) if spec.also else {}
    names = list(base)
    chosen = draw(
        st.lists(st.sampled_from(names), max_size=4, unique=True)
        if names
        else st.just([])
    )
    pairs: list[tuple[str, str]] = []
    for name in names:
        value = base[name]
        values = value if isinstance(value, list) else [value]
        if name not in chosen:
            pairs += [(name, v) for v in values]
            continue
        kind = "count" if re.fullmatch(MANAGEMENT, name) else spec.kind_of(name)
        pool = KINDS.get(kind, hostile_text)
        if also.get(kind):
            pool = st.one_of(pool, st.sampled_from(also[kind]))
        action = draw(
            st.sampled_from(["replace", "replace", "anything", "drop", "twice"])
        )
        if action == "drop":
            continue
        hostile = draw(anything if action == "anything" else pool)
        if action == "twice":
            both = [values[0], hostile]
            pairs += [(name, v) for v in draw(st.permutations(both))]
        else:
            pairs.append((name, hostile))
    if draw(st.integers(0, 9)) == 0:
        pairs.append((draw(st.sampled_from(["x", "lines-7-product", "pk"])), "1"))
    return pairs


# --- the database before and after ------------------------------------------------

FINGERPRINT_APPS = ["auth", "accounts", "catalog", "inventory", "purchasing", "sales"]
FINGERPRINT_APPS += ["reports", "jxc", "audit"]


SUMMED = ("version", "on_hand", "reserved", "value", "counted_quantity", "last")


def _measures(model) -> list[tuple[str, str, list]]:
    """(name, SQL expression, params) measured over one table."""
    columns = {f.name: f.column for f in model._meta.concrete_fields}
    measures = [("rows", "COUNT(*)", [])]
    if "updated_at" in columns:
        measures.append(("updated", f"MAX({qn(columns['updated_at'])})", []))
    if "is_active" in columns:
        active = qn(columns["is_active"])
        measures.append(("active", f"SUM(CASE WHEN {active} THEN 1 ELSE 0 END)", []))
    if "status" in columns:
        status = qn(columns["status"])
        for value, _label in model._meta.get_field("status").choices:
            expression = f"SUM(CASE WHEN {status} = %s THEN 1 ELSE 0 END)"
            measures.append((f"status={value}", expression, [value]))
    measures += [(n, f"SUM({qn(columns[n])})", []) for n in SUMMED if n in columns]
    return measures


def _tables() -> list[tuple[str, str, list]]:
    found = []
    for label in FINGERPRINT_APPS:
        try:
            config = apps.get_app_config(label)
        except LookupError:
            continue
        for model in config.get_models(include_auto_created=True):
            if model._meta.managed and not model._meta.proxy:
                table = qn(model._meta.db_table)
                found += [
                    # Quoted table and column names from the models; values are params.
                    (f"{model._meta.label}.{name}", f"(SELECT {sql} FROM {table})", p)  # noqa: S608
                    for name, sql, p in _measures(model)
                ]
    return found


def qn(name: str) -> str:
    return connection.ops.quote_name(name)


def fingerprint() -> dict:
    """Row counts of every business table, with what changes in place (stock
    levels, versions, statuses, counters, last update): one query, and it moves
    on any write."""
    measures = _tables()
    sql = "SELECT " + ", ".join(expression for _n, expression, _p in measures)
    params = [value for _n, _e, p in measures for value in p]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        row = cursor.fetchone()
    return {name: value for (name, _e, _p), value in zip(measures, row, strict=True)}


def changes(before: dict, after: dict) -> dict:
    return {
        name: (before.get(name), after.get(name))
        for name in set(before) | set(after)
        if before.get(name) != after.get(name)
    }


@contextmanager
def rolled_back():
    """Run an example inside a savepoint and undo everything it wrote."""
    with transaction.atomic():
        yield
        transaction.set_rollback(True)


# --- the checks every answer passes ---------------------------------------------------

ERROR_MARKS = (
    "invalid-feedback",
    "alert-danger",
    "errorlist",
    'class="text-danger small"',
    # A sales order that cannot be confirmed as it is: wanted / available /
    # missing, and the choices (保存并确认 keeps its draft: issue 20).
    'id="shortage-panel"',
)


def messages_of(response) -> list[tuple[int, str]]:
    return [(m.level, str(m)) for m in get_messages(response.wsgi_request)]


def _texts(pairs) -> list[str]:
    if isinstance(pairs, dict):
        pairs = pairs.items()
    return [value for _name, value in pairs if isinstance(value, str)]


def assert_escaped(response, pairs) -> None:
    """No script a user typed comes back as markup."""
    if not response.get("Content-Type", "").startswith("text/html"):
        return
    sent = "".join(_texts(pairs))
    html = response.content.decode(errors="replace")
    for marker in XSS_MARKERS:
        if marker in sent:
            assert marker not in html, f"{marker!r} came back unescaped"


def outcome(response, before: dict, pairs, *, may_write=(), quiet=False) -> str:
    """Check a form's answer; return "accepted", "refused", "redirected" or
    "elsewhere".

    Never a server error. Accepted: a redirect with a success message. Refused:
    the form again with its errors, or a redirect with an error message; the
    database is as it was. Redirected: Django's own views (sign-in, password,
    language) redirect without a message, done or not. A 4xx page (missing
    record, no permission, a request Django refuses) changes nothing either.
    """
    status = response.status_code
    assert status < 500, f"server error {status}"
    assert_escaped(response, pairs)
    notes = messages_of(response)
    errors = [text for level, text in notes if level >= constants.ERROR]
    successes = [text for level, text in notes if level == constants.SUCCESS]
    changed = {
        name: change
        for name, change in changes(before, fingerprint()).items()
        if not name.startswith(tuple(may_write))
    }
    if status in (301, 302, 303):
        assert "/login/" not in response["Location"], "signed out"
        if successes and not errors:
            return "accepted"
        if quiet and not errors:
            return "redirected"  # Django's own view: done, or nothing to do
        assert errors, "a redirect without a message"
        assert not changed, f"refused, yet changed: {changed}"
        assert all(text.strip() for text in errors), "an empty error message"
        return "refused"
    if status == 200:
        html = response.content.decode(errors="replace")
        assert errors or any(mark in html for mark in ERROR_MARKS), (
            "the form came back without saying what is wrong"
        )
        assert not changed, f"refused, yet changed: {changed}"
        return "refused"
    assert status in (400, 403, 404, 405, 413, 429), f"unexpected status {status}"
    assert not changed, f"refused, yet changed: {changed}"
    return "elsewhere"


def send(client, spec: Spec, world, pairs):
    url = spec.url(world)
    if spec.method == "get":
        return client.get(url, _querydict(pairs))
    # A browser always sends the CSRF field: a POST is never empty (Django's
    # test client does not check the token).
    return client.post(url, _querydict([("csrfmiddlewaretoken", "x"), *pairs]))


def _querydict(pairs) -> dict:
    """Pairs as the test client's data: a key sent twice becomes a list."""
    data: dict[str, list[str]] = {}
    for name, value in pairs:
        data.setdefault(name, []).append(value)
    return data


# --- the URLs there are ------------------------------------------------------------


@dataclass(frozen=True)
class Route:
    name: str  # "app:name"
    arguments: tuple  # what its path takes: ("pk",), ("product_id",), ()


def routes() -> list[Route]:
    """Every named URL of the shop (Django's admin aside), from the resolver."""
    found = []

    def walk(resolver, namespaces, arguments):
        for entry in resolver.url_patterns:
            names = (*arguments, *_arguments(entry.pattern))
            if isinstance(entry, URLResolver):
                inner = (
                    (*namespaces, entry.namespace) if entry.namespace else namespaces
                )
                if entry.namespace != "admin":
                    walk(entry, inner, names)
            elif isinstance(entry, URLPattern) and entry.name:
                found.append(Route(":".join((*namespaces, entry.name)), names))

    walk(get_resolver(), (), ())
    return found


def _arguments(pattern) -> tuple:
    names = list(getattr(pattern, "converters", {})) + list(pattern.regex.groupindex)
    return tuple(dict.fromkeys(names))
