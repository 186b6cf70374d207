"""The generated services for real: their own test suites, uvicorn, and two services talking
over REST and SQS (moto's server) with PostgreSQL and DynamoDB, one trace id end to end.

The services' dependencies live in their own virtualenv, never in decomposer's: point
DECOMPOSER_SERVICES_PYTHON at its python (`.ci/run` creates `.venv-services`).
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import textwrap
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from decomposer import files
from decomposer.models import ScaffoldOptions
from decomposer.scaffold import render_scaffold

pytestmark = pytest.mark.integration

PLAN = Path(__file__).resolve().parent.parent / "golden" / "scaffold" / "plan.json"
PYTHON = os.environ.get("DECOMPOSER_SERVICES_PYTHON")
needs_python = pytest.mark.skipif(
    not PYTHON,
    reason="set DECOMPOSER_SERVICES_PYTHON to a python with the services' dependencies"
    " (fastapi, uvicorn, httpx, boto3, sqlalchemy, alembic, psycopg, opentelemetry-sdk,"
    " pydantic-settings, pytest, ruff, moto[server]); .ci/run creates .venv-services",
)
TRACE_ID = "5f0c1d2e3a4b5c6d7e8f90a1b2c3d4e5"


def scaffold(out: Path, edit: dict[str, Any] | None = None) -> Path:
    document = json.loads(PLAN.read_text())
    for context in document["contexts"]:
        context.update((edit or {}).get(context["name"], {}))
    plan_path = out / "plan.json"
    plan_path.write_text(json.dumps(document))
    for file in render_scaffold(files.read_plan(plan_path), options=ScaffoldOptions()):
        path = out / file.path
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(file.content)
    return out / "services"


def passes_ruff_and_its_tests(service: Path, env: dict[str, str] | None = None) -> str:
    """Assert that a generated service passes `ruff check` and its own test suite (with `env`
    added to the environment); the suite's report, skip reasons included."""
    assert PYTHON
    lint = subprocess.run(
        [PYTHON, "-m", "ruff", "check", "--no-cache", "."],
        cwd=service,
        capture_output=True,
        text=True,
    )
    assert lint.returncode == 0, f"{service.name}:\n{lint.stdout}{lint.stderr}"
    tests = subprocess.run(
        [PYTHON, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-rs"],
        cwd=service,
        env={**os.environ, **(env or {})},
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert tests.returncode == 0, f"{service.name}:\n{tests.stdout[-4000:]}{tests.stderr}"
    return tests.stdout


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_for(url: str, process: subprocess.Popen[bytes], log: Path) -> None:
    # A deadline, not a count of tries: on a loaded 2-core machine a service that imports
    # FastAPI and OpenTelemetry can take well over 20 s to answer its first request.
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"{url}: the process exited\n{log.read_text()[-3000:]}")
        try:
            with urllib.request.urlopen(url, timeout=1) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.1)
    pytest.fail(f"{url} never answered\n{log.read_text()[-3000:]}")


def start(
    command: list[str], *, cwd: Path, env: dict[str, str], log: Path
) -> subprocess.Popen[bytes]:
    with log.open("wb") as stream:
        return subprocess.Popen(
            command, cwd=cwd, env={**os.environ, **env}, stdout=stream, stderr=subprocess.STDOUT
        )


def stop(process: subprocess.Popen[bytes]) -> None:
    process.terminate()
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        process.kill()


def json_lines(path: Path) -> list[dict[str, Any]]:
    lines = []
    for line in path.read_text().splitlines() if path.exists() else []:
        try:
            lines.append(json.loads(line))
        except ValueError:
            continue
    return lines


