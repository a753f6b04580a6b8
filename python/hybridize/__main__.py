"""`python -m hybridize ARGS`: runs the `hybridize` executable this package installed."""

import os
import sys
import sysconfig


def find_hybridize_bin() -> str:
    """The path of the `hybridize` executable installed with this package."""
    exe = "hybridize" + (sysconfig.get_config_var("EXE") or "")

    scripts_path = os.path.join(sysconfig.get_path("scripts"), exe)
    if os.path.isfile(scripts_path):
        return scripts_path

    # `pip install --user`.
    if sys.version_info >= (3, 10):
        user_scheme = sysconfig.get_preferred_scheme("user")
    elif os.name == "nt":
        user_scheme = "nt_user"
    elif sys.platform == "darwin" and getattr(sys, "_framework", None):
        user_scheme = "osx_framework_user"
    else:
        user_scheme = "posix_user"
    user_path = os.path.join(sysconfig.get_path("scripts", scheme=user_scheme), exe)
    if os.path.isfile(user_path):
        return user_path

    # `pip install --target DIR`: the executable is in DIR/bin.
    target_path = os.path.join(os.path.dirname(os.path.dirname(__file__)), "bin", exe)
    if os.path.isfile(target_path):
        return target_path

    raise FileNotFoundError(
        f"the hybridize executable was not found (looked in {scripts_path}, "
        f"{user_path} and {target_path})"
    )


def main() -> None:
    hybridize = os.fsdecode(find_hybridize_bin())
    if sys.platform == "win32":
        import subprocess

        sys.exit(subprocess.run([hybridize, *sys.argv[1:]]).returncode)
    os.execvp(hybridize, [hybridize, *sys.argv[1:]])


if __name__ == "__main__":
    main()
