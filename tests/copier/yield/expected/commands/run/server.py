print("This is the `server` subcommand in the `run` command")
