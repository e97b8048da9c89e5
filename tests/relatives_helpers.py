"""Helpers for the närstående tests: a patient invites, a relative takes the link."""

from __future__ import annotations

import re
from typing import Any

from flask.testing import FlaskClient

from tests.conftest import ORIGIN, api, csrf_token
from tests.fakes.authenticator import SoftAuthenticator


def invite(
    client: FlaskClient,
    *,
    name: str = "Eva",
    relation: str = "dotter",
    scopes: Any = None,
    ends_on: str = "",
) -> str:
    """The patient invites a relative; returns the link's path."""
    page = "/narstaende/ny"
    response = client.post(
        page,
        data={
            "csrf_token": csrf_token(client, page),
            "relative_name": name,
            "relation": relation,
            "scopes": scopes if scopes is not None else ["view_plan", "self_care"],
            "ends_on": ends_on,
        },
    )
    assert response.status_code == 303, response.get_data(as_text=True)
    html = client.get(response.headers["Location"]).get_data(as_text=True)
    match = re.search(r"data-invitation-link>http://localhost(/narstaende/inbjudan/[^<]+)<", html)
    assert match, "the link page shows the link"
    return match.group(1)


def take_with_new_account(client: FlaskClient, link: str) -> SoftAuthenticator:
    """Someone without Nära opens the link, makes their own passkey and is signed in."""
    response = take(client, link)
    assert response.status_code == 303, response.get_data(as_text=True)
    passkey_page = response.headers["Location"]
    token = passkey_page.rsplit("/", 1)[-1]
    authenticator = SoftAuthenticator(origin=ORIGIN)
    csrf = csrf_token(client, passkey_page)
    options = api(client, "/passkeys/api/register/options", {"invitation": token}, csrf)
    assert options.status_code == 200, options.get_json()
    verified = api(
        client,
        "/passkeys/api/register/verify",
        {"credential": authenticator.create(options.get_json())},
        csrf,
    )
    assert verified.status_code == 200, verified.get_json()
    return authenticator


def take(client: FlaskClient, link: str) -> Any:
    """The "Ja" on the invitation's page: its form carries the link's token."""
    token = link.rsplit("/", 1)[-1]
    return client.post(
        "/narstaende/inbjudan", data={"csrf_token": csrf_token(client, link), "token": token}
    )


def post(client: FlaskClient, path: str, page: str = "/narstaende/hjalper", **data: Any) -> Any:
    return client.post(path, data={"csrf_token": csrf_token(client, page), **data})
