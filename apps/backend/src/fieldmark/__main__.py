"""`python -m fieldmark` runs the command-line interface."""

from fieldmark.bootstrap.cli import main

raise SystemExit(main())
