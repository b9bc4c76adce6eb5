from portal.accounts.api_tokens import create_token
from portal.extensions import db


def bearer(user, *scopes: str) -> dict:
    """Headers that call the API as `user`, with a fresh token of these scopes (read alone by
    default)."""
    _token, secret = create_token(user, name="Test", scopes=list(scopes or ["read"]))
    db.session.commit()
    return {"Authorization": f"Bearer {secret}"}
