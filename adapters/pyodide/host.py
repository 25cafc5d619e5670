"""Runs adapters/python/driver.py inside Pyodide the way `python3 driver.py ARGS` runs it.

Loaded by runtime.cjs into a freshly restored interpreter. Pyodide has no `python3` program:
its host calls into the interpreter and decides what happens around the call. This module
makes that the same as CPython's own `main`, so that what a case observes at the end of the
process is the language's doing, not the host's:
  - a `SystemExit` gives its code the way CPython reports it (None is 0, an int is itself,
    anything else is printed on standard error and gives 1);
  - any other uncaught exception is printed by `sys.excepthook` and gives 1;
  - an uncaught `KeyboardInterrupt` ends the process by SIGINT, as CPython 3.8+ does;
  - then case.cjs finalises the interpreter (atexit handlers, flushing `sys.stdout`), and a
    failed flush turns the status into 120. A process forked by the fork-server (serve.cjs)
    does what of that a case can observe and skips freeing every object, as the Python
    driver's forked processes do (spec/driver-protocol.md, `serve`): freeing would copy most
    of the pages it shares with the server.
"""

import json
import os
import sys

# Where runtime.cjs puts the driver and the case program in Pyodide's file system.
DRIVER_DIR = "/sigconform"
# A device whose writes runtime.cjs forwards to the real observation descriptor.
OBS_DEVICE = "/dev/sigconform-obs"


def _exit_code(exc):
    """The exit status CPython gives for an uncaught SystemExit."""
    code = exc.code
    if code is None:
        return 0
    if isinstance(code, int):
        return code & 0xFF
    try:
        sys.stderr.write(str(code) + "\n")
    except BaseException:
        pass
    return 1


def run(argv, environ, unavailable, extra, isolation):
    """Runs the driver with `argv` (["driver.py", "describe"] or [..., "run", FILE]) and returns
    the exit status, or the string "SIGINT" when the process must end by that signal.
    `environ` is the process's real environment: the snapshot's is replaced by it."""
    os.environ.clear()
    os.environ.update(environ)
    sys.argv = list(argv)
    if DRIVER_DIR not in sys.path:
        sys.path.insert(0, DRIVER_DIR)
    try:
        import driver  # imported now, so its clock starts with this process
        obs = os.open(OBS_DEVICE, os.O_WRONLY)
        driver.main(list(argv), obs_fd=obs, unavailable=tuple(unavailable), extra=dict(extra),
                    start_fields={"isolation": isolation})
        code = None
    except SystemExit as exc:
        if isolation != "fork-server":
            return _exit_code(exc)
        code = exc.code
    except KeyboardInterrupt:
        sys.excepthook(*sys.exc_info())
        return "SIGINT"
    except BaseException:
        sys.excepthook(*sys.exc_info())
        return 1
    if isolation == "fork-server":
        driver._exit_as_cpython_would(code)  # ends the runtime by os._exit: case.cjs sees it
    return 0


def run_from_file(path):
    """run() with its arguments read from the JSON file `path` (written by runtime.cjs): plain
    values in and out, so that no proxy object outlives the interpreter."""
    with open(path) as f:
        call = json.load(f)
    return run(call["argv"], call["environ"], call["unavailable"], call["extra"],
               call["isolation"])
