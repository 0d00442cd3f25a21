"""Switch a test client's page language the way a user does (the language form)."""
from __future__ import annotations

LANGUAGES = ("en", "zh_CN")


def speak(client, locale: str):
    """The client with its session (and its user, when logged in) in ``locale``."""
    response = client.post("/language", data={"locale": locale, "next": "/"})
    assert response.status_code == 302
    return client


def flashed(client, response) -> str:
    """The page a refused form redirects to (where its flash message shows)."""
    assert response.status_code == 302, response.status_code
    return client.get(response.headers["Location"]).get_data(as_text=True)


def asking(api, username: str, accept_language: str):
    """(client, headers) of an API caller with a token who asks for ``accept_language``."""
    client, headers = api(username)
    return client, headers | {"Accept-Language": accept_language}
