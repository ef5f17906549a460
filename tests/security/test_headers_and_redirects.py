"""Security headers on every response, and `next` redirects that never leave the app."""

from __future__ import annotations

from urllib.parse import quote, urlsplit

import pytest

from tests.conftest import PASSWORD


def assert_security_headers(response) -> None:
    csp = response.headers["Content-Security-Policy"]
    directives = {part.split()[0]: part.split()[1:] for part in csp.split(";") if part.strip()}
    assert "'unsafe-inline'" not in directives.get("script-src", directives["default-src"])
    assert "'unsafe-eval'" not in csp
    assert directives["frame-ancestors"] == ["'none'"]
    assert directives["object-src"] == ["'none'"]
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] in (
        "strict-origin-when-cross-origin",
        "same-origin",
        "no-referrer",
    )
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["X-Request-Id"]


@pytest.mark.parametrize(
    ("method", "url", "status"),
    [
        ("get", "/", 200),
        ("get", "/auth/login", 200),
        ("get", "/no/such/page", 404),
        ("get", "/static/rapport.css", 200),
        ("get", "/static/no-such-file.css", 404),
        ("get", "/healthz", 200),
        ("get", "/api/v1/openapi.json", 200),
        ("get", "/api/v1/modules", 401),
        ("delete", "/auth/login", 405),
        ("get", "/progress", 302),
    ],
)
def test_security_headers_on_every_kind_of_response(client, method, url, status):
    response = getattr(client, method)(url)
    assert response.status_code == status
    assert_security_headers(response)
    response.close()


def test_security_headers_on_errors_and_logged_in_pages(client, auth, learner, api):
    auth.login(learner.email)
    for response in (
        client.get("/progress"),
        client.get("/attempts/987654"),
        client.post("/auth/login", data={"email": "x", "password": "y"}),
        api.get("/attempts/987654"),
        api.post("/quizzes/no-such-quiz/attempts", json={"answers": {}}),
    ):
        assert_security_headers(response)


def test_request_ids_are_kept_when_plain_and_replaced_when_not(client):
    assert client.get("/", headers={"X-Request-Id": "abc-123.x_y"}).headers["X-Request-Id"] == (
        "abc-123.x_y"
    )
    for bad in ("a b", "x" * 65, "<script>", "", "id;drop"):
        given = client.get("/", headers={"X-Request-Id": bad}).headers["X-Request-Id"]
        assert given != bad
        assert given.isalnum()


def test_every_response_gets_its_own_request_id(client):
    ids = {client.get("/").headers["X-Request-Id"] for _ in range(5)}
    assert len(ids) == 5


UNSAFE_NEXT = [
    "//evil.com",
    "//evil.com/path",
    "https://evil.com",
    "http://evil.com/",
    "/\\evil.com",
    "\\\\evil.com",
    "/\\/evil.com",
    "javascript:alert(1)",
    "JavaScript:alert(1)",
    "data:text/html,<script>alert(1)</script>",
    "https:evil.com",
    "///evil.com",
    "/%2F%2Fevil.com",
    " //evil.com",
    "\t//evil.com",
    "evil.com",
    "//evil.com@rapport.example",
    "/\u3002evil.com",
]


@pytest.mark.parametrize("target", UNSAFE_NEXT)
def test_next_never_leaves_the_app(client, learner, target):
    response = client.post(
        f"/auth/login?next={quote(target, safe='')}",
        data={"email": learner.email, "password": PASSWORD},
    )
    assert response.status_code == 302
    location = response.headers["Location"]
    parts = urlsplit(location)
    assert parts.scheme in ("", "http")
    assert parts.netloc in ("", "localhost")
    assert parts.path.startswith("/")
    assert not parts.path.startswith("//")
    assert "\\" not in location
    assert "evil" not in parts.netloc
    # A browser resolving the Location against the app's own address stays on it.
    from urllib.parse import urljoin

    assert urlsplit(urljoin("http://localhost/auth/login", location)).netloc == "localhost"


@pytest.mark.parametrize("target", UNSAFE_NEXT)
def test_next_never_leaves_the_app_when_already_logged_in(client, auth, learner, target):
    auth.login(learner.email)
    location = client.get(f"/auth/login?next={quote(target, safe='')}").headers["Location"]
    from urllib.parse import urljoin

    assert urlsplit(urljoin("http://localhost/auth/login", location)).netloc == "localhost"


def test_next_inside_the_app_is_followed(client, learner):
    response = client.post(
        "/auth/login?next=/progress", data={"email": learner.email, "password": PASSWORD}
    )
    assert response.headers["Location"] == "/progress"


def test_login_required_pages_send_people_back_after_login(client, learner):
    response = client.get("/progress")
    assert response.status_code == 302
    login_url = response.headers["Location"]
    assert login_url.startswith("/auth/login?next=")
    response = client.post(login_url, data={"email": learner.email, "password": PASSWORD})
    assert response.headers["Location"] == "/progress"
