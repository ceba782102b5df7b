"""The load test's users: leaders reading dashboards and API clients reading lists, at national
scale. Run by benchmarks/load_test.py, which starts the server and hands every user a signed-in
session cookie (LOAD_TEST_SESSION) and the ids to visit (LOAD_TEST_TARGETS, LOAD_TEST_PLAN)."""
import os
import random

from locust import FastHttpUser, between, task

TARGETS = [int(pk) for pk in os.environ.get("LOAD_TEST_TARGETS", "").split(",") if pk]
PLAN = os.environ.get("LOAD_TEST_PLAN", "bench-plan")
SORTS = ["status", "-behind", "progress_pct", "gap", "target_year"]


class Reader(FastHttpUser):
    # A person reading: a page, a look, the next page. geventhttpclient rather than requests: the
    # users share the server's two cores, and requests' client costs several times the CPU a
    # request (locust's own advice for a load generator short of CPU).
    wait_time = between(1, 3)
    default_headers = {"Cookie": f"sessionid={os.environ.get('LOAD_TEST_SESSION', '')}"}

    def on_start(self):
        # API clients harvest the big lists page after page by their cursors, each user reading on
        # from where it stopped (by cursor, a page deep in the list costs what the first one does).
        self.next_page = {}

    def _read(self, url: str, name: str):
        """A page as the signed-in reader sees it: anything but a 200 (a redirect to the sign-in
        page, which would be fast) counts as a failure."""
        with self.client.get(url, name=name, allow_redirects=False, catch_response=True) as response:
            if response.status_code != 200:
                response.failure(f"status {response.status_code}")
            return response

    def _harvest(self, first: str, name: str):
        url = self.next_page.get(name) or first
        response = self._read(url, name)
        self.next_page[name] = response.json().get("next") if response.status_code == 200 else None

    @task(3)
    def overview(self):
        self._read("/dashboards/", "overview")

    @task(3)
    def large_plan_page(self):
        page = random.randint(1, 3000)
        self._read(f"/dashboards/plans/{PLAN}/?sort={random.choice(SORTS)}&page={page}", "plan page")

    @task(3)
    def target_page(self):
        self._read(f"/dashboards/targets/{random.choice(TARGETS)}/", "target page")

    @task(1)
    def api_targets(self):
        self._harvest(f"/api/targets/?plan={PLAN}", "/api/targets/")

    @task(1)
    def api_actuals(self):
        self._harvest("/api/actuals/", "/api/actuals/")

    @task(1)
    def api_progress(self):
        self._harvest(f"/api/progress/?plan={PLAN}", "/api/progress/")
