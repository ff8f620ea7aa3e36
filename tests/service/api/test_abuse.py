"""Abuse of the real API (uvicorn on a free port) while ingests run (issue 15 item 7, issue 12
"Bad input and security"): auth bypass attempts, SQL guard escapes, oversized bodies and slow
clients are each refused with a clear answer, and good requests sent at the same time succeed.

Requests whose bytes httpx would not send as written (CR/LF in a header, raw ``..`` in a path)
go over a plain socket."""

from __future__ import annotations

import contextlib
import json
import re
import shutil
import socket
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest

from service.api import create_app
from service.config import load_config
from service.steward_service import StewardService
from tests.service.api.conftest import EXAMPLES, uvicorn_server

TOKEN = "abuse-test-token-0123456789"
GOOD = "/api/v1/entities/component/default/payments-api/scorecards"
ENTITY_WORDS = (b"payments-api", b"team-payments")


@dataclass
class Target:
    base: str
    port: int
    service: StewardService
    ingests: list[int] = field(default_factory=list)

    def client(self, token: str | None = TOKEN) -> httpx.Client:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        return httpx.Client(base_url=self.base, headers=headers, timeout=60)


def ingest_forever(
    service: StewardService, touch: Path, stop: threading.Event, runs: list[int]
) -> None:
    """Re-ingest the catalog until ``stop``, changing a file each time so every run parses."""
    count = 0
    while not stop.is_set():
        count += 1
        with touch.open("a") as f:
            f.write(f"# touched {count}\n")
        run = service.run_pipeline(["catalog"], scorecards=count % 2 == 0)
        runs.append(len(run.outcomes))


@pytest.fixture(scope="module")
def target(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Target]:
    root = tmp_path_factory.mktemp("abuse")
    shutil.copytree(EXAMPLES / "org", root / "org")
    (root / "steward.yaml").write_text(
        f"database: {root / 'steward.duckdb'}\n"
        "sources:\n"
        "  catalog: {type: catalog_files, roots: [./org/org, ./org/repos]}\n"
        "  codeowners: {type: codeowners, roots: [./org/repos], org_namespaces: {acme: default}}\n"
        f"scorecards: {EXAMPLES / 'scorecards'}\n"
        "api: {sql_timeout_s: 1, sql_max_rows: 500, max_body_bytes: 4096}\n"
    )
    touch = next((root / "org" / "repos").rglob("catalog-info.yaml"))
    mp = pytest.MonkeyPatch()
    mp.setenv("STEWARD_API_TOKENS", TOKEN)
    with StewardService(load_config(root / "steward.yaml")) as service:
        assert service.run_pipeline().ok
        app = create_app(service, auth=True)
        mp.undo()
        stop = threading.Event()
        runs: list[int] = []
        ingester = threading.Thread(target=ingest_forever, args=[service, touch, stop, runs])
        with uvicorn_server(app) as base:
            ingester.start()
            try:
                yield Target(base, int(base.rsplit(":", 1)[1]), service, runs)
            finally:
                stop.set()
                ingester.join(120)
    assert runs, "no ingest ran during the attacks"


def raw_request(port: int, data: bytes, *, read_timeout: float = 30) -> tuple[int, bytes]:
    """Send ``data`` as is; the status and the whole answer (``Connection: close``)."""
    answer = b""
    with socket.create_connection(("127.0.0.1", port), timeout=read_timeout) as sock:
        with contextlib.suppress(ConnectionResetError, BrokenPipeError):  # refused mid-send
            sock.sendall(data)
        with contextlib.suppress(ConnectionResetError):
            while chunk := sock.recv(65536):
                answer += chunk
    status = int(answer.split(b" ", 2)[1]) if answer.startswith(b"HTTP/1.1 ") else 0
    return status, answer


def raw_get(
    port: int, path: bytes, headers: bytes = b"", method: bytes = b"GET"
) -> tuple[int, bytes]:
    return raw_request(
        port,
        method
        + b" "
        + path
        + b" HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        + headers
        + b"Connection: close\r\n\r\n",
    )


