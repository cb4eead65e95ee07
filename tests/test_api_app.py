"""The HTTP API and the app around it: every endpoint, uploads, SSE, auth (token, cookie, SSO header), CSP, CORS."""

from __future__ import annotations

import json
import os
import re
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from conftest import docx_bytes

if TYPE_CHECKING:
    from fastapi.testclient import TestClient

    from assistant.service import Assistant
    from assistant.settings import Settings

SEEDS_DIR = Path(__file__).resolve().parents[1] / "seeds"
TOKEN = "s3cret-token"


def build_settings(data_dir: Path, **server: Any) -> Settings:
    from assistant.settings import Settings

    return Settings(
        _env_file=None,
        data_dir=data_dir,
        seeds_dir=SEEDS_DIR,
        embedding={"backend": "fake"},
        server=server,
    )


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("api-data")


@pytest.fixture(scope="module")
def assistant(data_dir: Path) -> Assistant:
    """The assistant over the seed, indexed once for the module (fake embeddings)."""
    from assistant.service import build_assistant

    os.environ["HF_HUB_OFFLINE"] = "1"
    os.environ["ANONYMIZED_TELEMETRY"] = "False"
    built = build_assistant(build_settings(data_dir))
    built.ensure_indexed()
    return built


def make_client(assistant: Assistant, data_dir: Path, **server: Any) -> Iterator[TestClient]:
    from fastapi.testclient import TestClient

    from ui.app import create_app

    with TestClient(create_app(build_settings(data_dir, **server), assistant)) as client:
        yield client


@pytest.fixture(scope="module")
def client(assistant: Assistant, data_dir: Path) -> Iterator[TestClient]:
    """The app without auth, allowing a portal origin to frame it and call the API."""
    yield from make_client(
        assistant,
        data_dir,
        max_upload_mb=0.05,
        cors_origins=["http://portal.test"],
        frame_ancestors=["'self'", "http://portal.test"],
    )


@pytest.fixture(scope="module")
def token_client(assistant: Assistant, data_dir: Path) -> Iterator[TestClient]:
    yield from make_client(assistant, data_dir, auth_token=TOKEN)


@pytest.fixture(scope="module")
def sso_client(assistant: Assistant, data_dir: Path) -> Iterator[TestClient]:
    yield from make_client(assistant, data_dir, trusted_user_header="X-Remote-User")


def parse_sse(text: str) -> list[tuple[str, Any]]:
    events = []
    for block in text.strip().split("\n\n"):
        lines = dict(line.split(": ", 1) for line in block.splitlines())
        events.append((lines["event"], json.loads(lines["data"])))
    return events


# -- health, ask, stream ---------------------------------------------------------------------------
def test_healthz_reports_status_documents_and_mode(client: TestClient) -> None:
    assert client.get("/healthz").json() == {"status": "ok", "documents": 1, "mode": "extractive"}


def test_ask_returns_the_answer_record(client: TestClient) -> None:
    response = client.post("/api/ask", json={"question": "2023年预算完成率是多少？"})
    assert response.status_code == 200
    record = response.json()
    assert "87.19%" in record["answer"] and record["citations"] and record["figures"]
    assert set(record) >= {
        "id",
        "question",
        "answer",
        "refused",
        "citations",
        "retrieved",
        "figures",
        "warnings",
        "mode",
        "latency_ms",
    }
    assert {f["status"] for f in record["figures"]} <= {"verified", "derived", "mismatch", "unverified"}


def test_ask_accepts_history_documents_and_mode(client: TestClient, assistant: Assistant) -> None:
    doc_id = assistant.corpus.documents()[0].id
    response = client.post(
        "/api/ask",
        json={
            "question": "那公车呢？",
            "history": [{"role": "user", "content": "三公经费是多少？"}, {"role": "assistant", "content": "……"}],
            "documents": [doc_id],
            "mode": "extractive",
        },
    )
    assert response.status_code == 200 and response.json()["mode"] == "extractive"


@pytest.mark.parametrize("question", ["", "   ", "？？？", "问" * 2001])
def test_unaskable_question_is_a_400_with_a_chinese_message(client: TestClient, question: str) -> None:
    response = client.post("/api/ask", json={"question": question})
    assert response.status_code == 400
    assert any("\u4e00" <= ch <= "\u9fff" for ch in response.json()["error"])


def test_stream_sends_deltas_then_the_record(client: TestClient) -> None:
    response = client.post("/api/ask/stream", json={"question": "公车一年花了多少钱？"})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/event-stream")
    events = parse_sse(response.text)
    names = [name for name, _ in events]
    assert names[0] == "delta" and names[-1] == "record" and names.count("record") == 1
    streamed = "".join(data["text"] for name, data in events if name == "delta")
    unmarked = re.compile(r"\[\d+\]")  # the record may renumber the markers of the draft
    assert unmarked.sub("", streamed).strip() == unmarked.sub("", events[-1][1]["answer"]).strip()


