import pytest
from django.test import RequestFactory
from django.views.defaults import server_error


def test_server_error_page_renders_without_the_database():
    # No db fixture: pytest-django makes any database access here an error.
    request = RequestFactory().get("/anything/")
    response = server_error(request)
    assert response.status_code == 500
    html = response.content.decode()
    assert "bootstrap.min.css" in html
    assert "出错了" in html


@pytest.mark.django_db
def test_missing_page_shows_in_the_layout(owner_client):
    response = owner_client.get("/no-such-page/")
    assert response.status_code == 404
    assert "页面不存在" in response.content.decode()
    assert 'id="user-menu"' in response.content.decode()


@pytest.mark.django_db
def test_forbidden_page_shows_in_the_layout(staff_client):
    response = staff_client.get("/accounts/users/")
    assert response.status_code == 403
    assert "无权" in response.content.decode()