@needs_python
def test_every_generated_service_passes_ruff_and_its_own_tests(
    tmp_path: Path, postgres: str
) -> None:
    """Relational services against PostgreSQL (the idempotency record and the handler's writes
    in one transaction, two consumers of one message), customers on DynamoDB, SQS on moto."""
    assert PYTHON
    services = scaffold(
        tmp_path,
        edit={"customers": {"datastore": {"kind": "dynamodb", "evidence": ["edited by the test"]}}},
    )
    for service in sorted(services.iterdir()):
        report = passes_ruff_and_its_tests(service, env={"TEST_DATABASE_URL": postgres})
        assert "TEST_DATABASE_URL" not in report, "a test skipped for want of PostgreSQL"


@needs_python
def test_a_generated_service_starts_under_uvicorn(tmp_path: Path) -> None:
    assert PYTHON
    service = scaffold(tmp_path) / "notifications"
    port = free_port()
    log = tmp_path / "notifications.log"
    process = start(
        [
            PYTHON,
            "-m",
            "uvicorn",
            "notifications_service.main:create_app",
            "--factory",
            "--port",
            str(port),
        ],
        cwd=service,
        env={"AWS_ACCESS_KEY_ID": "x", "AWS_SECRET_ACCESS_KEY": "x"},
        log=log,
    )
    try:
        wait_for(f"http://127.0.0.1:{port}/notifications/health", process, log)
    finally:
        stop(process)
    started = [line for line in json_lines(log) if line.get("message") == "notifications started"]
    assert started and started[0]["service"] == "notifications"


@needs_python
def test_a_service_with_an_inbox_starts_from_its_readme_without_aws_credentials(
    tmp_path: Path,
) -> None:
    """Issue 12.3: the consumer needed AWS credentials, so the README's command died with
    NoCredentialsError on a laptop. Now the service serves HTTP and says why it consumes
    nothing."""
    assert PYTHON
    service = scaffold(tmp_path) / "orders"
    port = free_port()
    log = tmp_path / "orders.log"
    # Nothing of AWS in the environment: no keys, no profile files, no instance metadata.
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env |= {
        "HOME": str(tmp_path),
        "AWS_EC2_METADATA_DISABLED": "true",
        "AWS_CONFIG_FILE": str(tmp_path / "none"),
        "AWS_SHARED_CREDENTIALS_FILE": str(tmp_path / "none"),
    }
    command = [PYTHON, "-m", "uvicorn", "orders_service.main:create_app", "--factory"]
    with log.open("wb") as stream:
        process = subprocess.Popen(
            [*command, "--port", str(port)],
            cwd=service,
            env=env,
            stdout=stream,
            stderr=subprocess.STDOUT,
        )
    try:
        wait_for(f"http://127.0.0.1:{port}/orders/health", process, log)
    finally:
        stop(process)
    warnings = [line for line in json_lines(log) if "SQS is unreachable" in line.get("message", "")]
    assert warnings and "credentials" in warnings[0]["error"].lower()


@pytest.fixture
def postgres() -> Iterator[str]:
    """A throwaway PostgreSQL server (initdb/pg_ctl in a temp folder); yields its SQLAlchemy URL."""
    if not (shutil.which("initdb") and shutil.which("pg_ctl")):
        pytest.skip("PostgreSQL server binaries (initdb, pg_ctl) are not on PATH")
    folder = Path(tempfile.mkdtemp(prefix="decomposer-pg-"))
    folder.chmod(0o755)
    # initdb refuses to run as root: run the server as the `postgres` user when there is one.
    prefix: list[str] = []
    if os.geteuid() == 0:
        if not shutil.which("runuser"):
            pytest.skip("running as root without runuser: cannot start PostgreSQL")
        prefix = ["runuser", "-u", "postgres", "--"]
        shutil.chown(folder, "postgres")
    data, port = folder / "data", free_port()
    subprocess.run(
        [*prefix, "initdb", "-D", str(data), "-U", "postgres", "--auth=trust"],
        check=True,
        capture_output=True,
    )
    options = f"-p {port} -k {folder} -c listen_addresses=127.0.0.1"
    subprocess.run(
        [
            *prefix,
            "pg_ctl",
            "-D",
            str(data),
            "-o",
            options,
            "-l",
            str(folder / "log"),
            "-w",
            "start",
        ],
        check=True,
        capture_output=True,
    )
    try:
        yield f"postgresql+psycopg://postgres@127.0.0.1:{port}/postgres"
    finally:
        subprocess.run(
            [*prefix, "pg_ctl", "-D", str(data), "-m", "fast", "stop"], capture_output=True
        )
        shutil.rmtree(folder, ignore_errors=True)


