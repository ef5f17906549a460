"""Course content: YAML files → a validated, frozen catalogue. Imports nothing from Flask."""

from app.content.kinds import QUESTION_KINDS, QuestionKind, QuestionKindsIncomplete
from app.content.loader import Catalogue, ContentError, ContentProblem, load_catalogue
from app.content.profile_schema import Profile
from app.content.profiles import read_profiles
from app.content.rendering import render_grid_figure
from app.content.schema import Lesson, Module, Option, Question, Quiz

__all__ = [
    "QUESTION_KINDS",
    "QuestionKind",
    "QuestionKindsIncomplete",
    "Catalogue",
    "ContentError",
    "ContentProblem",
    "Lesson",
    "Module",
    "Option",
    "Profile",
    "Question",
    "Quiz",
    "load_catalogue",
    "read_profiles",
    "render_grid_figure",
]
