"""The real Python driver with one deliberate deviation: pthread_sigmask returns the old mask
as a sorted list instead of a set. End-to-end tests check that exactly the cases that look at
that return value fail, and that the report shows the difference."""
import os
import runpy
import signal
import sys

_real = signal.pthread_sigmask


def pthread_sigmask(how, mask):
    return sorted(_real(how, mask))


signal.pthread_sigmask = pthread_sigmask
driver = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "..",
                      "adapters", "python", "driver.py")
sys.argv = [driver] + sys.argv[1:]
runpy.run_path(driver, run_name="__main__")
