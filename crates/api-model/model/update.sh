#!/usr/bin/env bash
# Refreshes stepfunctions-2016-11-23.json from a pip-installed botocore.
#
#   crates/api-model/model/update.sh                 # uses the first python3 on PATH
#   PYTHON=/path/to/venv/bin/python crates/api-model/model/update.sh
#
# The python must be able to `import botocore` (pip install botocore). The model is written
# decompressed and byte-for-byte as botocore ships it; NOTICE records the botocore version.
# Afterwards run `cargo test -p fluxo-api-model`: the tests pin the operation count and the
# recorded AWS messages, so a model change that alters AWS's answers shows up there.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
python="${PYTHON:-python3}"
"$python" - "$here" <<'PY'
import gzip, os, re, sys
import botocore

here = sys.argv[1]
data = os.path.join(os.path.dirname(botocore.__file__), "data", "stepfunctions", "2016-11-23")
plain, packed = os.path.join(data, "service-2.json"), os.path.join(data, "service-2.json.gz")
if os.path.exists(packed):
    body = gzip.open(packed).read()
elif os.path.exists(plain):
    body = open(plain, "rb").read()
else:
    sys.exit(f"botocore {botocore.__version__} has no Step Functions model under {data}")
with open(os.path.join(here, "stepfunctions-2016-11-23.json"), "wb") as out:
    out.write(body)
notice = os.path.join(here, "NOTICE")
text = open(notice).read()
text = re.sub(r"Vendored from botocore [^ ]+ by", f"Vendored from botocore {botocore.__version__} by", text)
open(notice, "w").write(text)
print(f"stepfunctions-2016-11-23.json: {len(body)} bytes from botocore {botocore.__version__}")
PY
