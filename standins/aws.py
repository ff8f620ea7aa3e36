"""Two AWS stand-ins: a real moto server seeded with boto3, and a fast Tagging API server.

**moto** (``steward demo`` and the integration tests): ``start_demo_aws(fixture)`` starts moto's
``ThreadedMotoServer`` on 127.0.0.1 (a free port), creates every resource of the fixture through
real boto3 calls (EC2 ``run_instances`` with ``TagSpecifications``, S3 ``create_bucket`` +
``put_bucket_tagging``, Lambda ``create_function``, RDS ``create_db_instance``, SQS
``create_queue``, DynamoDB ``create_table``) and returns ``(server, endpoint_url)``. Point an
``aws_tags`` source's ``endpoint_url`` at it; call ``server.stop()`` when done.

The fixture (``examples/aws/resources.json``) is ``{"resources": [{"kind", "region", "name",
"tags"}]}`` with kind one of ``ec2_instance``, ``s3_bucket``, ``lambda_function``, ``rds_db``,
``sqs_queue``, ``dynamodb_table``.

moto accepts any credentials; the source still needs *some* from boto3's chain, so
``start_demo_aws`` sets dummy ``AWS_ACCESS_KEY_ID``/``AWS_SECRET_ACCESS_KEY`` in the environment
when none are set (they only ever reach the local server).

**FakeTaggingApi** (the fault tests and the 200k-resource benchmark; moto needs minutes to create
that many): a small server on 127.0.0.1 speaking the Tagging API's ``GetResources`` JSON protocol
(``X-Amz-Target: ResourceGroupsTaggingAPI_20170126.GetResources``, ``ResourcesPerPage``,
``PaginationToken``), with the region taken from the request's SigV4 credential scope. It injects
faults: failing regions (HTTP 500), endless pagination, throttling (``ThrottlingException`` for
the first N requests) and rejected credentials. ``generate_resources`` makes its data.
"""

from __future__ import annotations

import io
import json
import logging
import os
import re
import threading
import zipfile
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import Any

import boto3
import httpx

from standins.server import LOCALHOST, LocalServer, free_port

DEMO_ACCOUNT_ID = "123456789012"
"""moto's default account: resources created with any credentials land here."""
_LAMBDA_ROLE = "steward-demo-lambda"


def start_moto_server(port: int | None = None) -> tuple[Any, str]:
    """A running ThreadedMotoServer on 127.0.0.1 and its endpoint URL."""
    from moto.server import ThreadedMotoServer

    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # one log line per request
    port = port or free_port()
    server = ThreadedMotoServer(ip_address=LOCALHOST, port=port, verbose=False)
    server.start()
    url = f"http://{LOCALHOST}:{port}"
    # moto keeps its backends in module globals: a second server in the same process would
    # start with the first one's resources (and refuse to create them again). Start empty.
    httpx.post(f"{url}/moto-api/reset", timeout=10).raise_for_status()
    return server, url


def start_demo_aws(fixture_path: Path | str) -> tuple[Any, str]:
    """Start a moto server holding the fixture's resources; returns (server, endpoint_url)."""
    os.environ.setdefault("AWS_ACCESS_KEY_ID", "steward-demo")
    os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "steward-demo")
    server, endpoint_url = start_moto_server()
    try:
        seed(endpoint_url, load_fixture(fixture_path))
    except BaseException:
        server.stop()
        raise
    return server, endpoint_url


def load_fixture(path: Path | str) -> list[dict[str, Any]]:
    doc = json.loads(Path(path).read_text(encoding="utf-8"))
    resources = doc["resources"] if isinstance(doc, dict) else doc
    assert isinstance(resources, list)
    return resources


def seed(
    endpoint_url: str,
    resources: list[dict[str, Any]],
    *,
    credentials: tuple[str, str] = ("steward-demo", "steward-demo"),
) -> None:
    """Create ``resources`` on the server at ``endpoint_url`` with real boto3 calls."""
    seeder = _Seeder(endpoint_url, credentials)
    for resource in resources:
        seeder.create(resource)


