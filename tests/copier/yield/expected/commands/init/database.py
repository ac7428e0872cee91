print("This is the `database` subcommand in the `init` command")