def while_serving(target: Target, attack: Callable[[], None]) -> None:
    """Run ``attack`` while good requests go on in parallel; every good request must succeed."""
    done = threading.Event()
    answers: list[int] = []

    def good_requests() -> None:
        with target.client() as client:
            while not done.is_set() or len(answers) < 3:
                response = client.get(GOOD)
                answers.append(response.status_code)
                assert response.json()["ref"] == "component:default/payments-api"

    with ThreadPoolExecutor(1) as pool:
        future = pool.submit(good_requests)
        try:
            attack()
        finally:
            done.set()
        future.result(timeout=120)
    assert answers and set(answers) == {200}, answers


# -- auth bypass -------------------------------------------------------------------------------

BYPASS_HEADERS: dict[str, bytes] = {
    "no header": b"",
    "empty bearer": b"Authorization: Bearer\r\n",
    "basic scheme": b"Authorization: Basic " + TOKEN.encode() + b"\r\n",
    "token scheme": b"Authorization: Token " + TOKEN.encode() + b"\r\n",
    "no scheme": b"Authorization: " + TOKEN.encode() + b"\r\n",
    "upper-cased token": b"Authorization: Bearer " + TOKEN.upper().encode() + b"\r\n",
    "token prefix": b"Authorization: Bearer " + TOKEN[:-1].encode() + b"\r\n",
    "token plus a byte": b"Authorization: Bearer " + TOKEN.encode() + b"x\r\n",
    "token then words": b"Authorization: Bearer " + TOKEN.encode() + b" admin\r\n",
    "two tokens by comma": b"Authorization: Bearer x, Bearer " + TOKEN.encode() + b"\r\n",
    "unicode look-alike": b"Authorization: Bearer "
    + TOKEN.replace("a", "\u0430").encode()
    + b"\r\n",
    "latin-1 bytes": b"Authorization: Bearer " + TOKEN.encode() + b"\xe9\r\n",
    "nul byte": b"Authorization: Bearer " + TOKEN.encode() + b"\x00\r\n",
    "wrong then right header": b"Authorization: Bearer nope\r\nAuthorization: Bearer "
    + TOKEN.encode()
    + b"\r\n",
    "right then wrong header": b"Authorization: Bearer "
    + TOKEN.encode()
    + b"\r\nAuthorization: Bearer nope\r\n",
    "token in a cookie": b"Cookie: token=" + TOKEN.encode() + b"\r\n",
    "token in x-api-key": b"X-Api-Key: " + TOKEN.encode() + b"\r\n",
}

BYPASS_PATHS: list[bytes] = [
    b"/api/v1/runs?token=" + TOKEN.encode(),
    b"/api/v1/runs?access_token=" + TOKEN.encode(),
    b"/API/v1/runs",
    b"/Api/V1/runs",
    b"//api/v1/runs",
    b"/./api/v1/runs",
    b"/x/../api/v1/runs",
    b"/x/%2e%2e/api/v1/runs",
    b"/%61pi/v1/runs",
    b"/api%2fv1%2fruns",
    b"/api/v1/runs/",
    b"/api/v1/runs;jsessionid=1",
    b"/api/v1/runs%00",
    b"/api/v1/runs#frag",
    b"/api",
    b"/api/",
    b"/api/v2/runs",
    b"/docs/../api/v1/runs",
    b"http://127.0.0.1/api/v1/runs",  # absolute-form request target
]


def assert_no_data(status: int, answer: bytes, what: str) -> None:
    assert status in (400, 401, 404, 405, 422), (what, answer[:300])
    assert not any(word in answer for word in ENTITY_WORDS), (what, answer[:300])
    assert TOKEN.encode() not in answer, what
    if status == 401:
        assert re.search(rb'"detail": ?"unauthorized"', answer), what


