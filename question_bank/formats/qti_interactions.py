"""QTI 2.1 interactions → payloads (see :mod:`.qti` for the mapping and its source)."""
from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

from flask_babel import lazy_gettext as _l

from .grades import decimal_str, fraction_str
from .model import ParsedQuestion
from .questions import multichoice_payload
from .qti import ItemError, correct_fractions, mapped_fractions, number
from .text import html_to_plain, sanitise
from .xmlsafe import child, children, line_of, local


def block(item, interaction) -> ParsedQuestion:
    kind = local(interaction.tag)
    payload = {"choiceInteraction": _choice, "orderInteraction": _order,
               "matchInteraction": _match, "extendedTextInteraction": _essay}[kind](item, interaction)
    qtype = {"choiceInteraction": "multichoice", "orderInteraction": "ordering",
             "matchInteraction": "matching", "extendedTextInteraction": "essay"}[kind]
    question = ParsedQuestion(qtype, "", item.stem(interaction), payload=payload, line=line_of(item.root))
    if qtype == "essay":
        question.penalty = "0"
    return question


def _declaration(item, interaction) -> dict:
    declaration = item.responses.get(interaction.get("responseIdentifier"))
    if declaration is None:
        raise ItemError(line_of(interaction), _l("The interaction's responseIdentifier “%(id)s” has no "
                                                 "responseDeclaration.",
                                                 id=interaction.get("responseIdentifier")))
    return declaration


def _choice(item, interaction) -> dict:
    declaration = _declaration(item, interaction)
    choices = children(interaction, "simpleChoice")
    ids = [c.get("identifier") for c in choices]
    single = declaration["cardinality"] == "single"
    fractions = (None if single else mapped_fractions(ids, declaration)) or correct_fractions(ids, declaration)
    feedback = _choice_feedback(item, ids)
    max_choices = int(interaction.get("maxChoices", "0") or 0)
    if not single and max_choices > 1:
        item.warn(_l("The limit of %(n)s selected choices is not kept.", n=max_choices))
    _warn_bonus(item)
    return multichoice_payload(
        [(sanitise(item.inner_html(c)), f, feedback.get(i, "")) for c, i, f in zip(choices, ids, fractions)],
        single=single, shuffle=interaction.get("shuffle", "false") == "true", numbering="none")


def _choice_feedback(item, ids) -> dict:
    """modalFeedback shown when a choice is selected (outcome = the response, showHide=show)."""
    found, used = {}, set()
    for feedback in children(item.root, "modalFeedback"):
        if feedback.get("identifier") in ids and feedback.get("outcomeIdentifier") == "FEEDBACK":
            if feedback.get("showHide", "show") == "show":
                found[feedback.get("identifier")] = sanitise(item.inner_html(feedback))
            used.add(id(feedback))
    item.used_feedback = used
    return found


def _warn_bonus(item) -> None:
    processing = child(item.root, "responseProcessing")
    if processing is None or processing.get("template"):
        return
    tags = {local(e.tag) for e in processing.iter()}
    constant_score = any(local(e.tag) == "setOutcomeValue" and e.get("identifier") == "SCORE"
                         and any(local(c.tag) == "baseValue" for c in e) for e in processing.iter())
    if "mapResponse" in tags and constant_score:
        item.warn(_l("The item's own response processing (such as a bonus for an exact answer) is "
                     "not imported; choices are scored from the mapping."))


def _order(item, interaction) -> dict:
    declaration = _declaration(item, interaction)
    choices = {c.get("identifier"): c for c in children(interaction, "simpleChoice")}
    order = declaration["correct"] or list(choices)
    if set(order) != set(choices):
        raise ItemError(line_of(interaction), _l("The correct order does not list every item."))
    return {"items": [{"id": str(n), "text": sanitise(item.inner_html(choices[i]))}
                      for n, i in enumerate(order, start=1)]}


def _match(item, interaction) -> dict:
    declaration = _declaration(item, interaction)
    sets = children(interaction, "simpleMatchSet")
    if len(sets) != 2:
        raise ItemError(line_of(interaction), _l("A match interaction needs two simpleMatchSets."))
    sources, targets = ({c.get("identifier"): c for c in children(s, "simpleAssociableChoice")} for s in sets)
    pairs = [tuple(v.split()) for v in declaration["correct"] if len(v.split()) == 2]
    subquestions, used = [], set()
    for source_id, source in sources.items():
        matched = [t for s, t in pairs if s == source_id]
        if len(matched) != 1 or matched[0] not in targets:
            raise ItemError(line_of(source), _l("Item “%(id)s” must match exactly one answer.", id=source_id))
        used.add(matched[0])
        subquestions.append({"id": str(len(subquestions) + 1), "text": sanitise(item.inner_html(source)),
                             "answer": _target_text(targets[matched[0]], item)})
    for target_id, target in targets.items():
        if target_id not in used:
            subquestions.append({"id": str(len(subquestions) + 1), "text": "",
                                 "answer": _target_text(target, item)})
    return {"shuffle_answers": interaction.get("shuffle", "false") == "true", "subquestions": subquestions}


