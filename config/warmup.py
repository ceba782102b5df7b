"""What a web worker would otherwise do on its first requests, done once in gunicorn's master
before it forks (config/gunicorn.py): import every view (the URLconf is read lazily, and the views
bring in pandas, Plotly and the engine) and compile the project's templates into the cached
loader. Each worker then starts with them, shared copy-on-write, instead of paying for them on the
first request of each page (the tail of a load test right after a deploy or a worker's recycle).
Nothing here opens a database connection: one opened before the fork would be shared by workers."""
from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.template import engines
from django.urls import get_resolver


def project_templates() -> list[str]:
    """The names of the project's own templates (its template directory and its apps'), not the
    installed packages' (admin, DRF), which load as they are used."""
    base = Path(settings.BASE_DIR).resolve()
    roots = [Path(root).resolve() for root in engines["django"].template_dirs]
    own = [root for root in roots if root.is_relative_to(base) and ".venv" not in str(root.relative_to(base))]
    return sorted({path.relative_to(root).as_posix() for root in own for path in root.rglob("*.html")})


def warm_up() -> int:
    """Import the views and compile the project's templates; returns how many were compiled."""
    get_resolver().url_patterns  # noqa: B018 - reading it imports every view module
    engine = engines["django"]
    names = project_templates()
    for name in names:
        engine.get_template(name)
    return len(names)
