"""Practice quizzes: choose a bank, answer question by question, see the explanation."""
from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from accounts.forms import EmptyForm
from exam import bp, practice, services
from exam.forms import PracticeForm
from exam.models import PracticeQuiz
from extensions import db
from question_bank.models import QuestionBank, QuestionVersion


def get_own_quiz_or_404(quiz_id: int) -> PracticeQuiz:
    quiz = db.get_or_404(PracticeQuiz, quiz_id)
    if quiz.user_id != current_user.id:
        abort(404)
    return quiz


@bp.route("/practice", methods=["GET", "POST"])
@login_required
def practice_home():
    form = PracticeForm()
    banks = practice.banks_for(current_user)
    form.bank.choices = [(b.id, b.name) for b in banks]
    if form.validate_on_submit():
        try:
            quiz = practice.start_practice(current_user, db.get_or_404(QuestionBank, form.bank.data), form.count.data)
        except services.ExamError:
            db.session.rollback()
            flash(_("This bank has no question to practise yet."), "warning")
            return redirect(url_for("exam.practice_home"))
        db.session.commit()
        return redirect(url_for("exam.practice_question", quiz_id=quiz.id, position=1))
    return render_template("exam/practice_home.html", form=form, banks=banks)


@bp.route("/practice/<int:quiz_id>/<int:position>", methods=["GET", "POST"])
@login_required
def practice_question(quiz_id, position):
    quiz = get_own_quiz_or_404(quiz_id)
    if not 1 <= position <= len(quiz.items):
        abort(404)
    version = db.get_or_404(QuestionVersion, quiz.items[position - 1])
    form = EmptyForm()
    if form.validate_on_submit():
        practice.answer(quiz, position, practice.response_from_form(version, request.form, "q1"))
        db.session.commit()
        return redirect(url_for("exam.practice_question", quiz_id=quiz.id, position=position))
    entry = (quiz.answers or {}).get(str(position))
    points, total = practice.score(quiz)
    return render_template("exam/practice_question.html", quiz=quiz, position=position, version=version,
                           entry=entry, form=form, points=points, total=total)
