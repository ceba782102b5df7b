"""The load test's users: leaders reading dashboards and API clients reading lists, at national
scale. Run by benchmarks/load_test.py, which starts the server and hands every user a signed-in
session cookie (LOAD_TEST_SESSION) and the ids to visit (LOAD_TEST_TARGETS, LOAD_TEST_PLAN)."""
import os
import random

from locust import HttpUser, between, task

TARGETS = [int(pk) for pk in os.environ.get("LOAD_TEST_TARGETS", "").split(",") if pk]
PLAN = os.environ.get("LOAD_TEST_PLAN", "bench-plan")
SORTS = ["status", "-behind", "progress_pct", "gap", "target_year"]


class Reader(HttpUser):
    # A person reading: a page, a look, the next page.
    wait_time = between(1, 3)

    def on_start(self):
        self.client.cookies.set("sessionid", os.environ["LOAD_TEST_SESSION"])
        # API clients harvest the big lists page after page by their cursors, each user reading on
        # from where it stopped (by cursor, a page deep in the list costs what the first one does).
        self.next_page = {}

    def _harvest(self, first: str, name: str):
        url = self.next_page.get(name) or first
        body = self.client.get(url, name=name).json()
        self.next_page[name] = body.get("next")

    @task(3)
    def overview(self):
        self.client.get("/dashboards/", name="overview")

    @task(3)
    def large_plan_page(self):
        page = random.randint(1, 3000)
        self.client.get(f"/dashboards/plans/{PLAN}/?sort={random.choice(SORTS)}&page={page}", name="plan page")

    @task(3)
    def target_page(self):
        self.client.get(f"/dashboards/targets/{random.choice(TARGETS)}/", name="target page")

    @task(1)
    def api_targets(self):
        self._harvest(f"/api/targets/?plan={PLAN}", "/api/targets/")

    @task(1)
    def api_actuals(self):
        self._harvest("/api/actuals/", "/api/actuals/")

    @task(1)
    def api_progress(self):
        self._harvest(f"/api/progress/?plan={PLAN}", "/api/progress/")
