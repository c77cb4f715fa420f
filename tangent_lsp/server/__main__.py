"""``python -m tangent_lsp.server``: the language server over stdio."""

import sys

from tangent_lsp.server import main

sys.exit(main())
