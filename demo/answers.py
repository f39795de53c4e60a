"""Right and wrong responses to a question version, for demo attempts and tests.

Shapes per ``docs/question-payload.md``.
"""
from fractions import Fraction


def _best(answers):
    return max(answers, key=lambda a: Fraction(a["fraction"]))


def right_response(qtype: str, payload: dict) -> dict | None:
    if qtype == "multichoice":
        answers = payload["answers"]
        if payload.get("single", True):
            return {"choice": _best(answers)["id"]}
        return {"choices": [a["id"] for a in answers if Fraction(a["fraction"]) > 0]}
    if qtype == "truefalse":
        return {"value": bool(payload["correct"])}
    if qtype == "shortanswer":
        return {"text": _best(payload["answers"])["text"].replace("*", "")}
    if qtype == "numerical":
        return {"text": _best([a for a in payload["answers"] if a["value"] != "*"])["value"]}
    if qtype == "essay":
        return {"text": "Bài làm minh họa."}
    if qtype == "matching":
        return {"pairs": {s["id"]: s["answer"] for s in payload["subquestions"] if s.get("text")}}
    return None


def wrong_response(qtype: str, payload: dict) -> dict | None:
    if qtype == "multichoice":
        worst = min(payload["answers"], key=lambda a: Fraction(a["fraction"]))
        return {"choice": worst["id"]} if payload.get("single", True) else {"choices": [worst["id"]]}
    if qtype == "truefalse":
        return {"value": not payload["correct"]}
    if qtype in ("shortanswer", "numerical"):
        return {"text": "-999999"}
    if qtype == "essay":
        return {"text": ""}
    if qtype == "matching":
        return {"pairs": {}}
    return None
