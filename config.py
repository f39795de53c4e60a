"""Settings read from the environment (twelve-factor), with safe local defaults.

| variable | meaning | default |
| --- | --- | --- |
| ``DATABASE_URL`` | SQLAlchemy URL (``postgresql+psycopg://…`` or ``sqlite:///…``) | ``sqlite:///instance/sathach.db`` |
| ``SECRET_KEY`` | session and CSRF signing key | generated once into ``instance/secret_key`` |
| ``REDIS_URL`` | rate-limit storage (and jobs) | in-memory |
| ``JOBS_MODE`` | where background jobs run: ``rq`` (Redis), ``thread`` (a worker thread of the app), ``sync`` (in the request) | ``rq`` with ``REDIS_URL``, else ``thread``; ``sync`` under ``TESTING`` |
| ``JOBS_STALE_MINUTES`` | a queued job not started, or a running job without progress, for this long is failed | ``30`` |
| ``STORAGE_DIR`` | evidence files and question images, outside the web root | ``instance/storage`` |
| ``SATHACH_TIMEZONE`` | the zone in which times are shown and interpreted | ``Asia/Ho_Chi_Minh`` |
| ``SESSION_COOKIE_SECURE`` | ``1``: cookies only over HTTPS (set it in production) | ``0`` |
| ``IDLE_TIMEOUT_MINUTES`` | log out after this long without a request (an open test attempt keeps its session) | ``30`` |
| ``REQUIRE_2FA`` | ``1``: admin, HR and exam-admin roles must enrol TOTP before using the app | ``0`` (demo, tests) |
| ``EVIDENCE_RETENTION_YEARS`` | evidence files of tasks older than this many years are purged (``flask data purge``) | ``5`` |
| ``EVENT_LOG_RETENTION_DAYS`` | login and security events older than this are purged | ``365`` |
| ``PROXY_FIX`` | number of reverse proxies in front whose ``X-Forwarded-For``/``-Proto`` are trusted | ``0`` |
| ``AUDIT_CHECKPOINT`` | the HMAC-signed head of the audit chain (DECISIONS.md 21) | ``instance/audit-checkpoint.json`` |
| ``PASSWORD_RESET_HOURS`` | how long a password reset link issued by an administrator stays valid (DECISIONS.md 24) | ``24`` |
"""
import os
import secrets
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent
INSTANCE_DIR = Path(os.environ.get("SATHACH_INSTANCE", BASE_DIR / "instance"))


def _secret_key() -> str:
    """The key from ``SECRET_KEY``, else one generated once and kept in ``instance/``.

    Keeping it on disk means a restart leaves sessions and CSRF tokens valid
    (DECISIONS.md 13): an examinee in the middle of a test is never logged out by a deploy.
    """
    if os.environ.get("SECRET_KEY"):
        return os.environ["SECRET_KEY"]
    INSTANCE_DIR.mkdir(parents=True, exist_ok=True)
    path = INSTANCE_DIR / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_hex(32))
        path.chmod(0o600)
    return path.read_text().strip()


def _database_url() -> str:
    url = os.environ.get("DATABASE_URL", f"sqlite:///{INSTANCE_DIR / 'sathach.db'}")
    if url.startswith("postgres://"):
        url = "postgresql+psycopg://" + url[len("postgres://"):]
    elif url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://"):]
    return url


