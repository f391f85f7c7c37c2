"""pytest plugin for running the sigstore-conformance suite offline with --skip-signing.

The suite's `identity_token` fixture downloads a testing OIDC token even though the
verification tests never use it. Loaded with `-p offline_token`, this plugin replaces
`urllib3.request` (before the suite's conftest imports it) with a stub returning an unsigned
dummy JWT that carries the claims the harness parses (email, iss, exp).
"""

import base64
import json
import time

import urllib3


def _b64(obj):
    return base64.urlsafe_b64encode(json.dumps(obj).encode()).decode().rstrip("=")


_TOKEN = ".".join(
    [
        _b64({"alg": "none"}),
        _b64(
            {
                "email": "offline@example.invalid",
                "iss": "https://offline.invalid",
                "exp": int(time.time()) + 3600,
            }
        ),
        "unsigned",
    ]
)


class _Response:
    status = 200
    data = _TOKEN.encode()


def _request(*args, **kwargs):
    return _Response()


urllib3.request = _request
