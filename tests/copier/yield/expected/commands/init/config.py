print("This is the `config` subcommand in the `init` command")
