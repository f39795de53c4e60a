"""Parsing XML safely, with line numbers.

defusedxml's parser refuses entity declarations, external entities and external DTDs (so no
"billion laughs" and no file or network reads); each element gets ``sourceline``, the line
where its start tag ends, so errors can name a line.  Elements nested deeper than
:data:`MAX_DEPTH` are refused as soon as the parser meets one (a 50 MB file of nothing but
nesting would otherwise build a tree of several hundred MB that no reader walks).
"""
from __future__ import annotations

from xml.etree.ElementTree import Element, ParseError

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import DefusedXMLParser
from flask_babel import lazy_gettext as _l


class XmlError(Exception):
    """The document is not well-formed or not allowed; ``line`` and ``message`` say where/why."""

    def __init__(self, line, message):
        super().__init__(str(message))
        self.line, self.message = line, message


# Moodle XML needs about 6 levels and QTI with XHTML content a few dozen; 200 is far beyond
# any question file and small enough that the tree stays cheap.
MAX_DEPTH = 200


class _LineParser(DefusedXMLParser):
    depth = 0

    def _start(self, *args):
        self.depth += 1
        if self.depth > MAX_DEPTH:
            line = self.parser.CurrentLineNumber
            raise XmlError(line, _l("The XML is nested more than %(max)d elements deep (line %(line)d); no "
                                    "question file needs that, so the file was refused.", max=MAX_DEPTH, line=line))
        element = super()._start(*args)
        element.sourceline = self.parser.CurrentLineNumber
        return element

    def _end(self, *args):
        self.depth -= 1
        return super()._end(*args)


def parse_xml(data: bytes) -> Element:
    """The root element of ``data``; raises :class:`XmlError` with a line and a reason."""
    parser = _LineParser(forbid_dtd=False, forbid_entities=True, forbid_external=True)
    try:
        parser.feed(data)
        return parser.close()
    except ParseError as exc:
        line = exc.position[0] if getattr(exc, "position", None) else None
        raise XmlError(line, _l("The XML is not well-formed: %(error)s.", error=exc)) from None
    except DefusedXmlException as exc:
        raise XmlError(None, _l("The XML declares entities or external references, which are not "
                                "allowed (%(kind)s).", kind=type(exc).__name__)) from None
    except (ValueError, LookupError, UnicodeError) as exc:
        raise XmlError(None, _l("The XML cannot be read (%(error)s).", error=exc)) from None


def local(tag) -> str:
    """A tag without its namespace: '{http://…/imsqti_v2p1}choiceInteraction' → 'choiceInteraction'."""
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def line_of(element) -> int | None:
    return getattr(element, "sourceline", None)


def children(element, name: str) -> list:
    return [c for c in element if local(c.tag) == name]


def child(element, name: str):
    if element is None:
        return None
    for c in element:
        if local(c.tag) == name:
            return c
    return None


def text_of(element, *path: str, default: str = "") -> str:
    """Text of the element reached by ``path`` below ``element`` (Moodle's getpath)."""
    for name in path:
        element = child(element, name)
    if element is None or element.text is None:
        return default
    return element.text
