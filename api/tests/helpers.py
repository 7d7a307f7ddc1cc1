"""What the api tests share: keys made through the service, a client per key."""

from __future__ import annotations

import json

from django.test import Client

from api import services


def key_for(owner, scope="full", **kwargs):
    made = services.api_key_create(
        name=f"test {scope}", scope=scope, user=owner, **kwargs
    )
    return made.key, made.token


class KeyClient:
    """A test client that sends ``Authorization: Bearer <token>``."""

    def __init__(self, token: str):
        self.client = Client()
        self.headers = {"Authorization": f"Bearer {token}"}

    def get(self, url, data=None, **headers):
        return self.client.get(url, data, headers={**self.headers, **headers})

    def post(self, url, data, **headers):
        return self.client.post(
            url,
            json.dumps(data, default=str),
            content_type="application/json",
            headers={**self.headers, **headers},
        )