class _Seeder:
    def __init__(self, endpoint_url: str, credentials: tuple[str, str]) -> None:
        self.endpoint_url = endpoint_url
        self.session = boto3.Session(
            aws_access_key_id=credentials[0], aws_secret_access_key=credentials[1]
        )
        self._clients: dict[tuple[str, str], Any] = {}
        self._images: dict[str, str] = {}
        self._role_arn: str | None = None
        self._creators: dict[str, Callable[[str, str, dict[str, str]], None]] = {
            "ec2_instance": self._ec2_instance,
            "s3_bucket": self._s3_bucket,
            "lambda_function": self._lambda_function,
            "rds_db": self._rds_db,
            "sqs_queue": self._sqs_queue,
            "dynamodb_table": self._dynamodb_table,
        }

    def client(self, service: str, region: str) -> Any:
        key = (service, region)
        if key not in self._clients:
            self._clients[key] = self.session.client(
                service, region_name=region, endpoint_url=self.endpoint_url
            )
        return self._clients[key]

    def create(self, resource: dict[str, Any]) -> None:
        kind = resource["kind"]
        if kind not in self._creators:
            raise ValueError(f"unknown resource kind {kind!r} (known: {sorted(self._creators)})")
        tags = {str(k): str(v) for k, v in (resource.get("tags") or {}).items()}
        self._creators[kind](resource["region"], resource["name"], tags)

    @staticmethod
    def _tag_list(tags: dict[str, str]) -> list[dict[str, str]]:
        return [{"Key": k, "Value": v} for k, v in tags.items()]

    def _ec2_instance(self, region: str, name: str, tags: dict[str, str]) -> None:
        ec2 = self.client("ec2", region)
        if region not in self._images:
            images = ec2.describe_images(Owners=["amazon"])["Images"]
            self._images[region] = images[0]["ImageId"]
        params: dict[str, Any] = {
            "ImageId": self._images[region],
            "InstanceType": "t3.micro",
            "MinCount": 1,
            "MaxCount": 1,
        }
        if tags:
            params["TagSpecifications"] = [
                {"ResourceType": "instance", "Tags": self._tag_list(tags)}
            ]
        ec2.run_instances(**params)

    def _s3_bucket(self, region: str, name: str, tags: dict[str, str]) -> None:
        s3 = self.client("s3", region)
        params: dict[str, Any] = {"Bucket": name}
        if region != "us-east-1":
            params["CreateBucketConfiguration"] = {"LocationConstraint": region}
        s3.create_bucket(**params)
        if tags:
            s3.put_bucket_tagging(Bucket=name, Tagging={"TagSet": self._tag_list(tags)})

    def _lambda_role(self) -> str:
        if self._role_arn is None:
            iam = self.client("iam", "us-east-1")
            trust = {
                "Version": "2012-10-17",
                "Statement": [
                    {
                        "Effect": "Allow",
                        "Principal": {"Service": "lambda.amazonaws.com"},
                        "Action": "sts:AssumeRole",
                    }
                ],
            }
            role = iam.create_role(
                RoleName=_LAMBDA_ROLE, AssumeRolePolicyDocument=json.dumps(trust)
            )
            self._role_arn = str(role["Role"]["Arn"])
        return self._role_arn

    def _lambda_function(self, region: str, name: str, tags: dict[str, str]) -> None:
        code = io.BytesIO()
        with zipfile.ZipFile(code, "w") as archive:
            archive.writestr("handler.py", "def handler(event, context):\n    return event\n")
        self.client("lambda", region).create_function(
            FunctionName=name,
            Runtime="python3.11",
            Role=self._lambda_role(),
            Handler="handler.handler",
            Code={"ZipFile": code.getvalue()},
            Tags=tags,
        )

    def _rds_db(self, region: str, name: str, tags: dict[str, str]) -> None:
        self.client("rds", region).create_db_instance(
            DBInstanceIdentifier=name,
            DBInstanceClass="db.t3.micro",
            Engine="postgres",
            AllocatedStorage=20,
            MasterUsername="steward",
            MasterUserPassword="steward-demo-only",
            Tags=self._tag_list(tags),
        )

    def _sqs_queue(self, region: str, name: str, tags: dict[str, str]) -> None:
        self.client("sqs", region).create_queue(QueueName=name, tags=tags)

    def _dynamodb_table(self, region: str, name: str, tags: dict[str, str]) -> None:
        self.client("dynamodb", region).create_table(
            TableName=name,
            KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
            AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
            BillingMode="PAY_PER_REQUEST",
            Tags=self._tag_list(tags),
        )


# -- the Tagging API stand-in -------------------------------------------------------------
TARGET = "ResourceGroupsTaggingAPI_20170126.GetResources"
_SCOPE = re.compile(r"Credential=[^/]+/\d{8}/([^/]+)/")
Item = dict[str, Any]