ORDERS_GET_ORDER = '''
def get_order(runtime: Runtime, request: GetOrderRequest) -> dict[str, Any]:
    """Edited by the end-to-end test: call customers over REST, store, publish an event."""
    import logging
    from datetime import UTC, datetime

    from .data import Order

    customer = runtime.clients.customers.current_customer().result
    assert customer is not None
    with runtime.store.sessions.begin() as session:
        session.add(
            Order(
                id=request.order_id,
                number=f"ORD-{request.order_id}",
                customer_id=customer["id"],
                country="DE",
                placed_at=datetime.now(UTC),
            )
        )
    runtime.events.order_placed({"order": request.order_id, "customer": customer["id"]})
    logging.getLogger("orders").info("order stored", extra={"order": request.order_id})
    return {"order": request.order_id, "customer": customer}
'''
CUSTOMERS_CURRENT = '''
def current_customer(
    runtime: Runtime, request: CurrentCustomerRequest
) -> dict[str, Any] | None:
    """Edited by the end-to-end test: a customer read from DynamoDB."""
    runtime.store.put("Customer", "7", {"name": "Ada"})
    return {"id": 7, "name": (runtime.store.get("Customer", "7") or {})["name"]}
'''

# The generated stub raises until it is written (the message waits in the inbox, then the DLQ):
# the test writes it, as the service's owner would.
CUSTOMERS_ON_ORDER_PLACED = '''
def on_order_placed(runtime: Runtime, payload: Mapping[str, Any]) -> None:
    """Edited by the end-to-end test: the event is handled."""
'''


def replace_function(path: Path, name: str, source: str) -> None:
    text = path.read_text()
    start_at = text.index(f"\n\ndef {name}(")
    end_at = text.find("\n\n\ndef ", start_at + 3)
    path.write_text(
        text[:start_at]
        + "\n\n"
        + textwrap.dedent(source).strip()
        + "\n"
        + (text[end_at:] if end_at != -1 else "")
    )


