"""Pages of ``GetResources`` for one account and region, through boto3's paginator.

Throttling and transient errors are retried by botocore (``retries`` in the client ``Config``:
``standard`` or ``adaptive`` mode), never by a loop of ours. Errors come out as two kinds:

* ``CredentialsRejected``: the credentials or the role are refused (expired, invalid, access
  denied). The whole source fails on it.
* ``TargetFailed``: anything else that stops one account/region (a 5xx after retries, an
  endpoint that does not answer, more pages than ``max_pages``). The source degrades.

Messages name the account and region and never include credentials.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

import boto3
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError, NoCredentialsError

from ingest.aws_tags.config import AwsAccount, AwsTagsConfig
from ingest.aws_tags.targets import CredentialsRejected, Target, TargetFailed, targets

AUTH_ERROR_CODES = frozenset(
    {
        "AccessDenied",
        "AccessDeniedException",
        "AuthFailure",
        "ExpiredToken",
        "ExpiredTokenException",
        "IncompleteSignature",
        "InvalidAccessKeyId",
        "InvalidClientTokenId",
        "MissingAuthenticationToken",
        "SignatureDoesNotMatch",
        "UnauthorizedOperation",
        "UnrecognizedClientException",
    }
)
_XML_CODE = re.compile(r"<Code>([^<]+)</Code>")
_XML_MESSAGE = re.compile(r"<Message>([^<]+)</Message>")


PARSE_EVENT = "before-parse.resource-groups-tagging-api.GetResources"


def decode_get_resources(
    response_dict: dict[str, Any], customized_response_dict: dict[str, Any], **_: Any
) -> None:
    """Decode a successful GetResources body with the C JSON decoder instead of botocore's
    shape-walking parser (~70 µs per resource, most of the run at 200k resources).

    The output shape holds only strings, lists and structures, so ``json.loads`` yields exactly
    what botocore would. Anything unexpected (an error status, a body that is not the expected
    JSON object) is left to botocore untouched.
    """
    if response_dict.get("status_code") != 200:
        return
    try:
        doc = json.loads(response_dict["body"])
    except (KeyError, TypeError, ValueError):
        return
    if not isinstance(doc, dict) or not isinstance(doc.get("ResourceTagMappingList", []), list):
        return
    customized_response_dict.update(doc)
    response_dict["body"] = b"{}"


def botocore_config(config: AwsTagsConfig) -> Config:
    return Config(
        retries={"mode": config.retry_mode, "max_attempts": config.max_attempts},
        connect_timeout=config.connect_timeout_seconds,
        read_timeout=config.read_timeout_seconds,
        user_agent_extra="steward-aws-tags",
    )


def describe_client_error(exc: ClientError) -> tuple[str, str]:
    """(code, message) of an AWS error; digs into XML bodies some endpoints send to JSON APIs."""
    error = exc.response.get("Error", {})
    code = str(error.get("Code") or "")
    message = str(error.get("Message") or "")
    if "<Code>" in message:
        found = _XML_CODE.search(message)
        code = found.group(1) if found else code
        found = _XML_MESSAGE.search(message)
        message = found.group(1) if found else message
    if message.lstrip().startswith("<"):  # an HTML error page: keep the status only
        message = ""
    status = exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode")
    if not code:
        code = str(status or "error")
    return code, message


def _is_auth_error(exc: ClientError, code: str) -> bool:
    status = exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode")
    return code in AUTH_ERROR_CODES or code in ("401", "403") or status in (401, 403)


class TaggingClients:
    """Creates one tagging client per target; assumes each account's role once."""

    def __init__(self, config: AwsTagsConfig) -> None:
        self.config = config
        self._botocore_config = botocore_config(config)
        try:
            self._session = boto3.Session(profile_name=config.profile)
        except BotoCoreError as exc:  # e.g. ProfileNotFound
            raise CredentialsRejected(f"cannot create an AWS session: {exc}") from None
        self._sessions: dict[str, boto3.Session] = {}

    def targets(self) -> list[Target]:
        return targets(self.config)

    def client(self, target: Target) -> Any:
        session = self._session if target.account is None else self._assumed(target.account)
        client = session.client(
            "resourcegroupstaggingapi",
            region_name=target.region,
            endpoint_url=self.config.endpoint_url,
            config=self._botocore_config,
        )
        client.meta.events.register(PARSE_EVENT, decode_get_resources)
        return client

    def _assumed(self, account: AwsAccount) -> boto3.Session:
        cached = self._sessions.get(account.account_id)
        if cached is not None:
            return cached
        sts = self._session.client(
            "sts",
            region_name=self.config.regions[0],
            endpoint_url=self.config.endpoint_url,
            config=self._botocore_config,
        )
        params: dict[str, Any] = {
            "RoleArn": account.role_arn,
            "RoleSessionName": "steward-aws-tags",
        }
        if account.external_id is not None:
            params["ExternalId"] = account.external_id
        where = f"account {account.account_id}: assuming {account.role_arn}"
        try:
            creds = sts.assume_role(**params)["Credentials"]
        except ClientError as exc:
            code, message = describe_client_error(exc)
            raise CredentialsRejected(f"{where}: {code} {message}".rstrip()) from None
        except NoCredentialsError:
            raise CredentialsRejected(f"{where}: no AWS credentials found") from None
        except BotoCoreError as exc:
            raise TargetFailed(f"{where}: {exc}") from None
        session = boto3.Session(
            aws_access_key_id=creds["AccessKeyId"],
            aws_secret_access_key=creds["SecretAccessKey"],
            aws_session_token=creds["SessionToken"],
        )
        self._sessions[account.account_id] = session
        return session


def pages(config: AwsTagsConfig, client: Any, target: Target) -> Iterator[list[dict[str, Any]]]:
    """Each page's ``ResourceTagMappingList``; bounded by ``max_pages``."""
    params: dict[str, Any] = {"ResourcesPerPage": config.page_size}
    if config.resource_types:
        params["ResourceTypeFilters"] = list(config.resource_types)
    try:
        paginator = client.get_paginator("get_resources")
        for number, page in enumerate(paginator.paginate(**params), start=1):
            if number > config.max_pages:
                raise TargetFailed(
                    f"{target.label}: more than max_pages={config.max_pages} pages of "
                    f"GetResources; pagination does not end (raise max_pages if the account "
                    f"really has more than {config.max_pages * config.page_size} resources)"
                )
            yield page.get("ResourceTagMappingList") or []
    except ClientError as exc:
        code, message = describe_client_error(exc)
        text = f"{target.label}: GetResources failed: {code} {message}".rstrip()
        if _is_auth_error(exc, code):
            raise CredentialsRejected(text) from None
        raise TargetFailed(text) from None
    except NoCredentialsError:
        raise CredentialsRejected(f"{target.label}: no AWS credentials found") from None
    except BotoCoreError as exc:  # connection errors, PaginationError (a token seen twice), …
        raise TargetFailed(f"{target.label}: {exc}") from None
