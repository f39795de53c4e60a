"""The blueprint rule's difficulty is a choice among labels.DIFFICULTIES or "any"."""
from flask_babel import force_locale
from werkzeug.datastructures import MultiDict

from exam.forms import RuleForm


def _rule(**data):
    form = RuleForm(MultiDict({"category": "1", "count": "2", "mark": "1", **data}))
    form.category.choices = [(1, "Chung")]
    return form


def test_a_rule_takes_a_known_difficulty_or_any(app):
    with app.test_request_context():
        hard = _rule(difficulty="hard")
        assert hard.validate() and hard.difficulty.data == "hard"
        anything = _rule(difficulty="")
        assert anything.validate() and anything.difficulty.data == ""       # stored as None: any difficulty
        unset = _rule()
        assert unset.validate() and unset.difficulty.data == ""
        typed = _rule(difficulty="Khó")                                     # free text is no longer accepted
        assert not typed.validate() and typed.errors == {"difficulty": ["Not a valid choice."]}


def test_the_rule_difficulty_is_a_drop_down(app):
    with app.test_request_context(), force_locale("en"):
        html = str(_rule(difficulty="medium").difficulty(class_="input", size=8))
    assert html.startswith('<select class="input" id="difficulty" name="difficulty">') and "size" not in html
    assert [part.split('"')[1] for part in html.split("<option")[1:]] == ["", "easy", "medium", "hard"]
    assert '<option selected value="medium">Medium</option>' in html and '<option value="">any</option>' in html