def _target_text(target, item) -> str:
    text = html_to_plain(item.inner_html(target))
    if not text:
        raise ItemError(line_of(target), _l("Matching answers must be text; “%(id)s” is not.",
                                            id=target.get("identifier")))
    return text


def _essay(item, interaction) -> dict:
    return {"response_format": "plain" if interaction.get("format") == "plain" else "editor",
            "grader_info": "", "response_template": ""}


# --- inline interactions: short answer, numerical, cloze -------------------------------------

def inline(item) -> ParsedQuestion:
    entries = item.interactions
    if len(entries) == 1 and local(entries[0].tag) == "textEntryInteraction":
        qtype, payload = _entry(item, entries[0])
        text = item.stem(replace=lambda element: "_____")
        return ParsedQuestion(qtype, "", text, payload=payload, line=line_of(item.root))
    parts, numbers = [], {}
    for element in entries:
        part = {"id": str(len(parts) + 1), "mark": "1"}
        if local(element.tag) == "textEntryInteraction":
            part["qtype"], part["payload"] = _entry(item, element)
        else:
            part.update(qtype="multichoice", payload=_inline_choice(item, element), display="dropdown")
        parts.append(part)
        numbers[id(element)] = len(parts)
    text = item.stem(replace=lambda element: "{#%d}" % numbers.get(id(element), 0))
    return ParsedQuestion("cloze", "", text, payload={"parts": parts}, line=line_of(item.root))


def _entry(item, element) -> tuple[str, dict]:
    declaration = _declaration(item, element)
    if declaration["base"] in ("float", "integer"):
        return "numerical", {"answers": _numeric_answers(item, element, declaration)}
    answers = [(v, Fraction(1)) for v in declaration["correct"]]
    values = [number(v) or Decimal(0) for _, v, _ in declaration["mapping"]]
    top = max(values, default=Decimal(0))
    for (key, _, _), value in zip(declaration["mapping"], values):
        if key not in dict(answers) and value > 0 and top > 0:
            answers.append((key, Fraction(value) / Fraction(top)))
    sensitive = any(flag == "true" for _, _, flag in declaration["mapping"]) if declaration["mapping"] else False
    return "shortanswer", {"case_sensitive": sensitive, "answers": [
        {"text": text, "fraction": fraction_str(f), "feedback": ""} for text, f in answers]}


def _numeric_answers(item, element, declaration) -> list:
    answers = []
    for value in declaration["correct"] or [k for k, _, _ in declaration["mapping"]]:
        parsed = number(value)
        if parsed is None:
            raise ItemError(line_of(element), _l("“%(value)s” is not a number.", value=value[:30]))
        answers.append({"value": decimal_str(parsed),
                        "tolerance": decimal_str(_tolerance(item, element.get("responseIdentifier"), parsed)),
                        "fraction": "1", "feedback": ""})
    return answers


def _tolerance(item, response_id, value: Decimal) -> Decimal:
    """From ``<equal toleranceMode="absolute|relative" tolerance="t">`` on this response."""
    processing = child(item.root, "responseProcessing")
    for equal in (processing.iter() if processing is not None else []):
        if local(equal.tag) != "equal" or equal.get("toleranceMode", "exact") == "exact":
            continue
        if not any(e.get("identifier") == response_id for e in equal):
            continue
        tolerance = number((equal.get("tolerance") or "0").split()[0]) or Decimal(0)
        return abs(value * tolerance / 100) if equal.get("toleranceMode") == "relative" else abs(tolerance)
    return Decimal(0)


def _inline_choice(item, element) -> dict:
    declaration = _declaration(item, element)
    choices = [c for c in children(element, "inlineChoice")]
    kept = [c for c in choices if html_to_plain(item.inner_html(c))]
    if len(kept) < len(choices):
        item.warn(_l("Empty inline choices were left out."))
    ids = [c.get("identifier") for c in kept]
    return multichoice_payload([(sanitise(item.inner_html(c)), f, "") for c, f in
                                zip(kept, correct_fractions(ids, declaration))],
                               single=True, shuffle=element.get("shuffle", "false") == "true",
                               numbering="none")
