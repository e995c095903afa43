"""The command line shared by the benchmark programs: each function named cmd_<name> of a program is a
subcommand <name> (underscores become dashes), its parameters the subcommand's arguments (a parameter with a
default is optional, *args takes one or more), its docstring the help."""
import argparse
import inspect


def run(namespace, doc):
    commands = {name[4:].replace("_", "-"): fn for name, fn in namespace.items() if name.startswith("cmd_")}
    parser = argparse.ArgumentParser(description=doc, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name, fn in commands.items():
        p = sub.add_parser(name, help=" ".join((fn.__doc__ or "").split()), description=fn.__doc__)
        for param in inspect.signature(fn).parameters.values():
            p.add_argument(param.name, nargs="+" if param.kind is param.VAR_POSITIONAL
                           else None if param.default is param.empty else "?")
    args = parser.parse_args()
    fn = commands[args.command]
    values = []
    for param in inspect.signature(fn).parameters.values():
        v = getattr(args, param.name)
        values += v if param.kind is param.VAR_POSITIONAL else [v]
    fn(*values)
