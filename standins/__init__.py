"""Stand-ins: local servers that speak a vendor's API, for ``steward demo``, tests and benchmarks.

Each module serves one vendor on 127.0.0.1 (a free port) on top of ``standins.server``:
``pagerduty`` (REST API from a compact fixture), ``aws`` (a moto server seeded with boto3, and a
fast Tagging API ``GetResources`` server), ``github`` (REST API of an organisation's repositories),
``backstage`` (the catalog's ``entities/by-query``). Sources never import this package; moto comes
with the ``demo`` extra (``pip install -e '.[demo]'``, which ``make install`` does).
"""
