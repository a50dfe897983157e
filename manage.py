#!/usr/bin/env python
"""Django's manage.py for developers; users run the `sustain` command instead."""

import sys

from sustain.cli import main

if __name__ == "__main__":
    sys.exit(main())
