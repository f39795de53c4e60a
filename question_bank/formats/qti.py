"""IMS QTI 2.1 items (https://www.imsglobal.org/question/qtiv2p1/imsqti_infov2p1.html).

An ``assessmentItem`` becomes one question from its interactions:
``choiceInteraction`` → multichoice (single or multiple response, scored by ``mapping`` when
there is one, else all-or-nothing on ``correctResponse``), ``orderInteraction`` → ordering,
``matchInteraction`` (directedPair) → matching, ``extendedTextInteraction`` → essay, one
``textEntryInteraction`` → shortanswer (string) or numerical (float/integer, tolerance from an
``equal`` in the response processing), several text entries or ``inlineChoiceInteraction`` →
cloze.  Other interactions (hotspot, hottext, graphic, slider, upload …) are refused by name.
Images are looked up in the package and embedded; missing ones are reported.  Packages (ZIP
with ``imsmanifest.xml``, or loose item and test files) are read by :mod:`.qti_package`.
"""
from __future__ import annotations

import html as html_lib
import posixpath
import re
from decimal import Decimal, InvalidOperation
from fractions import Fraction

from flask_babel import lazy_gettext as _l

from .grades import fraction_str, key_fractions, mark_str
from .model import Issues, ParsedQuestion
from .questions import finish
from .text import clean_name, default_name, html_to_plain, sanitise
from .xmlsafe import XmlError, child, children, line_of, local, parse_xml

BLOCK = {"choiceInteraction", "orderInteraction", "matchInteraction", "extendedTextInteraction"}
INLINE = {"textEntryInteraction", "inlineChoiceInteraction"}
_SKIP = {"feedbackInline", "feedbackBlock", "templateInline", "templateBlock", "printedVariable",
         "rubricBlock", "stylesheet"}
_URL_ATTRIBUTES = {"src", "href", "data"}


class ItemError(Exception):
    """Stops one item: (line, lazy message)."""


def parse_qti(data: bytes, issues: Issues) -> list:
    from .qti_package import parse_package

    if data[:4] == b"PK\x03\x04":
        return parse_package(data, issues)
    try:
        root = parse_xml(data)
    except XmlError as exc:
        issues.error(exc.line, exc.message)
        return []
    kind = local(root.tag)
    if kind != "assessmentItem":
        issues.error(line_of(root), _l(
            "<%(root)s> refers to other files; upload the whole package as a .zip (QTI 1.2 "
            "questestinterop is not supported).", root=kind))
        return []
    question = read_item(root, issues, lambda path: None)
    return [question] if question is not None else []


def read_item(root, issues: Issues, load, base: str = "", category=()) -> ParsedQuestion | None:
    """One ``assessmentItem`` → a question (None when refused).  ``load(path)`` returns the
    bytes of a package file or None; ``base`` is the item's folder inside the package."""
    item = _Item(root, load, base)
    name = clean_name(root.get("title") or root.get("identifier") or "")
    try:
        question = item.question()
    except ItemError as exc:
        issues.error(exc.args[0] or line_of(root), exc.args[1], name)
        return None
    question.name, question.category = name or default_name(question.text), tuple(category)
    question.idnumber, question.source = root.get("identifier") or None, issues.source
    for warning in dict.fromkeys(item.warnings):
        issues.warn(line_of(root), warning, question.name)
    return finish(question, issues)


