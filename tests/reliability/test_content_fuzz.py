"""Property test of the content loader: any file, however broken, gives `path:line: message`."""

from __future__ import annotations

import io
import re
import shutil
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from ruamel.yaml import YAML

from app.content import Catalogue, ContentError, load_catalogue

SAMPLE = Path(__file__).resolve().parents[1] / "content" / "sample"
FILES = sorted(str(p.relative_to(SAMPLE)) for p in SAMPLE.rglob("*.yaml"))
PROBLEM = re.compile(r"^(modules|quizzes)/[^\s:]*:[1-9]\d*: \S.*$", re.DOTALL)
FUZZ = settings(
    max_examples=50,
    derandomize=True,  # the same examples on every run
    database=None,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)


def load_with(replacements: dict[str, bytes]) -> Catalogue | ContentError:
    """Load the sample course with some files replaced; the error is returned, not raised."""
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        shutil.copytree(SAMPLE, root, dirs_exist_ok=True)
        for name, data in replacements.items():
            (root / name).write_bytes(data)
        try:
            return load_catalogue(root)
        except ContentError as error:
            return error


def assert_reported_at_path_and_line(outcome: Catalogue | ContentError) -> None:
    if isinstance(outcome, Catalogue):
        return
    assert outcome.problems, "a ContentError must say what is wrong"
    for problem in outcome.problems:
        assert PROBLEM.match(str(problem)), str(problem)


@FUZZ
@given(name=st.sampled_from(FILES), data=st.binary(max_size=400))
def test_random_bytes(name, data):
    assert_reported_at_path_and_line(load_with({name: data}))


yaml_scalars = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats(allow_nan=True)
    | st.text(max_size=30)
    | st.sampled_from(["id", "basics", "basics-check", "single", "ordering", "a", "x", "", "~"])
)
yaml_documents = st.recursive(
    yaml_scalars,
    lambda children: (
        st.lists(children, max_size=4)
        | st.dictionaries(
            st.sampled_from(
                [
                    "id",
                    "title",
                    "kind",
                    "questions",
                    "options",
                    "lessons",
                    "quizzes",
                    "prompt",
                    "correct",
                    "position",
                    "pass_mark",
                    "body",
                    "profiles",
                    "text",
                    "correct_order",
                ]
            )
            | st.text(max_size=8),
            children,
            max_size=6,
        )
    ),
    max_leaves=25,
)


def dump(document: object) -> bytes:
    stream = io.StringIO()
    YAML().dump(document, stream)
    return stream.getvalue().encode()


@FUZZ
@given(name=st.sampled_from(FILES), document=yaml_documents)
def test_well_formed_yaml_of_the_wrong_shape(name, document):
    assert_reported_at_path_and_line(load_with({name: dump(document)}))


@st.composite
def mutated_files(draw) -> dict[str, bytes]:
    """A sample file with a few small edits: lines dropped, doubled, re-indented, garbled."""
    name = draw(st.sampled_from(FILES))
    lines = (SAMPLE / name).read_text().splitlines()
    for _ in range(draw(st.integers(min_value=1, max_value=4))):
        if not lines:
            break
        index = draw(st.integers(min_value=0, max_value=len(lines) - 1))
        edit = draw(st.sampled_from(["drop", "double", "indent", "dedent", "insert", "garble"]))
        if edit == "drop":
            del lines[index]
        elif edit == "double":
            lines.insert(index, lines[index])
        elif edit == "indent":
            lines[index] = "  " + lines[index]
        elif edit == "dedent":
            lines[index] = lines[index].lstrip()
        elif edit == "insert":
            lines.insert(index, draw(st.text(max_size=20)))
        else:
            line = lines[index]
            cut = draw(st.integers(min_value=0, max_value=len(line)))
            lines[index] = line[:cut] + draw(st.text(max_size=5)) + line[cut:]
    return {name: "\n".join(lines).encode("utf-8", "surrogatepass")}


@FUZZ
@given(files=mutated_files())
def test_small_edits_to_a_valid_course(files):
    assert_reported_at_path_and_line(load_with(files))


def test_the_unedited_sample_loads():
    assert isinstance(load_with({}), Catalogue)
