import sys

from tracy_mcp.cli import main

sys.exit(main())