def test_bad_credentials_are_refused_with_401_and_nothing_else(target: Target) -> None:
    def attack() -> None:
        for what, headers in BYPASS_HEADERS.items():
            status, answer = raw_get(target.port, GOOD.encode(), headers)
            assert_no_data(status, answer, what)
            if what not in ("nul byte", "latin-1 bytes"):  # h11 may refuse those as 400
                assert status == 401, (what, answer[:300])

    while_serving(target, attack)


def test_crlf_in_the_token_is_refused(target: Target) -> None:
    # a trailing CR, or a CR/LF smuggling a second header, never authenticates
    for headers in (
        b"Authorization: Bearer " + TOKEN.encode() + b"\r\r\n",
        b"Authorization: Bearer x\r\nX-Forwarded-Authorization: Bearer " + TOKEN.encode() + b"\r\n",
    ):
        status, answer = raw_get(target.port, GOOD.encode(), headers)
        assert_no_data(status, answer, repr(headers))


@pytest.mark.parametrize("path", BYPASS_PATHS, ids=lambda p: p.decode())
def test_path_tricks_never_reach_data_without_a_token(target: Target, path: bytes) -> None:
    status, answer = raw_get(target.port, path)
    assert_no_data(status, answer, path.decode())


@pytest.mark.parametrize(
    "method", [b"HEAD", b"OPTIONS", b"POST", b"PUT", b"DELETE", b"TRACE", b"PATCH"]
)
def test_other_methods_need_a_token_too(target: Target, method: bytes) -> None:
    status, answer = raw_get(target.port, b"/api/v1/runs", method=method)
    assert status == 401, (method, answer[:300])
    assert not any(word in answer for word in ENTITY_WORDS)


def test_lower_case_scheme_is_accepted_as_rfc_9110_says(target: Target) -> None:
    status, answer = raw_get(
        target.port, GOOD.encode(), b"Authorization: bearer " + TOKEN.encode() + b"\r\n"
    )
    assert status == 200 and b"payments-api" in answer


# -- SQL guard ---------------------------------------------------------------------------------

