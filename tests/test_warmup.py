"""Workers start warm: the master imports the views and compiles the templates before it forks."""
import os
import re
import socket
import subprocess
import sys
import time
from pathlib import Path

from django.template import engines

from config.warmup import project_templates, warm_up

ROOT = Path(__file__).resolve().parent.parent


def _cached_names() -> set[str]:
    loader = engines["django"].engine.template_loaders[0]  # the cached loader (DEBUG off)
    return {template.origin.template_name for template in loader.get_template_cache.values()
            if hasattr(template, "origin")}


def test_warm_up_compiles_every_project_template_and_none_of_the_packages(settings):
    names = project_templates()
    assert {"base.html", "reporting/dashboards/plan.html", "trackers/my_work.html"} <= set(names)
    assert "rest_framework/api.html" not in names and "admin/change_list.html" not in names  # the packages'
    engines["django"].engine.template_loaders[0].reset()
    assert warm_up() == len(names)
    assert set(names) <= _cached_names()


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_gunicorn_master_warms_up_before_it_forks(tmp_path):
    env = {**os.environ, "DEBUG": "0", "SECRET_KEY": "warm-up-test-" + "k" * 40, "GUNICORN_WORKERS": "1",
           "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}", "ALLOWED_HOSTS": "127.0.0.1"}
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "-c", "config/gunicorn.py", "config.wsgi",
         "--bind", f"127.0.0.1:{_free_port()}", "--log-level", "info", "--access-logfile", "/dev/null"],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )
    lines = []
    try:
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            line = server.stdout.readline()
            lines.append(line)
            if "Booting worker" in line or not line:
                break
    finally:
        server.terminate()
        server.wait(timeout=30)
    log = "".join(lines)
    warmed = re.search(r"warmed up: (\d+) templates compiled", log)
    assert warmed, log[-3000:]
    assert int(warmed.group(1)) == len(project_templates())
    assert log.index("warmed up") < log.index("Booting worker")  # in the master, before the fork
