"""The registry of question kinds: each kind owns its whole life, from definition to statistics.

Adding a kind means one new class (subclassing QuestionKind) registered below, plus its partial
templates; see docs/question-kinds.md. Nothing else in the app should name a kind.
"""

from app.content.kinds.base import AnswerField, FormAnswerRefused, QuestionKind
from app.content.kinds.choice import MultipleChoice, ProfileChoice, SingleChoice
from app.content.kinds.ordering import Ordering
from app.content.kinds.registry import (
    QUESTION_KINDS,
    QuestionKindsIncomplete,
    kind_problems,
    kind_template_roots,
    register_kind,
    unregister_kind,
)

for _kind in (SingleChoice, MultipleChoice, Ordering, ProfileChoice):
    register_kind(_kind)

__all__ = [
    "QUESTION_KINDS",
    "AnswerField",
    "FormAnswerRefused",
    "QuestionKind",
    "QuestionKindsIncomplete",
    "kind_problems",
    "kind_template_roots",
    "register_kind",
    "unregister_kind",
]
