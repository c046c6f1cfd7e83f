"""Run the wrapper backend's metadata hook on one corpus project, as a frontend would (a fresh process).

``python driver.py PROJECT OUTPUT``: the working directory becomes PROJECT, and the wrapper's
``prepare_metadata_for_build_wheel`` writes into OUTPUT.  The exit code and stderr are the
backend's; on success the Requires-Dist lines of the METADATA it wrote are printed as JSON.
"""

from __future__ import annotations

import json
import os
import sys


def main() -> int:
    project, output = sys.argv[1], sys.argv[2]
    os.chdir(project)
    import sourcelift.build as backend

    prepare = backend.prepare_metadata_for_build_wheel
    dist_info = prepare(output, {})
    with open(os.path.join(output, dist_info, "METADATA"), encoding="utf-8") as stream:
        text = stream.read()
    from sourcelift.core_metadata import requires_dist

    print(json.dumps({"requires_dist": requires_dist(text), "metadata": text}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
