"""Benchmark 5: the bytes a browser downloads for a lesson page (HTML + CSS + JavaScript).

Usage: .venv/bin/python bench/page_weight.py

Logs a learner in (test client, throwaway SQLite database), fetches every lesson page of the
course, and adds the size of each stylesheet and script the page links to. Prints the typical
lesson (the one the HTTP benchmark uses), the heaviest lesson, and gzip sizes for reference.
Target: under 60 KB (61,440 bytes) uncompressed for a lesson page.
"""

from __future__ import annotations

import gzip
import os
import re
import statistics
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from _common import write_summary

TARGET_BYTES = 60 * 1024
TYPICAL = ("trust-formula", "the-trust-formula")
ASSET = re.compile(
    r'<link[^>]+rel="stylesheet"[^>]+href="([^"]+)"|<script[^>]+src="([^"]+)"', re.IGNORECASE
)


def main() -> None:
    os.environ.setdefault("RAPPORT_LOG_LEVEL", "WARNING")
    from app import create_app
    from app.extensions import db
    from app.services import accounts

    folder = Path(tempfile.mkdtemp(prefix="rapport-weight-"))
    app = create_app(
        {
            "RAPPORT_ENV": "testing",
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder / 'weight.db'}",
            "WTF_CSRF_ENABLED": False,
        }
    )
    with app.app_context():
        db.create_all()
        accounts.create_user("weight@example.com", "Page Weight", "a long enough password 1")
        db.session.commit()
    client = app.test_client()
    client.post(
        "/auth/login", data={"email": "weight@example.com", "password": "a long enough password 1"}
    )
    catalogue = app.extensions["rapport_catalogue"]
    pages = []
    for module in catalogue.modules:
        for lesson in module.lessons:
            response = client.get(f"/modules/{module.id}/lessons/{lesson.id}")
            assert response.status_code == 200, response.status_code
            html = response.data
            assets = {}
            for css, js in ASSET.findall(html.decode()):
                url = css or js
                asset = client.get(url)
                assert asset.status_code == 200, url
                assets[url] = asset.data
            css_bytes = sum(len(b) for u, b in assets.items() if u.endswith(".css"))
            js_bytes = sum(len(b) for u, b in assets.items() if u.endswith(".js"))
            total = len(html) + css_bytes + js_bytes
            gzipped = len(gzip.compress(html)) + sum(len(gzip.compress(b)) for b in assets.values())
            pages.append(
                {
                    "page": f"{module.id}/{lesson.id}",
                    "html": len(html),
                    "css": css_bytes,
                    "js": js_bytes,
                    "total": total,
                    "total_gzip": gzipped,
                    "assets": sorted(assets),
                }
            )
    with app.app_context():
        db.engine.dispose()
    typical = next(p for p in pages if p["page"] == "/".join(TYPICAL))
    heaviest = max(pages, key=lambda p: p["total"])
    figures = {
        "lessons": len(pages),
        "typical": typical,
        "heaviest": heaviest,
        "median_total": statistics.median(p["total"] for p in pages),
        "target_bytes": TARGET_BYTES,
        "target_met": heaviest["total"] < TARGET_BYTES,
    }
    for label, page in (("typical", typical), ("heaviest", heaviest)):
        print(
            f"{label:<8} {page['page']:<45} HTML {page['html']:>6} + CSS {page['css']:>6} + JS "
            f"{page['js']:>5} = {page['total']:>6} bytes ({page['total'] / 1024:.1f} KB; "
            f"gzip {page['total_gzip'] / 1024:.1f} KB)"
        )
    print(f"median lesson page {figures['median_total'] / 1024:.1f} KB over {len(pages)} lessons")
    print(f"  {'PASS' if figures['target_met'] else 'MISS'}  every lesson page < 60 KB")
    write_summary("page_weight", figures)


if __name__ == "__main__":
    main()
