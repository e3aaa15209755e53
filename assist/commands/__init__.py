"""One module per `assist` subcommand: `register(subparsers, common)` adds it, `args.func` runs it."""
