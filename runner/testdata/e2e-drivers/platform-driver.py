"""The real Python driver describing itself as another platform, with the platform numbers
given on its command line (spec/case-format.md, "Platform values"):

    platform-driver.py PLATFORM NAME=N,NAME=N|none describe|run ...

End-to-end tests use it to check where the runner takes those numbers from: its own
<signal.h> on Linux, whatever the driver reports; the driver's `constants` on an emulated
platform, where a number the driver leaves out makes the cases that need it `unsupported`."""
import os
import runpy
import sys

here = os.path.dirname(os.path.abspath(__file__))
driver = os.path.join(here, "..", "..", "..", "adapters", "python", "driver.py")
module = runpy.run_path(driver, run_name="sigconform_driver")
platform, numbers = sys.argv[1], sys.argv[2]
constants = {}
if numbers != "none":
    for item in numbers.split(","):
        name, value = item.split("=")
        constants[name] = int(value)
extra = {"platform": platform, "constants": constants}
if platform != "linux":
    extra.update(kernel=None, fork_server=False)
module["main"]([driver] + sys.argv[3:], extra=extra)
