"""PDF from HTML with WeasyPrint (A4, Liberation Serif: Times New Roman's metrics, DECISIONS 27).

WeasyPrint needs Pango from the system (``.ci/run`` installs it); where it cannot be
imported, :func:`available` is False and the routes answer 503 with a plain reason
instead of failing.
"""
from functools import lru_cache


@lru_cache(maxsize=1)
def _weasyprint():
    try:
        import weasyprint
    except (ImportError, OSError) as exc:  # OSError: the Pango/GObject libraries are missing
        return exc
    return weasyprint


def available() -> bool:
    return not isinstance(_weasyprint(), Exception)


def unavailable_reason() -> str:
    module = _weasyprint()
    return "" if not isinstance(module, Exception) else f"{type(module).__name__}: {module}"


def html_to_pdf(html: str, base_url: str | None = None, *, uncompressed: bool = False) -> bytes:
    """The PDF of ``html``; ``uncompressed`` keeps the streams readable (for tests)."""
    weasyprint = _weasyprint()
    if isinstance(weasyprint, Exception):
        raise RuntimeError(f"WeasyPrint cannot be used: {weasyprint}")
    return weasyprint.HTML(string=html, base_url=base_url).write_pdf(uncompressed_pdf=uncompressed)
