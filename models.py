"""Imports every feature's models so that metadata (and Alembic) sees all tables."""
from accounts.models import Agency, AuditLog, DisciplineRecord, RatingHistory, RoleAssignment, User  # noqa: F401
from accounts.models import LoginEvent, RecoveryCode, UserSession  # noqa: F401
from classification.models import GeneralAssessment, RatingSettings, YearlyClassification  # noqa: F401
from exam.models import Attempt, AttemptSlot, BlueprintRule, Exam, ExamAudience  # noqa: F401
from exam.models import (Accommodation, AttemptEvent, LateSave, Mark, Paper, PracticeQuiz,  # noqa: F401
                         RegradeJob)
from performance.models import Commitment, EvidenceFile, ProductReport, Task, Verification  # noqa: F401
from question_bank.models import Category, Question, QuestionBank, QuestionFile, QuestionVersion  # noqa: F401
from classification.models import Achievement, QuotaException, RatingWorkflow  # noqa: F401
from performance.models import CatalogueItem, CommitmentChange  # noqa: F401
from accounts.reset import PasswordReset  # noqa: F401  (also registers its views on accounts.bp)
from jobs.models import Job  # noqa: F401,E402