@needs_python
def test_two_services_share_one_trace_over_rest_and_sqs(tmp_path: Path, postgres: str) -> None:
    assert PYTHON
    services = scaffold(
        tmp_path,
        edit={"customers": {"datastore": {"kind": "dynamodb", "evidence": ["edited by the test"]}}},
    )
    replace_function(
        services / "orders" / "orders_service" / "handlers.py", "get_order", ORDERS_GET_ORDER
    )
    replace_function(
        services / "customers" / "customers_service" / "handlers.py",
        "current_customer",
        CUSTOMERS_CURRENT,
    )
    replace_function(
        services / "customers" / "customers_service" / "events.py",
        "on_order_placed",
        CUSTOMERS_ON_ORDER_PLACED,
    )
    moto_port, orders_port, customers_port = free_port(), free_port(), free_port()
    aws = {
        "AWS_ENDPOINT_URL": f"http://127.0.0.1:{moto_port}",
        "AWS_REGION": "us-east-1",
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "CREATE_QUEUES": "true",
        "CREATE_TABLES": "true",
        "WAIT_TIME_S": "1",
        "HTTP_BACKOFF_S": "0.05",
    }
    processes = []
    try:
        moto_log = tmp_path / "moto.log"
        processes.append(
            start(
                [PYTHON, "-m", "moto.server", "-p", str(moto_port)],
                cwd=tmp_path,
                env={},
                log=moto_log,
            )
        )
        wait_for(f"http://127.0.0.1:{moto_port}/moto-api/", processes[-1], moto_log)
        customers_log = tmp_path / "customers.log"
        processes.append(
            start(
                [
                    PYTHON,
                    "-m",
                    "uvicorn",
                    "customers_service.main:create_app",
                    "--factory",
                    "--port",
                    str(customers_port),
                ],
                cwd=services / "customers",
                env={
                    **aws,
                    "DYNAMODB_TABLE": "customers",
                    "SPAN_FILE": str(tmp_path / "customers-spans.jsonl"),
                },
                log=customers_log,
            )
        )
        wait_for(
            f"http://127.0.0.1:{customers_port}/customers/health", processes[-1], customers_log
        )
        orders_log = tmp_path / "orders.log"
        processes.append(
            start(
                [
                    PYTHON,
                    "-m",
                    "uvicorn",
                    "orders_service.main:create_app",
                    "--factory",
                    "--port",
                    str(orders_port),
                ],
                cwd=services / "orders",
                env={
                    **aws,
                    "DATABASE_URL": postgres,
                    "CUSTOMERS_SERVICE_URL": f"http://127.0.0.1:{customers_port}",
                    "SPAN_FILE": str(tmp_path / "orders-spans.jsonl"),
                },
                log=orders_log,
            )
        )
        wait_for(f"http://127.0.0.1:{orders_port}/orders/health", processes[-1], orders_log)

        request = urllib.request.Request(
            f"http://127.0.0.1:{orders_port}/orders/get_order",
            data=json.dumps({"order_id": 42}).encode(),
            headers={
                "Content-Type": "application/json",
                "traceparent": f"00-{TRACE_ID}-1111111111111111-01",
            },
        )
        with urllib.request.urlopen(request, timeout=30) as response:
            answer = json.loads(response.read())
        assert answer == {"result": {"order": 42, "customer": {"id": 7, "name": "Ada"}}}

        handled: list[dict[str, Any]] = []
        for _ in range(150):
            handled = [
                line
                for line in json_lines(customers_log)
                if line.get("message") == "handled event order_placed"
            ]
            if handled:
                break
            time.sleep(0.2)
        assert handled, customers_log.read_text()[-3000:]

        # The work was done: the order is in PostgreSQL, the message is remembered in DynamoDB.
        check = subprocess.run(
            [
                PYTHON,
                "-c",
                textwrap.dedent(f"""
                import boto3, sqlalchemy
                engine = sqlalchemy.create_engine({postgres!r})
                with engine.connect() as connection:
                    print(connection.execute(sqlalchemy.text("select id from orders")).scalars().all())
                table = boto3.resource("dynamodb", region_name="us-east-1", endpoint_url="http://127.0.0.1:{moto_port}").Table("customers")
                print(sorted(item["pk"].split("#")[0] for item in table.scan()["Items"]))
            """),
            ],
            capture_output=True,
            text=True,
            env={**os.environ, **aws},
        )
        assert check.stdout.split("\n")[:2] == ["[42]", "['Customer', 'message']"], (
            check.stdout + check.stderr
        )

    finally:
        for process in reversed(processes):
            stop(process)

    # One trace id: both services' spans and log lines, across the HTTP call and the queue hop.
    orders_spans = json_lines(tmp_path / "orders-spans.jsonl")
    customers_spans = json_lines(tmp_path / "customers-spans.jsonl")
    by_name = {
        span["name"]: span
        for span in orders_spans + customers_spans
        if span["trace_id"] == TRACE_ID
    }
    assert {
        "POST /orders/get_order",
        "POST /customers/current_customer",
        "customers-inbox send",
        "customers-inbox process",
    } <= by_name.keys(), sorted(by_name)
    assert by_name["customers-inbox process"]["service"] == "customers"
    assert (
        by_name["customers-inbox process"]["parent_id"]
        == by_name["customers-inbox send"]["span_id"]
    )
    orders_lines = [line for line in json_lines(orders_log) if line.get("trace_id") == TRACE_ID]
    assert {"order stored", "published order_placed to customers-inbox"} <= {
        line["message"] for line in orders_lines
    }
    assert handled[0]["trace_id"] == TRACE_ID
    assert handled[0]["xray_trace_id"] == f"1-{TRACE_ID[:8]}-{TRACE_ID[8:]}"


