"""Issue #15: error pages in the site's style and the request's language (also in demo mode, where
DEBUG is off), a favicon, the language menu naming each language in itself, and the data's names
in English where the data has them, marked where it does not; departments with their region."""
from pathlib import Path

import pytest
from django.contrib.staticfiles import finders
from django.test import Client
from django.urls import path

from tests.factories import UserFactory
from trackers import names, roles
from trackers.models import Department, Region, Target

pytestmark = pytest.mark.django_db
BIN_DEMO = Path(__file__).resolve().parent.parent / "bin" / "demo"


def boom(request):
    raise RuntimeError("a bug")


urlpatterns = [path("boom/", boom)]


@pytest.mark.parametrize("language, words", [("zh-hans", "页面不存在"), ("en", "Page not found")])
def test_404_in_the_sites_style_and_language(client, language, words, settings):
    settings.DEMO_MODE = True  # the demo's settings: DEBUG off, so no debug page
    settings.DEBUG = False
    client.force_login(UserFactory(role=roles.LEADER))
    client.cookies["django_language"] = language
    response = client.get("/no/such/page/")
    html = response.content.decode()
    assert response.status_code == 404
    assert words in html and 'class="site-header"' in html and "/static/css/site.css" in html
    assert 'class="demo-banner"' in html  # the demo still says it is one
    assert "Traceback" not in html and "URLconf" not in html


@pytest.mark.parametrize("language, words", [("zh-hans", "您无权打开此页面"), ("en", "You may not open this page")])
def test_403_in_the_sites_style_and_language(client, language, words):
    client.force_login(UserFactory(role=roles.SUBMITTER, username="sub-403"))
    client.cookies["django_language"] = language
    response = client.get("/dashboards/")
    html = response.content.decode()
    assert response.status_code == 403
    assert words in html and "sub-403" in html and 'class="site-header"' in html and 'lang="' in html


def test_api_errors_stay_json(client):
    client.force_login(UserFactory(role=roles.SUBMITTER))
    assert client.get("/api/no-such-thing/").json()["detail"]


@pytest.mark.urls(__name__)
@pytest.mark.parametrize("language, words", [("zh-hans", "服务器出错了"), ("en", "Something went wrong on our side")])
def test_500_is_standalone_in_the_request_language(settings, language, words):
    settings.DEBUG = False
    client = Client(raise_request_exception=False, HTTP_ACCEPT_LANGUAGE=language)
    response = client.get("/boom/")
    html = response.content.decode()
    assert response.status_code == 500
    assert words in html and "/static/css/site.css" in html and "favicon.svg" in html


def test_favicon_is_linked_and_served(client):
    html = client.get("/accounts/login/").content.decode()
    assert '<link rel="icon" href="/static/favicon.svg" type="image/svg+xml">' in html
    response = client.get("/favicon.ico")
    assert response.status_code == 301 and response["Location"] == "/static/favicon.svg"
    assert finders.find("favicon.svg")  # WhiteNoise serves it from the static folders


def test_the_demo_runs_with_debug_off_and_serves_static_files(settings):
    script = BIN_DEMO.read_text()
    assert "DEBUG=0" in script and "DEBUG=1" not in script
    # DEBUG off: WhiteNoise serves static files from their folders (no collectstatic) in demo mode.
    from config import settings as project_settings

    assert "WHITENOISE_USE_FINDERS = DEBUG or DEMO_MODE" in Path(project_settings.__file__).read_text()


def test_language_menu_names_each_language_in_itself(client):
    for language in ("zh-hans", "en"):
        client.cookies["django_language"] = language
        html = client.get("/accounts/login/").content.decode()
        assert '<option value="en" lang="en"' in html and ">English</option>" in html
        assert ">简体中文</option>" in html and "英语" not in html