ARN_KINDS = (
    # (service, ARN tail) of the six resource types; the tail formats region, account and n
    ("ec2", "{region}:{account}:instance/i-{n:017x}"),
    ("s3", "::bench-bucket-{n}"),
    ("lambda", "{region}:{account}:function:fn-{n}"),
    ("rds", "{region}:{account}:db:db-{n}"),
    ("sqs", "{region}:{account}:queue-{n}"),
    ("dynamodb", "{region}:{account}:table/table-{n}"),
)


def generate_resources(count: int, region: str, *, start: int = 0, teams: int = 50) -> list[Item]:
    """``count`` resources of six types; one in 20 without an owner tag."""
    items: list[Item] = []
    for n in range(start, start + count):
        service, tail = ARN_KINDS[n % len(ARN_KINDS)]
        arn = f"arn:aws:{service}:" + tail.format(region=region, account="123456789012", n=n)
        tags = [
            {"Key": "Name", "Value": f"resource-{n}"},
            {"Key": "env", "Value": "prod" if n % 3 else "staging"},
            {"Key": "service", "Value": f"component-{n % 2000}"},
            {"Key": "cost-center", "Value": f"cc-{n % 97}"},
        ]
        if n % 20:
            tags.append({"Key": "team", "Value": f"team-{n % teams}"})
        items.append({"ResourceARN": arn, "Tags": tags})
    return items


class FakeTaggingApi(LocalServer):
    """A GetResources server on 127.0.0.1; ``resources`` maps region → items. Use as a context
    manager; ``endpoint_url`` is where to point the source."""

    def __init__(self, resources: dict[str, list[Item]]) -> None:
        self.resources = resources
        self.fail_regions: set[str] = set()
        self.endless = False
        self.throttle_requests = 0
        self.reject_credentials: str | None = None  # an error code such as "ExpiredTokenException"
        self.requests = 0
        self._lock = threading.Lock()
        self._encoded: dict[str, tuple[int, int, list[bytes]]] = {}
        for region in resources:  # before serving: the first listing does not pay for it
            self._encoded_items(region)
        api = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            disable_nagle_algorithm = True  # headers and body go out in two writes
            error_content_type = "application/x-amz-json-1.1"

            def log_message(self, format: str, *args: Any) -> None:
                return None

            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                status, payload = api.answer(self.headers, body)
                self.send_response(status)
                self.send_header("Content-Type", "application/x-amz-json-1.1")
                self.send_header("Content-Length", str(len(payload)))
                self.send_header("x-amzn-RequestId", "00000000-0000-0000-0000-000000000000")
                self.end_headers()
                self.wfile.write(payload)

        super().__init__(Handler)

    @property
    def endpoint_url(self) -> str:
        return self.base_url

    @staticmethod
    def _error(status: int, code: str, message: str) -> tuple[int, bytes]:
        return status, json.dumps({"__type": code, "message": message}).encode()

    def answer(self, headers: Any, body: bytes) -> tuple[int, bytes]:
        with self._lock:
            self.requests += 1
            throttled = self.requests <= self.throttle_requests
        if headers.get("X-Amz-Target") != TARGET:
            return self._error(400, "UnknownOperationException", "only GetResources is served")
        if self.reject_credentials:
            return self._error(400, self.reject_credentials, "The security token has expired.")
        if throttled:
            return self._error(400, "ThrottlingException", "Rate exceeded")
        found = _SCOPE.search(headers.get("Authorization") or "")
        region = found.group(1) if found else "us-east-1"
        if region in self.fail_regions:
            return self._error(500, "InternalServiceException", f"{region} is unavailable")
        request = json.loads(body or b"{}")
        per_page = int(request.get("ResourcesPerPage") or 50)
        offset = int(request.get("PaginationToken") or 0)
        items = self._encoded_items(region)
        page = b", ".join(items[offset : offset + per_page])
        token = str(offset + per_page) if offset + per_page < len(items) or self.endless else ""
        # the bytes json.dumps({"PaginationToken": token, "ResourceTagMappingList": page})
        # gives, from items encoded once: serving 2,000 pages of 200,000 resources
        # re-encoded every item on every run
        head = json.dumps({"PaginationToken": token})[:-1].encode()
        return 200, head + b', "ResourceTagMappingList": [' + page + b"]}"

    def _encoded_items(self, region: str) -> list[bytes]:
        """``region``'s items, each JSON-encoded once (again if the list is replaced)."""
        items = self.resources.get(region, [])
        with self._lock:
            cached = self._encoded.get(region)
            if cached is None or cached[:2] != (id(items), len(items)):
                cached = (id(items), len(items), [json.dumps(i).encode() for i in items])
                self._encoded[region] = cached
        return cached[2]
