"""Fetch every page of a data source with the Python SDK's own pagination helper.

Usage: NOTION_API_BASE=http://127.0.0.1:PORT NOTION_API_TOKEN=… python fetch.py DATA_SOURCE_ID
Prints one JSON line: {"pages": N, "seconds": S}.
"""
import json
import os
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "site"))
from notion_client import Client  # noqa: E402
from notion_client.helpers import collect_paginated_api  # noqa: E402

notion = Client(auth=os.environ["NOTION_API_TOKEN"], base_url=os.environ["NOTION_API_BASE"], timeout_ms=120000)
started = time.perf_counter()
pages = collect_paginated_api(notion.data_sources.query, data_source_id=sys.argv[1])
print(json.dumps({"pages": len(pages), "seconds": time.perf_counter() - started}))
