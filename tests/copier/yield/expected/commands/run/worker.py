print("This is the `worker` subcommand in the `run` command")