SQL_ESCAPES: dict[str, tuple[str, str]] = {
    # name: (sql, words in the refusal)
    "copy to file": ("COPY runs TO '/tmp/steward-abuse.csv'", "COPY statement"),
    "copy query to file": ("COPY (SELECT * FROM entities) TO '/tmp/x.parquet'", "COPY statement"),
    "attach": ("ATTACH '/tmp/steward-abuse.duckdb' AS other", "ATTACH statement"),
    "install": ("INSTALL httpfs", "LOAD statement"),
    "load": ("LOAD httpfs", "LOAD statement"),
    "set": ("SET enable_external_access = true", "SET statement"),
    "reset": ("RESET lock_configuration", "SET statement"),
    "pragma": ("PRAGMA enable_profiling", "PRAGMA statement"),
    "read_csv": ("SELECT * FROM read_csv('/etc/passwd')", "read_csv() is not allowed"),
    "read_csv_auto": ("SELECT * FROM read_csv_auto('/etc/passwd')", "is not allowed"),
    "read_text": ("SELECT * FROM read_text('/etc/passwd')", "read_text() is not allowed"),
    "read_blob": ("SELECT * FROM read_blob('/etc/passwd')", "read_blob() is not allowed"),
    "read_parquet": ("SELECT * FROM read_parquet('/etc/passwd')", "read_parquet() is not allowed"),
    "read_json": ("FROM read_json('/etc/passwd')", "read_json() is not allowed"),
    "glob": ("SELECT * FROM glob('/etc/*')", "glob() is not allowed"),
    "file as a table": ("SELECT * FROM '/etc/passwd'", "does not exist"),
    "csv file as a table": ("SELECT * FROM '/etc/hosts.csv'", "disabled"),
    "read in a subquery": (
        "SELECT (SELECT content FROM read_text('/etc/passwd'))",
        "is not allowed",
    ),
    "read behind a schema": ("SELECT * FROM main.read_text('/etc/passwd')", "is not allowed"),
    "query() runs a string": ("SELECT * FROM query('DROP TABLE runs')", "query() is not allowed"),
    "two statements": ("SELECT 1; DROP TABLE runs", "exactly one statement"),
    "comment hiding a second": (
        "SELECT 1 /* ; */ ; -- x\nDELETE FROM runs",
        "exactly one statement",
    ),
    "nul byte then a second": ("SELECT 1\x00; DROP TABLE runs", "exactly one statement"),
    "cte wrapping a delete": (
        "WITH x AS (DELETE FROM runs RETURNING *) SELECT count(*) FROM x",
        "holds a DELETE statement",
    ),
    "cte wrapping an update": (
        "WITH x AS (UPDATE runs SET status = 'ok' RETURNING run_id) SELECT * FROM x",
        "holds a UPDATE statement",
    ),
    "export database": ("EXPORT DATABASE '/tmp/steward-abuse'", "EXPORT statement"),
    "call": ("CALL checkpoint()", "CALL statement"),
    "checkpoint": ("CHECKPOINT", "CALL statement"),
    "getenv": ("SELECT getenv('HOME')", "getenv does not exist"),
    "nextval": ("SELECT nextval('run_ids')", "nextval() changes state"),
    "create": ("CREATE TABLE pwn AS SELECT 1", "CREATE statement"),
    "drop": ("DROP VIEW entities", "DROP statement"),
    "prepare": ("PREPARE p AS SELECT 1", "PREPARE statement"),
    "transaction": ("BEGIN TRANSACTION", "TRANSACTION statement"),
    "detach": ("DETACH DATABASE x", "DETACH statement"),
    "use": ("USE memory", "SET statement"),
    "homoglyph keyword": ("\uff33\uff25\uff2c\uff25\uff23\uff34 1", "cannot parse query"),
    "homoglyph second statement": ("SELECT 1; \uff24\uff32\uff2f\uff30 TABLE runs", "cannot parse"),
    "duckdb_secrets": ("SELECT * FROM duckdb_secrets()", "is not allowed"),
    "duckdb_settings": ("SELECT * FROM duckdb_settings()", "is not allowed"),
}


def test_sql_escapes_are_refused_while_good_requests_go_on(target: Target) -> None:
    with target.client() as client:
        before = client.post("/api/v1/sql", json={"sql": "SELECT count(*) FROM runs"}).json()
    refusals: dict[str, str] = {}

    def attack() -> None:
        with target.client() as client:
            for name, (sql, _) in SQL_ESCAPES.items():
                response = client.post("/api/v1/sql", json={"sql": sql})
                assert response.status_code == 400, (name, response.text)
                assert response.headers["content-type"] == "application/problem+json"
                refusals[name] = response.json()["detail"]

    while_serving(target, attack)
    assert len(SQL_ESCAPES) >= 20
    for name, (_, words) in SQL_ESCAPES.items():
        assert words in refusals[name], (name, refusals[name])
        assert "root:" not in refusals[name]  # nothing of /etc/passwd
    with target.client() as client:
        after = client.post("/api/v1/sql", json={"sql": "SELECT count(*) FROM runs"}).json()
        views = client.post(
            "/api/v1/sql",
            json={"sql": "SELECT count(*) FROM duckdb_views() WHERE view_name = 'entities'"},
        ).json()
    assert after["rows"][0][0] >= before["rows"][0][0]  # nothing deleted (ingests add runs)
    assert views["rows"] == [[1]]
    assert not Path("/tmp/steward-abuse.csv").exists()
    assert not Path("/tmp/steward-abuse").exists()


def test_a_query_past_the_timeout_is_interrupted_alone(target: Target) -> None:
    def attack() -> None:
        with target.client() as client:
            response = client.post(
                "/api/v1/sql", json={"sql": "SELECT count(*) FROM range(1000000000000) a"}
            )
        assert response.status_code == 400
        assert response.json()["detail"] == "query exceeded the 1 s timeout"

    while_serving(target, attack)


