"""The security tests compare messages with their English source text."""
import pytest


@pytest.fixture(autouse=True)
def english_messages(request):
    if "app" in request.fixturenames:
        app = request.getfixturevalue("app")
        app.config["BABEL_DEFAULT_LOCALE"] = "en"
        yield
        app.config["BABEL_DEFAULT_LOCALE"] = "vi"
    else:
        yield