WITH_CODE_DRIVER = '''
"""Run by the test with the services' python: the inventory service built by --with-code,
the rest of the example monolith importable beside its copy, the monolith's own database."""
import json
import sys

from fastapi.testclient import TestClient

from inventory_service import bridge

sys.path.insert(0, str(bridge.MONOLITH))  # the copies first, as bridge.py does
sys.path.append(sys.argv[1])  # the monolith: its shared kernel and the other contexts

from shop import db  # noqa: E402
from shop.models import Product, StockItem, Warehouse  # noqa: E402

from inventory_service.main import create_app  # noqa: E402
from inventory_service.settings import Settings  # noqa: E402

db.configure("sqlite://")
db.create_all()
with db.transaction() as session:
    berlin = Warehouse(code="BER", name="Berlin", country="DE", priority=1)
    mug = Product(sku="MUG-1", name="Mug", slug="mug", price_cents=900)
    session.add_all([berlin, mug])
    session.flush()
    session.add(StockItem(product=mug, warehouse=berlin, on_hand=7, reserved=2))
    product_id = mug.id

settings = Settings(
    database_url="sqlite://", create_tables=True, consumer_enabled=False, span_file=sys.argv[2]
)
with TestClient(create_app(settings, sqs=object())) as client:
    answers = {
        "availability": client.post("/inventory/availability", json={"product_id": product_id}),
        "availability_for": client.post(
            "/inventory/availability_for", json={"product_ids": [product_id, 999]}
        ),
        "reserve_stock": client.post("/inventory/reserve_stock", json={"order": {"id": 1}}),
    }
print(json.dumps({name: [r.status_code, r.json()] for name, r in answers.items()}))
print(json.dumps({"product_id": product_id}))
'''