def test_names_in_english_where_the_data_has_them(client):
    target = Target.objects.select_related("indicator", "region", "plan").get(
        plan__code="shenzhen-health-2022-2025", value_text="1200亿元")
    client.force_login(UserFactory(role=roles.LEADER))
    client.cookies["django_language"] = "en"
    html = client.get(f"/dashboards/targets/{target.pk}/").content.decode()
    assert target.indicator.name_en and f"<h1>{target.indicator.name_en}" in html
    plan = client.get("/dashboards/plans/shenzhen-health-2022-2025/").content.decode()
    assert '<h1><span lang="zh-Hans" class="zh-fallback"' in plan  # plans have Chinese titles only: marked
    assert "Shenzhen" in plan  # the region's English name
    client.cookies["django_language"] = "zh-hans"
    html = client.get(f"/dashboards/targets/{target.pk}/").content.decode()
    assert f"<h1>{target.indicator.name}" in html


def test_a_missing_english_name_falls_back_visibly(client):
    region = Region.objects.create(code="no-english", name="无英文县", level="district")
    department = Department.objects.create(code="no-english-bureau", name="县科技局", region=region)
    client.cookies["django_language"] = "en"
    from django.template import Context, Template
    from django.utils import translation

    template = Template("{% load tracker %}{{ region|name }}|{{ department|name }}")
    with translation.override("en"):
        text = template.render(Context({"region": region, "department": department}))
    assert text.startswith('<span lang="zh-Hans" class="zh-fallback"') and ">无英文县</span>" in text
    with translation.override("zh-hans"):
        assert template.render(Context({"region": region, "department": department})) == "无英文县|无英文县 县科技局"


def test_departments_are_named_with_their_region():
    jiangmen = Region.objects.get(code="jiangmen")
    bureau = Department(name="市科技局", region=jiangmen)
    from django.utils import translation

    with translation.override("zh-hans"):
        assert names.department_name(bureau) == "江门市 市科技局"
    with translation.override("en"):
        assert names.department_name(bureau) == "Jiangmen · 市科技局"
    group = Department(name="江门市大健康产业集群推进领导小组", region=jiangmen)
    with translation.override("zh-hans"):
        assert names.department_name(group) == group.name  # the name says its city already


def test_units_read_in_english_on_english_pages_and_fall_back_visibly():
    from django.template import Context, Template
    from django.utils import translation

    template = Template("{% load tracker %}{{ unit|unit }}")
    with translation.override("en"):
        assert names.unit_name("亿元") == "100 million yuan" and names.unit_name("家") == "count"
        assert names.unit_name("台/万人") == "count per 10,000 people" and names.unit_name("%") == "%"
        assert names.label_with_unit("Revenue", "亿元") == "Revenue (100 million yuan)"
        unknown = template.render(Context({"unit": "标准箱"}))  # no English name here: shown as written, marked
        assert unknown.startswith('<span lang="zh-Hans" class="zh-fallback"') and ">标准箱</span>" in unknown
    with translation.override("zh-hans"):
        assert names.label_with_unit("营业收入", "亿元") == "营业收入（亿元）"
        assert template.render(Context({"unit": "标准箱"})) == "标准箱"


def test_the_target_chart_titles_its_axis_with_the_unit_in_the_pages_language(client):
    import json
    import re

    target = Target.objects.get(plan__code="shenzhen-health-2022-2025", value_text="1200亿元")
    client.force_login(UserFactory(role=roles.LEADER))
    for language, axis in (("en", "(100 million yuan)"), ("zh-hans", "（亿元）")):
        client.cookies["django_language"] = language
        html = client.get(f"/dashboards/targets/{target.pk}/").content.decode()
        figure = json.loads(re.search(r'<script id="target-figure" type="application/json">(.*?)</script>', html).group(1))
        assert json.loads(figure)["layout"]["yaxis"]["title"]["text"].endswith(axis)


def test_quoted_chinese_words_are_marked_in_english_text():
    assert str(names.marked_quotes("an aspiration (力争, 争取) <b>")) == (
        'an aspiration (<span lang="zh-Hans">力争</span>, <span lang="zh-Hans">争取</span>) &lt;b&gt;')