class Config:
    SECRET_KEY = None  # filled in by load()
    SQLALCHEMY_DATABASE_URI = None
    SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": True}
    STORAGE_DIR = None
    TIMEZONE = os.environ.get("SATHACH_TIMEZONE", "Asia/Ho_Chi_Minh")
    BABEL_DEFAULT_LOCALE = "vi"
    BABEL_DEFAULT_TIMEZONE = TIMEZONE
    LANGUAGES = {"vi": "Tiếng Việt", "en": "English"}
    WTF_CSRF_TIME_LIMIT = None  # session-bound tokens outlive the longest attempt (DECISIONS 13)
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = os.environ.get("SESSION_COOKIE_SECURE", "0") == "1"
    REMEMBER_COOKIE_HTTPONLY = True
    MAX_CONTENT_LENGTH = int(os.environ.get("MAX_CONTENT_LENGTH", 20 * 1024 * 1024))
    EVIDENCE_MAX_BYTES = 10 * 1024 * 1024
    RATELIMIT_STORAGE_URI = os.environ.get("REDIS_URL", "memory://")
    RATELIMIT_HEADERS_ENABLED = True
    ATTEMPT_GRACE_SECONDS = 30
    EXAM_FAST_SAVE = os.environ.get("EXAM_FAST_SAVE", "1") == "1"   # one-statement autosave (exam/fast_save.py)
    # Behind a reverse proxy (DECISIONS 19): how many proxies to trust for X-Forwarded-For/-Proto
    # (werkzeug ProxyFix); 0 = not behind a proxy, the peer address is the client's.
    PROXY_FIX = int(os.environ.get("PROXY_FIX", 0))
    # Security (issue 7): sessions, login protection, two-factor, retention.
    IDLE_TIMEOUT_MINUTES = int(os.environ.get("IDLE_TIMEOUT_MINUTES", 30))
    PERMANENT_SESSION_LIFETIME = IDLE_TIMEOUT_MINUTES * 60  # the cookie's expiry, refreshed by each request
    SESSION_MAX_HOURS = 12                                  # absolute lifetime of a login
    LOGIN_MAX_FAILURES = 5                                  # failures in a row that lock an account …
    LOGIN_LOCK_MINUTES = 15                                 # … for this long
    LOGIN_LIMIT_ACCOUNT = "10 per minute"                   # login posts per account (Flask-Limiter)
    LOGIN_LIMIT_ADDRESS = "100 per minute"                  # failed logins per address (agencies share NATs)
    PASSWORD_MIN_LENGTH = 10
    PASSWORD_RESET_HOURS = int(os.environ.get("PASSWORD_RESET_HOURS", 24))  # a reset link's lifetime
    PASSWORD_RESET_LIMIT = "20 per minute"                  # reset-page requests per address
    PASSWORD_RESET_ISSUE_LIMIT = "30 per hour"              # links issued per HR officer / administrator
    REQUIRE_2FA = os.environ.get("REQUIRE_2FA", "0") == "1"
    TWO_FACTOR_ROLES = ("admin", "hr_officer", "exam_admin")
    EVIDENCE_RETENTION_YEARS = int(os.environ.get("EVIDENCE_RETENTION_YEARS", 5))
    EVENT_LOG_RETENTION_DAYS = int(os.environ.get("EVENT_LOG_RETENTION_DAYS", 365))
    AUDIT_CHECKPOINT = None  # filled in by load()
    TESTING = False
    # Background jobs (DECISIONS.md 18; jobs/runners.py resolves an empty JOBS_MODE).
    REDIS_URL = os.environ.get("REDIS_URL") or None
    JOBS_MODE = os.environ.get("JOBS_MODE", "")
    JOBS_QUEUE = os.environ.get("JOBS_QUEUE", "sathach")
    JOBS_STALE_MINUTES = int(os.environ.get("JOBS_STALE_MINUTES", 30))
    JOBS_PROGRESS_SECONDS = 0.5       # progress (and the job's checkpoint) is committed at most this often

    @classmethod
    def load(cls) -> dict:
        """The settings as a dict, with the values that need the environment resolved."""
        settings = {k: getattr(cls, k) for k in dir(cls) if k.isupper()}
        settings["SECRET_KEY"] = _secret_key()
        settings["SQLALCHEMY_DATABASE_URI"] = _database_url()
        settings["STORAGE_DIR"] = os.environ.get("STORAGE_DIR", str(INSTANCE_DIR / "storage"))
        settings["AUDIT_CHECKPOINT"] = os.environ.get("AUDIT_CHECKPOINT", str(INSTANCE_DIR / "audit-checkpoint.json"))
        return settings
