#!/usr/bin/env bash
# Installs the two peers the benchmark compares hsn with: the official Notion JavaScript SDK
# (npm) and the Python SDK (PyPI), into bench/peers only. Nothing of them goes into hsn.
set -euo pipefail
cd "$(dirname "$0")"
(cd js && npm install --no-audit --no-fund --silent)
python3 -m pip install --quiet --target python/site -r python/requirements.txt
echo "peers installed: $(cd js && node -e 'console.log(require("./node_modules/@notionhq/client/package.json").version)') (JS), $(ls python/site | sed -n 's/^notion_client-\(.*\)\.dist-info$/\1/p') (Python)"
