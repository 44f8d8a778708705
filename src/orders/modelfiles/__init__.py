"""Inspection of uploaded 3D model files: what they are, how big, and whether to refuse them.

Customers upload STEP, STL, IGES, OBJ and 3MF files for quotes. Each upload is judged by
its bytes, never its name, because the name is the one part an attacker chooses freely
and the one part that costs nothing to fake. The checks are pure Python with no third-party
parser, so the same code runs in the view, in a background task and in tests, and has no
native attack surface beyond zlib and expat, which ship with Python.

Every refusal is a ModelFileRejected with a stable `code` (tests and the API match on it)
and a `message` for the customer. The caller stores nothing until inspection succeeds, so
a refused upload leaves nothing behind.

Modules: `inspection` decides the format and owns the size limit; `stl`, `step`, `iges`,
`obj` and `threemf` each check one format; `archive` holds every defence against hostile
ZIP containers; `mesh` measures box and volume; `names` cleans the display name.
"""

from orders.modelfiles.archive import ArchiveLimits
from orders.modelfiles.inspection import DEFAULT_ARCHIVE_LIMITS, inspect_model_file
from orders.modelfiles.names import safe_display_name
from orders.modelfiles.result import BoundingBox, Format, ModelFileInfo, ModelFileRejected, RejectionCode

__all__ = [
    "DEFAULT_ARCHIVE_LIMITS",
    "ArchiveLimits",
    "BoundingBox",
    "Format",
    "ModelFileInfo",
    "ModelFileRejected",
    "RejectionCode",
    "inspect_model_file",
    "safe_display_name",
]