class _Item:
    """The pieces of one item the converters need."""

    def __init__(self, root, load, base: str):
        self.root, self.load, self.base = root, load, base
        self.files: dict[str, bytes] = {}
        self.warnings: list = []
        self.responses = {r.get("identifier"): _declaration(r)
                          for r in children(root, "responseDeclaration")}
        self.body = child(root, "itemBody")
        if self.body is None:
            raise ItemError(line_of(root), _l("The item has no itemBody."))
        self.interactions = [e for e in self.body.iter() if local(e.tag).endswith("Interaction")]

    def question(self) -> ParsedQuestion:
        kinds = {local(e.tag) for e in self.interactions}
        unsupported = sorted(kinds - BLOCK - INLINE)
        if unsupported or not kinds:
            raise ItemError(line_of(self.interactions[0]) if self.interactions else None, _l(
                "The interaction %(kinds)s is not supported (supported: choice, order, match, text "
                "entry, inline choice, extended text); the item was skipped.",
                kinds=", ".join(unsupported) or "(none)"))
        blocks = [e for e in self.interactions if local(e.tag) in BLOCK]
        if blocks and (len(blocks) > 1 or len(self.interactions) > 1):
            raise ItemError(line_of(blocks[-1]), _l("Items with more than one interaction of this "
                                                    "kind are not supported; the item was skipped."))
        from . import qti_interactions as convert

        question = convert.block(self, blocks[0]) if blocks else convert.inline(self)
        question.files = self.files
        question.default_mark = self.max_score(question)
        question.general_feedback = self.general_feedback(question)
        return question

    def max_score(self, question) -> str:
        for outcome in children(self.root, "outcomeDeclaration"):
            if outcome.get("identifier") == "MAXSCORE":
                value = child(child(outcome, "defaultValue"), "value")
                if value is not None and value.text:
                    return mark_str(value.text)
            if outcome.get("identifier") == "SCORE" and outcome.get("normalMaximum"):
                return mark_str(outcome.get("normalMaximum"))
        parts = question.payload.get("parts")
        return str(len(parts)) if parts else "1"

    def general_feedback(self, question) -> str:
        used = getattr(self, "used_feedback", set())
        texts = []
        for feedback in children(self.root, "modalFeedback"):
            if id(feedback) in used:
                continue
            title = feedback.get("title")
            text = ("<p><strong>" + html_lib.escape(title) + "</strong></p>" if title else "") + \
                self.inner_html(feedback)
            if html_to_plain(text) and f"<div>{text}</div>" not in texts:
                texts.append(f"<div>{text}</div>")
        return sanitise("".join(texts))

    # --- HTML ---------------------------------------------------------------------------

    def inner_html(self, element, replace=None) -> str:
        """HTML of an element's content; ``replace(el)`` may return HTML for an interaction."""
        out = [html_lib.escape(element.text or "", quote=False)]
        for sub in element:
            out.append(self.outer_html(sub, replace))
            out.append(html_lib.escape(sub.tail or "", quote=False))
        return "".join(out)

    def outer_html(self, element, replace=None) -> str:
        tag = local(element.tag)
        if replace is not None and tag.endswith("Interaction"):
            return replace(element)
        if tag in _SKIP or tag in ("prompt", "simpleChoice", "simpleMatchSet"):
            return ""
        attributes = "".join(f' {local(k)}="{html_lib.escape(self.url(v) if local(k) in _URL_ATTRIBUTES else v)}"'
                             for k, v in element.attrib.items() if local(k) != "identifier")
        if tag in ("img", "br", "hr"):
            return f"<{tag}{attributes}>"
        return f"<{tag}{attributes}>{self.inner_html(element, replace)}</{tag}>"

    def url(self, value: str) -> str:
        """A package-relative image path → ``@@PLUGINFILE@@/path``, embedding the file."""
        if not value or ":" in value or value.startswith(("#", "/", "@@")):
            return value
        path = posixpath.normpath(posixpath.join(self.base, value))
        data = self.load(path)
        if data is not None:
            self.files[path] = data
        return "@@PLUGINFILE@@/" + path

    def stem(self, interaction=None, replace=None) -> str:
        """The item body as HTML, the block interaction replaced by its prompt."""
        def swap(element):
            if element is interaction:
                prompt = child(element, "prompt")
                return self.inner_html(prompt) if prompt is not None else ""
            return replace(element) if replace else ""
        return sanitise(_tidy(self.inner_html(self.body, swap)))

    def warn(self, message) -> None:
        self.warnings.append(message)


def _tidy(html: str) -> str:
    """Drop the source's indentation (tabs and spaces after line breaks)."""
    return re.sub(r"\n[ \t]+", "\n", html)


def _declaration(element) -> dict:
    mapping = child(element, "mapping")
    entries = [(e.get("mapKey", ""), e.get("mappedValue", "0"), e.get("caseSensitive", "true"))
               for e in children(mapping, "mapEntry")] if mapping is not None else []
    return {"cardinality": element.get("cardinality", "single"),
            "base": element.get("baseType", "identifier"),
            "correct": [(v.text or "").strip() for v in children(child(element, "correctResponse"), "value")]
            if child(element, "correctResponse") is not None else [],
            "mapping": entries,
            "default": (mapping.get("defaultValue", "0") if mapping is not None else "0")}


def number(text: str) -> Decimal | None:
    try:
        value = Decimal(str(text).strip())
    except (InvalidOperation, ValueError):
        return None
    return value if value.is_finite() else None


def mapped_fractions(ids, declaration) -> list[str] | None:
    """Choice fractions from a ``mapping``: each value over the sum of the positive ones."""
    values = {key: number(value) for key, value, _ in declaration["mapping"]}
    default = number(declaration["default"]) or Decimal(0)
    scores = [values.get(i, default) or Decimal(0) for i in ids]
    total = sum(s for s in scores if s > 0)
    if not declaration["mapping"] or total <= 0:
        return None
    return [fraction_str(max(Fraction(s) / Fraction(total), Fraction(-1))) for s in scores]


def correct_fractions(ids, declaration) -> list[str]:
    correct = {i for i, v in enumerate(ids) if v in declaration["correct"]}
    return key_fractions(len(ids), correct)

