"""The real Python driver with one deliberate bug for `sigconform explore` to find:
pthread_sigmask returns the new mask instead of the one that was in force before the call."""
import os
import runpy
import signal
import sys

_real = signal.pthread_sigmask


def pthread_sigmask(how, mask):
    _real(how, mask)
    return _real(signal.SIG_BLOCK, [])


signal.pthread_sigmask = pthread_sigmask
driver = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "..",
                      "adapters", "python", "driver.py")
sys.argv = [driver] + sys.argv[1:]
runpy.run_path(driver, run_name="__main__")
