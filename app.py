"""Sát hạch: the application factory (a table of contents, STYLE.md habit 1)."""
from flask import Flask

from config import Config
from extensions import babel, csrf, db, limiter, login_manager, migrate


def create_app(config: dict | None = None) -> Flask:
    """Build the app; ``config`` overrides settings read from the environment."""
    app = Flask(__name__, instance_path=str(__import__("config").INSTANCE_DIR))
    app.config.update(Config.load())
    app.config.update(config or {})
    register_extensions(app)
    register_blueprints(app)
    register_errorhandlers(app)
    register_template_helpers(app)
    register_commands(app)
    register_proxy_fix(app)
    return app


def register_proxy_fix(app: Flask) -> None:
    """Behind ``PROXY_FIX`` reverse proxies, take the client's address and scheme from their
    ``X-Forwarded-*`` headers (the rate limits, the exam's address ranges and the event log
    need the real address; DECISIONS.md 19)."""
    hops = int(app.config.get("PROXY_FIX") or 0)
    if hops > 0:
        from werkzeug.middleware.proxy_fix import ProxyFix

        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops)


def register_extensions(app: Flask) -> None:
    from flask_babel import lazy_gettext as _l

    from accounts.auth import load_user, select_locale, select_timezone

    db.init_app(app)
    migrate.init_app(app, db, directory=str(app.root_path + "/migrations"), render_as_batch=True)
    login_manager.init_app(app)
    login_manager.user_loader(load_user)
    login_manager.login_view = "accounts.login"
    login_manager.login_message_category = "info"
    login_manager.login_message = _l("Please log in to access this page.")
    csrf.init_app(app)
    babel.init_app(app, locale_selector=select_locale, timezone_selector=select_timezone)
    limiter.init_app(app)
    import models  # noqa: F401  (every model registered on the metadata)
    from jobs.runners import init_app as init_jobs

    init_jobs(app)  # background jobs: rq, thread or sync (DECISIONS.md 18)


def register_blueprints(app: Flask) -> None:
    from accounts.account_routes import bp as account_bp
    from accounts.routes import bp as accounts_bp
    import accounts.reset  # noqa: F401  (password reset links: views on accounts.bp)
    from classification.routes import bp as classification_bp
    from exam.routes import bp as exam_bp
    from jobs.routes import bp as jobs_bp
    from performance.routes import bp as performance_bp
    from question_bank.routes import bp as question_bank_bp
    from reports.routes import bp as reports_bp

    app.register_blueprint(accounts_bp)
    app.register_blueprint(account_bp)
    app.register_blueprint(question_bank_bp, url_prefix="/bank")
    app.register_blueprint(exam_bp, url_prefix="/exam")
    app.register_blueprint(performance_bp, url_prefix="/tasks")
    app.register_blueprint(classification_bp, url_prefix="/rating")
    app.register_blueprint(reports_bp, url_prefix="/reports")
    app.register_blueprint(jobs_bp, url_prefix="/jobs")


def register_errorhandlers(app: Flask) -> None:
    from errors import register

    register(app)


def register_template_helpers(app: Flask) -> None:
    import security
    from templating import register

    register(app)
    security.register(app)


def register_commands(app: Flask) -> None:
    from accounts.cli import register as register_security_commands
    from classification.cli import rating_cli
    from demo.cli import demo_cli
    from exam.cli import exam_cli
    from jobs.cli import jobs_cli
    from question_bank.cli import questions_cli
    from translations.cli import translate_cli

    for group in (demo_cli, questions_cli, rating_cli, exam_cli, translate_cli, jobs_cli):
        app.cli.add_command(group)
    register_security_commands(app)  # audit, data, users, backup