@needs_python
def test_with_code_an_operation_answers_with_the_monolith_code(tmp_path: Path) -> None:
    """--with-code wires each operation whose function moved to the copy of that function:
    inventory's `availability` runs the example monolith's own code, over its own database."""
    assert PYTHON
    from click.testing import CliRunner

    from decomposer.cli import main

    example = Path(__file__).resolve().parent.parent.parent / "examples" / "shop"
    result = CliRunner().invoke(
        main, ["scaffold", str(PLAN), "--out", str(tmp_path), "--with-code", str(example), "-q"]
    )
    assert result.exit_code == 0, result.output
    service = tmp_path / "services" / "inventory"
    driver = tmp_path / "driver.py"
    driver.write_text(WITH_CODE_DRIVER)
    run = subprocess.run(
        [PYTHON, str(driver), str(example), str(tmp_path / "spans.jsonl")],
        cwd=service,
        env={**os.environ, "PYTHONPATH": str(service)},
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert run.returncode == 0, run.stdout + run.stderr
    answers_line, ids_line = run.stdout.strip().splitlines()[-2:]
    answers, product_id = json.loads(answers_line), json.loads(ids_line)["product_id"]
    # 7 on hand, 2 reserved: the monolith's own availability query, run inside the service.
    assert answers["availability"] == [200, {"result": 5}]
    assert answers["availability_for"] == [200, {"result": {str(product_id): 5}}]
    # Its function takes an ORM object: the handler says so rather than pass it a dict.
    status, body = answers["reserve_stock"]
    assert status == 501 and "takes the ORM model(s) shop.models:Order" in body["detail"]


# The generated consumer, its inbox and dead-letter queue on moto's server: the stub of an event
# handler the plan names (customers: payment_captured) raises, so the consumer never deletes
# the message; after `max_receive_count` receives SQS moves it to the dead-letter queue. An
# implemented handler, given the next message, acknowledges it (the control).
CONSUME_ONCE = """
import json, time
import boto3
from opentelemetry import trace
from customers_service.events import event_handlers
from customers_service.messaging import Consumer, Publisher, ensure_queue

class Store:
    def __init__(self): self.ids = set()
    def handle_once(self, message_id, event, work):
        if message_id in self.ids:
            return False
        work()
        self.ids.add(message_id)
        return True

sqs = boto3.client("sqs")
url = ensure_queue(sqs, "customers-inbox", visibility_timeout_s=1, max_receive_count=2)
dlq = sqs.get_queue_url(QueueName="customers-inbox-dlq")["QueueUrl"]
tracer = trace.get_tracer("test")
Publisher(sqs, queue_prefix="", tracer=tracer).publish("customers-inbox", "payment_captured", {"order": 1})

def consumer(handlers):
    return Consumer(sqs, queue_url=url, handlers=handlers, store=Store(), tracer=tracer,
                    wait_time_s=1, visibility_timeout_s=1)

def count(queue):
    attributes = sqs.get_queue_attributes(QueueUrl=queue, AttributeNames=["All"])["Attributes"]
    return int(attributes["ApproximateNumberOfMessages"]) + int(attributes["ApproximateNumberOfMessagesNotVisible"])

stub = consumer(event_handlers(None))
result = {"received": [stub.poll_once()], "inbox_after_first": count(url)}
for _ in range(3):
    time.sleep(1.5)
    result["received"].append(stub.poll_once())
result["inbox"], result["dlq"] = count(url), count(dlq)
Publisher(sqs, queue_prefix="", tracer=tracer).publish("customers-inbox", "payment_captured", {"order": 2})
handled = []
result["implemented_received"] = consumer({"payment_captured": handled.append}).poll_once()
result["implemented_handled"], result["inbox_at_end"] = handled, count(url)
print(json.dumps(result))
"""


@needs_python
def test_an_unimplemented_event_handler_leaves_the_message_for_the_dead_letter_queue(
    tmp_path: Path,
) -> None:
    from moto.server import ThreadedMotoServer

    assert PYTHON
    service = scaffold(tmp_path) / "customers"
    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port)
    server.start()
    try:
        run = subprocess.run(
            [PYTHON, "-c", CONSUME_ONCE],
            cwd=service,
            env={
                **os.environ,
                "AWS_ENDPOINT_URL": f"http://127.0.0.1:{port}",
                "AWS_DEFAULT_REGION": "us-east-1",
                "AWS_ACCESS_KEY_ID": "testing",
                "AWS_SECRET_ACCESS_KEY": "testing",
            },
            capture_output=True,
            text=True,
            timeout=120,
        )
    finally:
        server.stop()
    assert run.returncode == 0, run.stderr[-3000:]
    result = json.loads(run.stdout.strip().splitlines()[-1])
    assert result["received"][0] == 1 and result["inbox_after_first"] == 1, result
    assert result["inbox"] == 0 and result["dlq"] == 1, result
    assert result["implemented_received"] == 1, result
    assert result["implemented_handled"] == [{"order": 2}] and result["inbox_at_end"] == 0, result


