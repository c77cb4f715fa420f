"""``python -m tangent_lsp``: the same as the ``tangent-lsp`` console script."""

import sys

from tangent_lsp.cli import main

sys.exit(main())
