"""``python -m sessionlab serve APP``: see ``sessionlab.cli.serve``."""

import sys

from sessionlab.cli.serve import main

sys.exit(main())
