from __future__ import annotations

import pytest

from ingest.aws_tags import Arn, ArnError, parse_arn


@pytest.mark.parametrize(
    ("arn", "expected"),
    [
        ("arn:aws:s3:::bucket", Arn("aws", "s3", None, None, "bucket", "bucket")),
        ("arn:aws:s3:::bucket/a/key", Arn("aws", "s3", None, None, "object", "bucket/a/key")),
        (
            "arn:aws:ec2:us-east-1:123:instance/i-1",
            Arn("aws", "ec2", "us-east-1", "123", "instance", "i-1"),
        ),
        (
            "arn:aws:lambda:eu-west-1:123:function:name",
            Arn("aws", "lambda", "eu-west-1", "123", "function", "name"),
        ),
        (
            "arn:aws:lambda:eu-west-1:123:function:name:prod",
            Arn("aws", "lambda", "eu-west-1", "123", "function", "name:prod"),
        ),
        ("arn:aws:rds:us-east-1:123:db:name", Arn("aws", "rds", "us-east-1", "123", "db", "name")),
        (
            "arn:aws:sqs:us-east-1:123:queue-name",
            Arn("aws", "sqs", "us-east-1", "123", "queue", "queue-name"),
        ),
        (
            "arn:aws:dynamodb:us-east-1:123:table/name",
            Arn("aws", "dynamodb", "us-east-1", "123", "table", "name"),
        ),
        (
            "arn:aws:dynamodb:us-east-1:123:table/name/stream/2024",
            Arn("aws", "dynamodb", "us-east-1", "123", "table", "name/stream/2024"),
        ),
        (
            "arn:aws:sns:us-east-1:123:topic",
            Arn("aws", "sns", "us-east-1", "123", "topic", "topic"),
        ),
        (
            "arn:aws-cn:ec2:cn-north-1:123:vpc/vpc-1",
            Arn("aws-cn", "ec2", "cn-north-1", "123", "vpc", "vpc-1"),
        ),
        (
            "arn:aws:elasticloadbalancing:us-east-1:123:loadbalancer/app/web/50dc6c495c0c9188",
            Arn(
                "aws",
                "elasticloadbalancing",
                "us-east-1",
                "123",
                "loadbalancer",
                "app/web/50dc6c495c0c9188",
            ),
        ),
        ("arn:aws:iam::123:role/x", Arn("aws", "iam", None, "123", "role", "x")),
        (
            "arn:aws:kinesis:us-east-1:123:bare",
            Arn("aws", "kinesis", "us-east-1", "123", None, "bare"),
        ),
    ],
)
def test_parse_arn(arn: str, expected: Arn) -> None:
    assert parse_arn(arn) == expected


@pytest.mark.parametrize(
    "text", ["", "arn:aws:s3", "arn:aws:s3:::", "urn:aws:s3:::b", "arn::s3:::b", "arn:aws::r:a:x"]
)
def test_not_an_arn(text: str) -> None:
    with pytest.raises(ArnError):
        parse_arn(text)
