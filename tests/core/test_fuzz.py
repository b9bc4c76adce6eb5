"""Bad input never answers 5xx, on any route.

Each test takes one route of `app.url_map` and one method it accepts, and sends it, as an
anonymous visitor, a member (who asked the question and suggested the idea) and an admin:
- every path parameter as a real id (rows a small fixture makes), and as 2**31, 2**63, 10**20,
  -1, a NUL, ...;
- every query parameter the view reads, and every form field it reads, one at a time as a NUL,
  control characters, huge and negative numbers, a list, left out, ..., the others as a browser
  would send them;
- the form as JSON (and JSON of the wrong shapes), and without a CSRF token.
Which parameters and fields a view reads is recorded while it runs (the request's MultiDicts
note every key asked for), and a browser's values for a form come from the forms on the pages
(scraped once), so new views and fields are covered without editing this file. One app and one
set of rows serve every route, so later routes also meet what earlier ones changed (a deleted
answer, a merged idea). A failure lists each request that got a 5xx, with the exception.
"""

import itertools
import json
import tempfile
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import quote, urlencode, urlsplit

import pytest
from flask import Flask, Request, got_request_exception
from sqlalchemy import func
from werkzeug.datastructures import ImmutableMultiDict, MultiDict
from werkzeug.exceptions import HTTPException
from werkzeug.utils import cached_property

from portal import create_app
from portal.accounts.models import Role
from portal.extensions import db
from portal.ideas.services import add_comment as comment_on_idea
from portal.insights.panels import PANELS
from portal.notifications.models import Notification
from portal.notifications.services import notify
from portal.support.services import add_comment as comment_on_post
from tests import factories
from tests.conftest import CSRFClient, login, make_test_config, serve_test_app

# 2**31 is past PostgreSQL's integer, 10**20 past a 64-bit one (SQLite's and bigint).
BAD_INTS = [str(2**31), str(2**63), str(10**20), "-1", "\x00"]
BAD_SEGMENTS = ["\x00", "a\x01b", "9" * 30]
CONTROL = ["\x00", "\x01\x1b\x7f\x85"]
NUMBERS = [str(2**31), str(10**20), "-1"]
BAD_QUERY_VALUES = [*CONTROL, *NUMBERS, "", "abc", "0001-01-01", "9999-12-31"]
BAD_FORM_VALUES = [*CONTROL, *NUMBERS, "", "x" * 3000]
LEFT_OUT = object()
TWO_VALUES = object()
AUTOMATIC_METHODS = {"HEAD", "OPTIONS"}  # Flask answers these for every rule
VIEWERS = ("anonymous", "member", "admin")


def _url_map() -> list[tuple[str, str, str]]:
    with tempfile.TemporaryDirectory(prefix="portal-fuzz-") as instance:
        app = create_app({"PORTAL_ENV": "testing", "SECRET_KEY": "x", "INSTANCE_DIR": instance})
    return sorted(
        (rule.rule, method, rule.endpoint)
        for rule in app.url_map.iter_rules()
        for method in rule.methods - AUTOMATIC_METHODS
    )


ROUTES = _url_map()


# What a view reads ------------------------------------------------------------------------------

QUERY_READS: set[str] = set()
FORM_READS: set[str] = set()


class _Recording:
    """A MultiDict that notes every key a view asks for."""

    reads: set[str]

    def __getitem__(self, key):
        self.reads.add(key)
        return super().__getitem__(key)

    def __contains__(self, key):
        self.reads.add(key)
        return super().__contains__(key)

    def getlist(self, key, type=None):
        self.reads.add(key)
        return super().getlist(key, type)


class _RecordedQueryCopy(_Recording, MultiDict):
    reads = QUERY_READS


class _RecordedQuery(_Recording, ImmutableMultiDict):
    reads = QUERY_READS

    def copy(self):
        return _RecordedQueryCopy(self)


class _RecordedForm(_Recording, ImmutableMultiDict):
    reads = FORM_READS


class RecordingRequest(Request):
    parameter_storage_class = _RecordedForm

    @cached_property
    def args(self):
        return _RecordedQuery(super().args)


# The forms on the pages -------------------------------------------------------------------------


@dataclass
class ScrapedForm:
    action: str
    fields: MultiDict = field(default_factory=MultiDict)


# Typed into every empty box: long enough for titles and bodies, and an email address too,
# so that one field's bad value is checked with the others valid (e.g. the login form's).
TYPED = "someone.typed@example.com"
TYPING_INPUTS = {None, "text", "email", "password", "search", "url", "tel"}