def test_a_huge_result_is_capped_and_says_truncated(target: Target) -> None:
    with target.client() as client:
        capped = client.post("/api/v1/sql", json={"sql": "SELECT * FROM range(10000000)"}).json()
        asked = client.post(
            "/api/v1/sql", json={"sql": "SELECT * FROM range(100)", "max_rows": 7}
        ).json()
    assert (len(capped["rows"]), capped["truncated"]) == (500, True)  # api.sql_max_rows
    assert (len(asked["rows"]), asked["truncated"]) == (7, True)


# -- oversized bodies and slow clients ---------------------------------------------------------


def test_oversized_bodies_are_refused_with_413_and_the_service_goes_on(target: Target) -> None:
    big = json.dumps({"sql": "SELECT 1 -- " + "x" * 10_000}).encode()
    auth = b"Authorization: Bearer " + TOKEN.encode() + b"\r\n"

    def attack() -> None:
        head = b"POST /api/v1/sql HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n" + auth
        # declared too large: refused before the body is read
        status, _ = raw_request(
            target.port, head + b"Content-Length: 999999999\r\nConnection: close\r\n\r\n"
        )
        assert status == 413
        # a too large body with its length
        status, answer = raw_request(
            target.port,
            head + f"Content-Length: {len(big)}\r\nConnection: close\r\n\r\n".encode() + big,
        )
        assert status == 413 and b"request body over 4096 bytes" in answer
        # chunked, no length: counted while reading
        chunked = b"".join(
            f"{len(part):x}\r\n".encode() + part + b"\r\n"
            for part in (big[i : i + 1000] for i in range(0, len(big), 1000))
        )
        status, _ = raw_request(
            target.port,
            head
            + b"Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
            + chunked
            + b"0\r\n\r\n",
        )
        assert status == 413
        # a negative or non-numeric length
        for length in (b"-1", b"12abc"):
            status, _ = raw_request(
                target.port, head + b"Content-Length: " + length + b"\r\nConnection: close\r\n\r\n"
            )
            assert status in (400, 413)
        # a header block far over h11's limit (16 KiB of headers not yet complete)
        pad = b"X-Pad: " + b"a" * 1_000_000 + b"\r\n"
        status, _ = raw_get(target.port, GOOD.encode(), pad + auth)
        assert status in (0, 400, 431)

    while_serving(target, attack)


def test_slow_clients_do_not_block_other_requests(target: Target) -> None:
    """Slowloris: clients that send their request a byte at a time hold connections open; the
    others are served meanwhile (uvicorn reads each connection on the event loop)."""
    request = (
        b"GET "
        + GOOD.encode()
        + b" HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer "
        + TOKEN.encode()
        + b"\r\nConnection: close\r\n\r\n"
    )
    stop = threading.Event()
    sent: list[int] = []

    def trickle() -> None:
        with socket.create_connection(("127.0.0.1", target.port), timeout=30) as sock:
            for i in range(len(request) - 2):  # never the final CRLF while the test runs
                if stop.is_set():
                    return
                sock.sendall(request[i : i + 1])
                sent.append(1)
                time.sleep(0.05)

    slow = [threading.Thread(target=trickle, daemon=True) for _ in range(20)]
    for thread in slow:
        thread.start()

    def attack() -> None:
        while len(sent) < 200:  # the slow clients are connected and trickling
            time.sleep(0.05)
        with target.client() as client:
            for _ in range(10):
                assert client.get(GOOD).status_code == 200
                assert client.post("/api/v1/sql", json={"sql": "SELECT 1"}).json()["rows"] == [[1]]
        assert any(thread.is_alive() for thread in slow)  # still trickling meanwhile

    try:
        while_serving(target, attack)
    finally:
        stop.set()
        for thread in slow:
            thread.join(30)
