"""``python -m fiftyone_plugin.cli``: the ``synthgap`` command."""

import sys

from . import main

sys.exit(main())