class FormScraper(HTMLParser):
    """The POST forms of a page with the values a browser would send once someone has typed in
    each empty box."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.forms: list[ScrapedForm] = []
        self._form: ScrapedForm | None = None
        self._textarea: str | None = None
        self._select: tuple[str, list[str], list[str]] | None = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form" and (attrs.get("method") or "").lower() == "post":
            self._form = ScrapedForm(action=attrs.get("action") or "")
            self.forms.append(self._form)
        if tag == "option" and self._select is not None:
            value = attrs.get("value") or ""
            self._select[1 if "selected" in attrs else 2].append(value)
        if self._form is None or not attrs.get("name"):
            return
        name = attrs["name"]
        if tag == "input" and attrs.get("type") not in {"submit", "button", "file", "reset"}:
            if attrs.get("type") in {"checkbox", "radio"} and "checked" not in attrs:
                return
            typed = TYPED if attrs.get("type") in TYPING_INPUTS else ""
            self._form.fields.add(name, attrs.get("value") or typed)
        elif tag == "button" and attrs.get("value") is not None:
            self._form.fields.setdefault(name, attrs["value"])
        elif tag == "textarea":
            self._textarea = name
            self._form.fields.add(name, "")
        elif tag == "select":
            self._select = (name, [], [])

    def handle_data(self, data):
        if self._textarea is not None and self._form is not None:
            text = self._form.fields.get(self._textarea, "") + data
            # As a browser does, drop the line break that opens the element.
            self._form.fields.setlist(self._textarea, [text.removeprefix("\r\n")])

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None
        elif tag == "textarea" and self._textarea is not None and self._form is not None:
            if not self._form.fields.get(self._textarea):
                self._form.fields.setlist(self._textarea, [TYPED])
            self._textarea = None
        elif tag == "select" and self._select is not None and self._form is not None:
            name, selected, others = self._select
            choices = selected or [value for value in others if value] or others
            if choices:
                self._form.fields.add(name, choices[0])
            self._select = None


# The fixture's rows -----------------------------------------------------------------------------


@dataclass
class World:
    anonymous: None
    member: object
    admin: object
    path_values: dict[str, str]
    endpoint_values: dict[str, dict[str, str]]

    def url(self, rule: str, endpoint: str, **replace: str) -> str:
        values = {**self.path_values, **self.endpoint_values.get(endpoint, {}), **replace}
        path = rule
        for name, value in values.items():
            for converter in ("", "int:", "path:"):
                path = path.replace(f"<{converter}{name}>", quote(value, safe="/"))
        return path


@pytest.fixture(scope="module")
def fuzz_app(_schema, _smtp_server, tmp_path_factory):
    """One app and one set of rows for every route (a fresh set per route would take longer than
    the fuzzing): what one route's requests change (a deleted answer, a merged idea), the next
    routes meet, as a community would."""
    controller, _ = _smtp_server
    config = make_test_config(
        _schema,
        tmp_path_factory.mktemp("fuzz") / "instance",
        MAIL_URL=f"smtp://{controller.hostname}:{controller.port}",
        PROPAGATE_EXCEPTIONS=False,  # a failure is the 500 page a visitor would get
    )
    app = create_app(config)
    app.test_client_class = CSRFClient
    app.request_class = RecordingRequest
    yield from serve_test_app(app)


@pytest.fixture(scope="module")
def world(fuzz_app) -> World:
    area = factories.make_area("Billing")
    plan = factories.make_plan("Enterprise")
    member = factories.make_user(Role.MEMBER, plan=plan)
    admin = factories.make_user(Role.ADMIN)
    person = factories.make_user(Role.MEMBER)  # the admin pages' subject, never logged in
    question = factories.make_question(member, area, tags=["invoices"])
    answer = factories.make_answer(question, person)
    comment = comment_on_post(person, question, "A comment long enough to post.")
    idea = factories.make_idea(member, area=area)
    factories.make_idea(person)
    idea_comment = comment_on_idea(idea, person, "A comment on the idea.")
    notify([member.id], kind="answer", title="New answer", url=f"/questions/{question.id}")
    db.session.commit()
    notification_id = db.session.scalar(db.select(func.max(Notification.id)))
    return World(
        anonymous=None,
        member=member,
        admin=admin,
        path_values={
            "question_id": str(question.id),
            "answer_id": str(answer.id),
            "comment_id": str(comment.id),
            "idea_id": str(idea.id),
            "user_id": str(person.id),
            "area_id": str(area.id),
            "plan_id": str(plan.id),
            "notification_id": str(notification_id),
            "slug": question.slug,
            "token": "not-a-token",
            "key": next(iter(PANELS)),
            "filename": "logo.png",
        },
        endpoint_values={
            "ideas.official": {"comment_id": str(idea_comment.id)},
            "static": {"filename": "css/portal.css"},
        },
    )


@pytest.fixture(scope="module")
def sender(fuzz_app, world) -> "Sender":
    return Sender(fuzz_app, world)


# Sending ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Case:
    viewer: str
    method: str
    url: str
    form: tuple | None = None  # (name, value) pairs
    json: object = LEFT_OUT
    csrf: bool = True

    def __str__(self) -> str:
        body = f" form={self.form!r}" if self.form is not None else ""
        body += f" json={self.json!r}" if self.json is not LEFT_OUT else ""
        return f"{self.viewer}: {self.method} {self.url}{body}{'' if self.csrf else ' no CSRF'}"


class Sender:
    def __init__(self, app: Flask, world: World):
        self.app = app
        self.world = world
        self.browser_forms = self._scrape_forms()
        self.error: BaseException | None = None
        got_request_exception.connect(self._note_error, app)

    def _note_error(self, _sender, exception, **_extra):
        self.error = exception

    def new_clients(self) -> None:
        """A browser per viewer, logged in (once: few requests log out, and then the rest of
        that route's requests come from a visitor, which is fine)."""
        self.clients = {viewer: self.app.test_client() for viewer in VIEWERS}
        for viewer, client in self.clients.items():
            if getattr(self.world, viewer) is not None:
                login(client, getattr(self.world, viewer))

    def send(self, case: Case) -> int:
        client = self.clients[case.viewer]
        kwargs = {"method": case.method, "csrf": case.csrf}
        if case.json is not LEFT_OUT:
            kwargs["data"] = case.json if isinstance(case.json, str) else json.dumps(case.json)
            kwargs["content_type"] = "application/json"
        elif case.form is not None:
            kwargs["data"] = urlencode(case.form)
            kwargs["content_type"] = "application/x-www-form-urlencoded"
        self.error = None
        return client.open(case.url, **kwargs).status_code

    def _scrape_forms(self) -> dict[str, MultiDict]:
        """The fields of every POST form on the pages, by the endpoint it posts to."""
        forms: dict[str, MultiDict] = {}
        adapter = self.app.url_map.bind("localhost")
        self.new_clients()
        # Admin first: where viewers see the same form, the one with the most in it wins.
        for (rule, method, endpoint), viewer in itertools.product(ROUTES, VIEWERS[::-1]):
            if method != "GET" or endpoint == "static":
                continue
            client = self.clients[viewer]
            scraper = FormScraper()
            scraper.feed(client.get(self.world.url(rule, endpoint)).get_data(as_text=True))
            for form in scraper.forms:
                path = urlsplit(form.action).path or self.world.url(rule, endpoint)
                try:
                    target, _ = adapter.match(path, method="POST")
                except HTTPException:
                    continue
                forms.setdefault(target, form.fields)
        return forms

    def reads(self, case: Case) -> tuple[set[str], set[str]]:
        QUERY_READS.clear()
        FORM_READS.clear()
        self.send(case)
        return set(QUERY_READS), set(FORM_READS)


def _with(pairs: MultiDict, name: str, value) -> tuple:
    fields = MultiDict(pairs)
    if value is LEFT_OUT:
        fields.poplist(name)
    elif value is TWO_VALUES:
        fields.setlist(name, ["1", "\x00"])
    else:
        fields.setlist(name, [value])
    return tuple(fields.items(multi=True))


def _with_query(url: str, name: str, value) -> str:
    pairs = [(name, "1"), (name, "\x00")] if value is TWO_VALUES else [(name, value)]
    return f"{url}?{urlencode(pairs)}"


def cases(sender: Sender, rule: str, method: str, endpoint: str, viewer: str):
    world = sender.world
    url = world.url(rule, endpoint)
    form = MultiDict(sender.browser_forms.get(endpoint, MultiDict()))
    form.poplist("csrf_token")  # the client sends a valid one
    body = tuple(form.items(multi=True)) if method != "GET" else None
    yield Case(viewer, method, url, body)

    for name in [name for name in world.path_values if f"{name}>" in rule]:
        values = BAD_INTS if f"int:{name}>" in rule else BAD_SEGMENTS
        for value in values:
            yield Case(viewer, method, world.url(rule, endpoint, **{name: value}), body)

    query_reads, form_reads = sender.reads(Case(viewer, method, url, body))
    for name in sorted(query_reads | ({"page"} if method == "GET" else set())):
        for value in [*BAD_QUERY_VALUES, TWO_VALUES]:
            yield Case(viewer, method, _with_query(url, name, value), body)
    if method == "GET" or not form_reads:  # not a form, or the viewer may not use it
        return

    fields = sorted((form_reads | set(form)) - {"csrf_token"})
    for name in fields:
        for value in [*BAD_FORM_VALUES, TWO_VALUES, LEFT_OUT]:
            yield Case(viewer, method, url, _with(form, name, value))
    as_json = {name: form.getlist(name) for name in form}
    for shape in (
        {name: values[0] for name, values in as_json.items()},
        dict.fromkeys(fields, 2**63),
        {},
        [1, 2],
        "not json {",
    ):
        yield Case(viewer, method, url, json=shape)
    yield Case(viewer, method, url, body, csrf=False)
    yield Case(viewer, method, url, (), csrf=False)


@pytest.mark.parametrize(
    ("rule", "method", "endpoint"), ROUTES, ids=[f"{m} {r}" for r, m, _ in ROUTES]
)
def test_bad_input_never_answers_5xx(sender, rule, method, endpoint):
    failures = []
    sender.new_clients()
    for viewer in VIEWERS:
        for case in cases(sender, rule, method, endpoint, viewer):
            status = sender.send(case)
            if status >= 500:
                failures.append(f"{status} for {case}: {sender.error!r}")
    assert not failures, "\n".join(failures[:20])