@needs_python
def test_instances_of_a_rolling_deploy_migrate_postgresql_one_after_another(
    tmp_path: Path, postgres: str
) -> None:
    """Issue 14.2: every new instance runs `alembic upgrade head` as its container starts, so
    two instances of a deploy migrate at once; the migration waits for the lock the other
    holds, then finds the schema at head. Here the test holds that lock itself."""
    assert PYTHON
    services = scaffold(tmp_path)
    orders = services / "orders"
    env = {**os.environ, "DATABASE_URL": postgres}
    lock = "SELECT pg_advisory_lock(hashtext('alembic orders'))"
    holder = subprocess.Popen(
        [PYTHON, "-c", textwrap.dedent(f"""
            import sys, sqlalchemy
            engine = sqlalchemy.create_engine({postgres!r})
            with engine.connect() as connection:
                connection.execute(sqlalchemy.text({lock!r}))
                print("locked", flush=True)
                sys.stdin.readline()
        """)],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "locked"
        migrating = subprocess.Popen(
            [PYTHON, "-m", "alembic", "upgrade", "head"],
            cwd=orders, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        )  # fmt: skip
        # It queues for the advisory lock (pg_locks shows it waiting), and does not finish.
        waiting = "0"
        for _ in range(600):
            if migrating.poll() is not None:
                break
            waiting = subprocess.run(
                [PYTHON, "-c", "import sqlalchemy; print(sqlalchemy.create_engine("
                 f"{postgres!r}).connect().execute(sqlalchemy.text(\"SELECT count(*) FROM"
                 " pg_locks WHERE locktype = 'advisory' AND NOT granted\")).scalar())"],
                capture_output=True, text=True, check=True,
            ).stdout.strip()  # fmt: skip
            if waiting != "0":
                break
            time.sleep(0.2)
        assert waiting == "1", "alembic migrated while another instance held the lock"
        assert migrating.poll() is None
        assert holder.stdin is not None
        holder.stdin.write("\n")
        holder.stdin.flush()
        output, _ = migrating.communicate(timeout=120)
        assert migrating.returncode == 0, output
    finally:
        holder.kill()
        holder.wait()
    again = subprocess.run(
        [PYTHON, "-m", "alembic", "upgrade", "head"],
        cwd=orders, env=env, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert again.returncode == 0, again.stderr
    tables = subprocess.run(
        [PYTHON, "-c", "import sqlalchemy; print(sorted(sqlalchemy.inspect(sqlalchemy."
         f"create_engine({postgres!r})).get_table_names()))"],
        capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    assert "'alembic_version'" in tables and "'orders'" in tables


@needs_python
def test_services_of_a_monolith_nobody_wrote_for_the_tests_pass_ruff_and_their_tests(
    tmp_path: Path, write_tree
) -> None:
    """Two shapes saleor's scaffold met and the example's did not: a parameter named like a
    mapping's method (`keys`: the generated contract tests once passed `dict(request)` as the
    call's arguments, and dict() took the model for a mapping), and a service no other calls
    (no operations: its routes and handlers imported what they did not use, and ruff failed)."""
    repo = write_tree(
        {
            "shop/__init__.py": "",
            "shop/catalog/__init__.py": "",
            "shop/catalog/services.py": """\
                def find(keys, items):
                    return [item for item in items if item in keys]
                """,
            "shop/orders/__init__.py": "",
            "shop/orders/services.py": """\
                from shop.catalog.services import find


                def place(lines):
                    return find(["book"], lines)
                """,
        }
    )
    env = {**os.environ, "DECOMPOSER_CACHE_DIR": str(tmp_path / "cache")}
    out, target = tmp_path / "out", tmp_path / "target"
    for args in (
        ["analyze", str(repo), "--out", str(out), "-q"],
        ["scaffold", str(out / "plan.json"), "--out", str(target), "-q"],
    ):
        done = subprocess.run(
            [sys.executable, "-m", "decomposer", *args], capture_output=True, text=True, env=env
        )
        assert done.returncode == 0, done.stderr
    services = target / "services"
    assert "keys" in (services / "orders" / "tests" / "test_contracts.py").read_text()
    assert "@ROUTER.post" not in (services / "orders" / "orders_service" / "routes.py").read_text()
    for service in sorted(services.iterdir()):
        passes_ruff_and_its_tests(service)
