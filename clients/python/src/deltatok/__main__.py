import sys

from .tail import main

sys.exit(main())
