"""``python -m labkit <command>``: what the Makefile runs. A LabError prints as one line and exits 1."""

from __future__ import annotations

import argparse
import sys

from rich.console import Console

from . import config as _config
from .errors import LabError


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m labkit", description="Serverless Lab Kit commands")
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("up", help="start the local cloud in the background and wait until it is healthy")
    commands.add_parser("down", help="stop the local cloud, saving its state")
    commands.add_parser("status", help="show the local cloud's components and endpoints")
    commands.add_parser("target", help="check the target (local cloud or AWS account) and show it")
    commands.add_parser("trust", help="add the local cloud's CA to your browsers (NSS) and say how to trust it elsewhere")
    commands.add_parser("lab", help="start JupyterLab on labs/ with boto3 pointed at the target")
    env_command = commands.add_parser("env", help="print shell exports that point the AWS CLI and boto3 at the target")
    env_command.add_argument("--node", action="store_true",
                             help="also for node programs: *.localhost resolved, the local CA trusted, Cognito's "
                                  "keys read from the local cloud")
    args = parser.parse_args(argv)
    try:
        cfg = _config.load()
        if args.command in ("up", "down", "status") and not cfg.local:
            raise LabError(f"`{args.command}` manages the local cloud, but LAB_TARGET=aws: unset LAB_TARGET to use it")
        if args.command == "up":
            from .cloud import control

            control.up(cfg)
        elif args.command == "down":
            from .cloud import control

            control.down(cfg)
        elif args.command == "status":
            from .cloud import control

            control.status(cfg)
        elif args.command == "target":
            from .environment import show_target

            show_target(cfg)
        elif args.command == "trust":
            from .trust import trust

            trust(cfg)
        elif args.command == "lab":
            import os

            from .target import activate

            if cfg.local:  # make lab starts the local cloud first (a no-op when it runs); on AWS there is none
                from .cloud import control

                control.up(cfg)
            activate(cfg)
            os.execvp(sys.executable, [sys.executable, "-m", "jupyter", "lab", "--ServerApp.ip=127.0.0.1",
                                       f"--ServerApp.root_dir={_config.PROJECT_ROOT / 'labs'}"])
        elif args.command == "env":
            import shlex

            from .target import activate, node_environment

            env: dict[str, str] = {}
            activate(cfg, env)
            if cfg.local and args.node:
                env.update(node_environment(cfg))
            for key, value in sorted(env.items()):
                print(f"export {key}={shlex.quote(value)}")
            if cfg.local:
                print("unset AWS_PROFILE AWS_SESSION_TOKEN")
    except LabError as exc:
        from rich.markup import escape

        # soft_wrap: the message stays one line (a pipe or make's output would otherwise wrap it at 80 columns)
        Console(stderr=True, highlight=False, soft_wrap=True).print(f"[bold red]error:[/bold red] {escape(str(exc))}")
        return 1
    except KeyboardInterrupt:
        return 130
    return 0
