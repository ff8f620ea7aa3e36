"""A local moto server holding the example organisation's AWS resources (``steward demo``).

``start_demo_aws(fixture)`` starts moto's ``ThreadedMotoServer`` on 127.0.0.1 (a free port),
creates every resource of the fixture through real boto3 calls (EC2 ``run_instances`` with
``TagSpecifications``, S3 ``create_bucket`` + ``put_bucket_tagging``, Lambda
``create_function``, RDS ``create_db_instance``, SQS ``create_queue``, DynamoDB
``create_table``) and returns ``(server, endpoint_url)``. Point an ``aws_tags`` source's
``endpoint_url`` at it; call ``server.stop()`` when done.

The fixture (``examples/aws/resources.json``) is ``{"resources": [{"kind", "region", "name",
"tags"}]}`` with kind one of ``ec2_instance``, ``s3_bucket``, ``lambda_function``, ``rds_db``,
``sqs_queue``, ``dynamodb_table``.

moto accepts any credentials; the source still needs *some* from boto3's chain, so
``start_demo_aws`` sets dummy ``AWS_ACCESS_KEY_ID``/``AWS_SECRET_ACCESS_KEY`` in the environment
when none are set (they only ever reach the local server).
"""

from __future__ import annotations

import io
import json
import logging
import os
import socket
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import boto3
import httpx

DEMO_ACCOUNT_ID = "123456789012"
"""moto's default account: resources created with any credentials land here."""
_LAMBDA_ROLE = "steward-demo-lambda"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start_moto_server(port: int | None = None) -> tuple[Any, str]:
    """A running ThreadedMotoServer on 127.0.0.1 and its endpoint URL."""
    from moto.server import ThreadedMotoServer

    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # one log line per request
    port = port or free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    url = f"http://127.0.0.1:{port}"
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
