"""Lists of learners to add to a cohort: email addresses pasted in a form, or a CSV file."""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass

CSV_MAX_BYTES = 256 * 1024


class LearnerListError(ValueError):
    """A list that cannot be read; `problems` lists the lines at fault."""

    def __init__(self, message: str, problems: list[str] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.problems = problems or []


@dataclass(frozen=True)
class Person:
    """One line of a list of learners to add: a name (may be empty) and an email."""

    name: str
    email: str


_NAMED = re.compile(r"^\s*(?P<name>[^<>]*?)\s*<(?P<email>[^<>]+)>\s*$")


def parse_email_list(text: str) -> list[Person]:
    """Emails separated by commas, semicolons, spaces or lines; `Name <email>` lines keep the name."""
    people: list[Person] = []
    for line in (text or "").splitlines():
        named = _NAMED.match(line)
        if named:
            people.append(Person(named["name"].strip().strip('"'), named["email"].strip()))
            continue
        people.extend(Person("", token) for token in re.split(r"[,;\s]+", line) if token)
    return people


def parse_learner_csv(data: bytes) -> list[Person]:
    """Rows of a CSV file with the columns `name` and `email` (a header row names them)."""
    if not data:
        raise LearnerListError("The file is empty.")
    if len(data) > CSV_MAX_BYTES:
        raise LearnerListError(f"The file is larger than {CSV_MAX_BYTES // 1024} KB.")
    if b"\x00" in data:
        raise LearnerListError("This is not a CSV text file. Save the spreadsheet as CSV (UTF-8).")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise LearnerListError(
            "The file is not UTF-8 text. Save the spreadsheet as 'CSV UTF-8' and try again."
        ) from None
    sample = text[:4096]
    try:
        dialect = csv.Sniffer().sniff(sample, delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    rows = list(csv.reader(io.StringIO(text), dialect))
    rows = [row for row in rows if any(cell.strip() for cell in row)]
    if not rows:
        raise LearnerListError("The file has no rows.")
    header = [cell.strip().casefold() for cell in rows[0]]
    if "email" not in header or "name" not in header:
        raise LearnerListError(
            "The first row must name the columns `name` and `email` "
            f"(found: {', '.join(h for h in header if h)[:200] or 'nothing'})."
        )
    name_at, email_at = header.index("name"), header.index("email")
    people, problems = [], []
    for number, row in enumerate(rows[1:], start=2):
        if len(row) <= max(name_at, email_at):
            problems.append(f"Row {number}: expected a name and an email.")
            continue
        people.append(Person(row[name_at].strip(), row[email_at].strip()))
    if problems:
        raise LearnerListError("Some rows of the file cannot be read.", problems[:20])
    if not people:
        raise LearnerListError("The file has a header row but no learners.")
    return people
