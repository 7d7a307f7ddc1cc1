"""Tests' way through an import: upload the file, then confirm its preview."""

import re

from django.core.files.uploadedfile import SimpleUploadedFile

TOKEN = re.compile(r'name="token" value="([^"]+)"')
SUBMISSION = re.compile(r'name="submission" value="([^"]+)"')


def preview_token(response) -> str | None:
    match = TOKEN.search(response.content.decode())
    return match[1] if match else None


def confirm(client, url: str, preview, **kwargs):
    """Post 确认导入 for the preview ``preview`` shows (its token and hidden fields)."""
    html = preview.content.decode()
    token = TOKEN.search(html)
    assert token, "the upload showed no preview: " + html[:2000]
    data = {"token": token[1]}
    if submission := SUBMISSION.search(html):
        data["submission"] = submission[1]
    return client.post(url, data, **kwargs)


def upload(client, url: str, name: str, data: bytes, **kwargs):
    """Upload a file and, when it shows a preview, confirm it; the last answer."""
    response = client.post(url, {"file": SimpleUploadedFile(name, data)}, **kwargs)
    if response.status_code == 200 and preview_token(response):
        return confirm(client, url, response, **kwargs)
    return response
