"""`begin_writing` lives in app/db.py now, with the rest of the write-intent rule.

This alias stays only while progress.py and summaries.py (rewritten on another branch) still
import it from here; delete the module once they import `app.db.begin_writing`.
"""

from app.db import begin_writing

__all__ = ["begin_writing"]
