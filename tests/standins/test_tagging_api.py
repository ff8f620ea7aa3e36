"""The GetResources stand-in serves each page as the JSON of that page, items encoded once."""

from __future__ import annotations

import json

import httpx

from standins.aws import TARGET, FakeTaggingApi, generate_resources

EAST = "us-east-1"


def _page(api: FakeTaggingApi, region: str, body: dict[str, object]) -> bytes:
    headers = {
        "X-Amz-Target": TARGET,
        "Authorization": f"AWS4-HMAC-SHA256 Credential=AK/20260101/{region}/tagging/aws4_request",
    }
    answer = httpx.post(api.endpoint_url, content=json.dumps(body), headers=headers, timeout=10)
    assert answer.status_code == 200
    return answer.content


def test_pages_are_the_json_of_their_items_and_follow_a_replaced_list() -> None:
    items = generate_resources(25, EAST)
    with FakeTaggingApi({EAST: items}) as api:
        for offset, token in ((0, "10"), (10, "20"), (20, "")):
            body = {"ResourcesPerPage": 10, **({"PaginationToken": str(offset)} if offset else {})}
            expected = {"PaginationToken": token, "ResourceTagMappingList": items[offset:][:10]}
            assert _page(api, EAST, body) == json.dumps(expected).encode()
        assert (
            _page(api, "eu-west-1", {}) == b'{"PaginationToken": "", "ResourceTagMappingList": []}'
        )
        api.resources[EAST] = generate_resources(3, EAST, start=100)
        served = json.loads(_page(api, EAST, {"ResourcesPerPage": 10}))
        assert served["ResourceTagMappingList"] == api.resources[EAST]