def test_stream_refuses_an_empty_question_before_streaming(client: TestClient) -> None:
    response = client.post("/api/ask/stream", json={"question": " "})
    assert response.status_code == 400 and "问题为空" in response.json()["error"]


# -- documents -------------------------------------------------------------------------------------
def test_documents_lists_the_seed(client: TestClient) -> None:
    docs = client.get("/api/documents").json()
    assert len(docs) >= 1 and docs[0]["name"].endswith(".txt") and docs[0]["passages"] > 10


def test_docx_upload_is_indexed_under_its_original_name_and_stored_under_a_generated_one(
    client: TestClient, data_dir: Path
) -> None:
    content = docx_bytes("一、基本情况", "2023年，示范中心智慧停车场项目预算120.50万元，支出100.25万元。")
    response = client.post("/api/documents", files={"file": ("../../示范中心报告.docx", content)})
    assert response.status_code == 200, response.text
    report = response.json()
    assert report["added"] == ["示范中心报告.docx"]
    assert any(d["name"] == "示范中心报告.docx" for d in report["documents"])
    stored = list((data_dir / "uploads").iterdir())
    assert stored and all(p.name != "示范中心报告.docx" and len(p.stem) == 32 for p in stored)
    record = client.post("/api/ask", json={"question": "智慧停车场项目预算多少？"}).json()
    assert "120.50万元" in record["answer"]
    doc_id = next(d["id"] for d in client.get("/api/documents").json() if d["name"] == "示范中心报告.docx")
    assert client.delete(f"/api/documents/{doc_id}").status_code == 200
    assert client.delete(f"/api/documents/{doc_id}").status_code == 404


@pytest.mark.parametrize(
    ("name", "content", "status", "phrase"),
    [
        ("report.exe", b"MZ...", 415, "不支持的文件类型"),
        ("noext", b"abc", 415, "不支持的文件类型"),
        ("big.txt", "长".encode() * 40_000, 413, "文件过大"),
        ("broken.docx", b"PK\x03\x04 this is not a zip", 400, "无法读取文件"),
        ("broken.pdf", b"%PDF-1.4 garbage", 400, "无法读取文件"),
        ("empty.txt", b"", 400, "文件为空"),
    ],
)
def test_bad_uploads_are_refused_with_a_clear_chinese_message(
    client: TestClient, data_dir: Path, name: str, content: bytes, status: int, phrase: str
) -> None:
    before = set((data_dir / "uploads").glob("*")) if (data_dir / "uploads").exists() else set()
    response = client.post("/api/documents", files={"file": (name, content)})
    assert response.status_code == status, response.text
    assert phrase in response.json()["error"]
    after = set((data_dir / "uploads").glob("*")) if (data_dir / "uploads").exists() else set()
    assert after == before  # nothing left behind


# -- feedback --------------------------------------------------------------------------------------
def test_feedback_by_record_id_is_stored_with_question_record_and_time(client: TestClient, data_dir: Path) -> None:
    record = client.post("/api/ask", json={"question": "机关运行经费的预算执行情况如何？"}).json()
    response = client.post("/api/feedback", json={"record_id": record["id"], "rating": "down", "comment": "数字不对"})
    assert response.status_code == 200
    with sqlite3.connect(data_dir / "feedback.sqlite3") as db:
        row = db.execute(
            "SELECT rating, comment, question, record_json, created_at FROM feedback WHERE id = ?",
            (response.json()["id"],),
        ).fetchone()
    assert row[:3] == ("down", "数字不对", "机关运行经费的预算执行情况如何？")
    assert json.loads(row[3])["id"] == record["id"] and row[4].startswith("20")


def test_feedback_with_the_whole_record_needs_no_earlier_answer(client: TestClient) -> None:
    record = {"id": "external-1", "question": "外部问题", "answer": "外部回答"}
    response = client.post("/api/feedback", json={"record": record, "rating": "up"})
    assert response.status_code == 200 and response.json()["record_id"] == "external-1"


@pytest.mark.parametrize(
    ("body", "status"),
    [
        ({"record_id": "never-answered", "rating": "up"}, 404),
        ({"rating": "up"}, 422),
        ({"record_id": "x", "rating": "meh"}, 422),
    ],
)
def test_bad_feedback_is_refused(client: TestClient, body: dict[str, Any], status: int) -> None:
    assert client.post("/api/feedback", json=body).status_code == status


# -- openapi, framing, cors ------------------------------------------------------------------------
def test_openapi_spec_and_docs_are_served(client: TestClient) -> None:
    spec = client.get("/openapi.json").json()
    assert {"/api/ask", "/api/ask/stream", "/api/documents", "/api/feedback", "/healthz"} <= set(spec["paths"])
    assert client.get("/docs").status_code == 200


@pytest.mark.parametrize("path", ["/", "/embed/", "/api/documents", "/healthz"])
def test_every_response_allows_framing_only_by_the_configured_ancestors(client: TestClient, path: str) -> None:
    response = client.get(path)
    assert response.headers["content-security-policy"] == "frame-ancestors 'self' http://portal.test"
    assert "x-frame-options" not in response.headers


