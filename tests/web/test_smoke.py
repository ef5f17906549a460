import re

from tests.conftest import PASSWORD


def test_home_page_for_visitors(client):
    response = client.get("/")
    assert response.status_code == 200
    assert b"Create an account" in response.data


def nav_labels(html: str) -> list[str]:
    """The main navigation's entries, in order."""
    nav = re.search(r'<nav aria-label="Main">(.*?)</nav>', html, re.S).group(1)
    return re.findall(r">([^<>]+)</(?:a|button)>", nav)


def test_the_main_navigation_follows_the_role(app, make):
    """Each role's links are rendered once and kept: one role's links never show for another,
    whichever came first, and they follow the prefix the app is mounted at."""
    common = ["My course", "My progress", "Join a cohort"]
    expected = {
        "admin": [*common, "Cohorts", "Users", "Content changes", "Account", "Log out"],
        "trainer": [*common, "Cohorts", "Account", "Log out"],
        "learner": [*common, "Account", "Log out"],
    }
    for role in ("admin", "trainer", "learner", "trainer", "admin"):
        client = app.test_client()
        user = make.user(role)
        client.post("/auth/login", data={"email": user.email, "password": PASSWORD})
        assert nav_labels(client.get("/progress").text) == expected[role]
        mounted = client.get("/progress", base_url="http://localhost/rapport/").text
        assert nav_labels(mounted) == expected[role]
        assert '<a href="/rapport/progress">My progress</a>' in mounted
    assert nav_labels(app.test_client().get("/").text) == ["Log in", "Register"]


def test_links_are_built_for_the_request_they_answer(app, make):
    """Built URLs are kept (issue 15), each for its own mount point, scheme and values."""
    client = app.test_client()
    for base, prefix in [("http://localhost/", ""), ("http://localhost/rapport/", "/rapport")] * 2:
        page = client.get("/", base_url=base).text
        assert f'<link rel="stylesheet" href="{prefix}/static/rapport.css">' in page
        assert f'<a href="{prefix}/auth/login">Log in</a>' in page
    with app.test_request_context("/"):
        from flask import url_for

        links = {url_for("learn.module", module_id=name) for name in ("a", "b", "a")}
        assert links == {"/modules/a", "/modules/b"}
        assert url_for("learn.home", _external=True) == "http://localhost/"
