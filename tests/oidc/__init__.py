"""A real OpenID provider on loopback for the sign-in tests: panva's oidc-provider from npm
(tests/oidc/provider.mjs), installed by `make test` with `npm ci` here."""

import json
import os
import re
import shutil
import socket
import subprocess
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urljoin

import requests
from joserfc.jwk import RSAKey

HERE = Path(__file__).parent
CLIENT_ID, CLIENT_SECRET = "portal", "portal-test-secret"


@dataclass
class Provider:
    issuer: str
    process: subprocess.Popen
    key: RSAKey

    def config(self, **extra) -> dict:
        """The portal's OIDC_PROVIDERS setting for this provider."""
        return {
            "brand": {
                "issuer": self.issuer,
                "client_id": CLIENT_ID,
                "client_secret": CLIENT_SECRET,
                "label": "Acme ID",
                "company_claim": "company",
                "plan_claim": "plan",
                **extra,
            }
        }

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=10)
        self.process.stdout.close()


def node_available() -> bool:
    return shutil.which("node") is not None and (HERE / "node_modules" / "oidc-provider").exists()


def start_provider(redirect_uris: list[str], accounts: dict[str, dict]) -> Provider:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    issuer = f"http://127.0.0.1:{port}"
    key = RSAKey.generate_key(2048, parameters={"kid": "test-key", "alg": "RS256", "use": "sig"})
    client = {
        "client_id": CLIENT_ID,
        "client_secret": CLIENT_SECRET,
        "redirect_uris": redirect_uris,
        "grant_types": ["authorization_code"],
        "response_types": ["code"],
    }
    env = {
        **os.environ,
        "PORT": str(port),
        "ISSUER": issuer,
        "CLIENTS": json.dumps([client]),
        "ACCOUNTS": json.dumps(accounts),
        "JWKS": json.dumps({"keys": [key.as_dict(private=True)]}),
    }
    process = subprocess.Popen(
        ["node", str(HERE / "provider.mjs")],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    deadline = time.time() + 20
    while time.time() < deadline:
        try:
            urllib.request.urlopen(f"{issuer}/.well-known/openid-configuration", timeout=2).read()
            return Provider(issuer, process, key)
        except OSError:
            if process.poll() is not None:
                output = process.stdout.read().decode()
                process.stdout.close()
                raise RuntimeError(output) from None
            time.sleep(0.2)
    process.kill()
    raise RuntimeError("the OpenID provider did not start")


def sign_in_at_provider(authorize_url: str, login: str, until: str) -> str:
    """What a person does on the provider's pages: log in as `login`, allow the portal, and
    come back. Returns the address the provider sends the browser back to (under `until`)."""
    browser = requests.Session()
    url = authorize_url
    for _ in range(20):
        if url.startswith(until):
            return url
        response = browser.get(url, allow_redirects=False, timeout=10)
        while response.status_code in (302, 303):
            url = urljoin(url, response.headers["Location"])
            if url.startswith(until):
                return url
            response = browser.get(url, allow_redirects=False, timeout=10)
        action = urljoin(url, re.search(r'<form[^>]*action="([^"]+)"', response.text).group(1))
        fields = {"prompt": re.search(r'name="prompt" value="(\w+)"', response.text).group(1)}
        if fields["prompt"] == "login":
            fields.update(login=login, password="any password")
        response = browser.post(action, data=fields, allow_redirects=False, timeout=10)
        url = urljoin(action, response.headers["Location"])
    raise AssertionError("the provider never sent the browser back")