def test_embed_view_is_served_with_its_chrome_hidden(client: TestClient) -> None:
    config = client.get("/embed/config").json()
    assert "#ra-header" in config["css"] and "display: none" in config["css"]
    assert "#ra-header, #ra-examples" not in client.get("/config").json()["css"]


def test_cors_allows_the_portal_origin_only(client: TestClient) -> None:
    headers = {
        "Origin": "http://portal.test",
        "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "content-type",
    }
    allowed = client.options("/api/ask", headers=headers)
    assert allowed.headers.get("access-control-allow-origin") == "http://portal.test"
    denied = client.options("/api/ask", headers={**headers, "Origin": "http://evil.test"})
    assert denied.headers.get("access-control-allow-origin") is None


def test_root_path_prefix_is_used_by_the_ui_behind_a_proxy(assistant: Assistant, data_dir: Path) -> None:
    for client in make_client(assistant, data_dir, root_path="/report-assistant"):
        assert client.get("/config").json()["root"].endswith("/report-assistant")
        assert client.get("/embed/config").json()["root"].endswith("/report-assistant/embed")
        assert client.get("/report-assistant/healthz").status_code == 200  # a proxy that keeps the prefix


# -- auth ------------------------------------------------------------------------------------------
@pytest.mark.parametrize("path", ["/api/documents", "/", "/embed/", "/config", "/gradio_api/info", "/openapi.json"])
def test_token_auth_protects_the_api_and_the_gradio_routes(token_client: TestClient, path: str) -> None:
    token_client.cookies.clear()
    response = token_client.get(path)
    assert response.status_code == 401 and "令牌" in response.json()["error"]
    assert token_client.get(path, headers={"Authorization": "Bearer wrong"}).status_code == 401
    assert token_client.get(path, headers={"Authorization": f"Bearer {TOKEN}"}).status_code == 200


def test_healthz_stays_open_with_token_auth(token_client: TestClient) -> None:
    token_client.cookies.clear()
    assert token_client.get("/healthz").status_code == 200


def test_token_query_sets_an_httponly_cookie_and_redirects_without_the_token(token_client: TestClient) -> None:
    token_client.cookies.clear()
    response = token_client.get(f"/embed/?token={TOKEN}&lang=zh", follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == "./?lang=zh"
    cookie = response.headers["set-cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and TOKEN not in cookie
    followed = token_client.get(f"/embed/?token={TOKEN}")
    assert followed.status_code == 200 and "token" not in str(followed.url)
    assert token_client.get("/api/documents").status_code == 200  # the cookie alone now suffices
    token_client.cookies.clear()


def test_token_query_redirect_keeps_the_page_name(token_client: TestClient) -> None:
    response = token_client.get(f"/docs?token={TOKEN}", follow_redirects=False)
    assert response.headers["location"] == "docs"
    token_client.cookies.clear()


def test_cookie_over_https_is_sent_cross_site(token_client: TestClient) -> None:
    response = token_client.get(f"/?token={TOKEN}", headers={"X-Forwarded-Proto": "https"}, follow_redirects=False)
    assert "SameSite=None; Secure" in response.headers["set-cookie"]
    token_client.cookies.clear()


def test_wrong_token_query_is_refused(token_client: TestClient) -> None:
    token_client.cookies.clear()
    response = token_client.get("/?token=nope", follow_redirects=False)
    assert response.status_code == 401 and "set-cookie" not in response.headers


def test_token_protects_asking(token_client: TestClient) -> None:
    token_client.cookies.clear()
    assert token_client.post("/api/ask", json={"question": "预算完成率？"}).status_code == 401
    ok = token_client.post("/api/ask", json={"question": "预算完成率？"}, headers={"Authorization": f"Bearer {TOKEN}"})
    assert ok.status_code == 200


@pytest.mark.parametrize("path", ["/api/documents", "/", "/embed/", "/config"])
def test_trusted_user_header_is_required_when_configured(sso_client: TestClient, path: str) -> None:
    assert sso_client.get(path).status_code == 401
    assert sso_client.get(path, headers={"X-Remote-User": " "}).status_code == 401
    assert sso_client.get(path, headers={"X-Remote-User": "zhangsan"}).status_code == 200


def test_feedback_records_the_sso_user(sso_client: TestClient, data_dir: Path) -> None:
    headers = {"X-Remote-User": "lisi"}
    record = sso_client.post("/api/ask", json={"question": "预算完成率？"}, headers=headers).json()
    feedback_id = sso_client.post(
        "/api/feedback", json={"record_id": record["id"], "rating": "up"}, headers=headers
    ).json()["id"]
    with sqlite3.connect(data_dir / "feedback.sqlite3") as db:
        assert db.execute("SELECT user FROM feedback WHERE id = ?", (feedback_id,)).fetchone() == ("lisi",)


def test_healthz_stays_open_without_the_user_header(sso_client: TestClient) -> None:
    assert sso_client.get("/healthz").status_code == 200
