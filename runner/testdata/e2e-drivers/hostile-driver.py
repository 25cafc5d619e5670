"""The real Python driver, made hostile to the reports: every string it can put into a report
is a small attack on one of the formats. Its executable name, the messages of the exceptions
pthread_sigmask raises, the strings it returns and its stderr hold characters XML 1.0 cannot
carry (U+FFFE, U+FFFF, NUL, ESC), CDATA and element terminators, script tags and event handlers,
Markdown headings, links and fences, ANSI escapes, bidirectional overrides and bytes that are no
UTF-8. The format tests check that every report still parses and shows all of it as text."""
import os
import runpy
import signal
import sys

HOSTILE = ("\ufffe\uffff\x00\x07 ]]> </testcase></testsuite> <![CDATA[x]]> "
           "<script>window.__pwned=1</script><img src=x onerror=\"window.__pwned=2\"> "
           "\n# Fake heading\n[click](javascript:window.__pwned=3) <b>bold</b> | pipe | "
           "``` fence ```` \x1b[31mRED\x1b[0m \x1b]0;title\x07 \u202eevil\u202c &amp; 'q\" "
           "**strong** https://example.invalid/autolink")

_real = signal.pthread_sigmask


def pthread_sigmask(how, mask):
    if how == signal.SIG_BLOCK:
        # Raw bytes on stderr, from the case's own process (a fork-server's case process too):
        # invalid UTF-8, a lone continuation byte, an overlong '/'.
        os.write(2, b"stderr: \xff\xfe\x80 \xc0\xaf " + HOSTILE.encode("utf-8", "surrogatepass") + b"\n")
        raise ValueError(HOSTILE)
    return HOSTILE


signal.pthread_sigmask = pthread_sigmask
sys.executable = HOSTILE
driver = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "..",
                      "adapters", "python", "driver.py")
sys.argv = [driver] + sys.argv[1:]
runpy.run_path(driver, run_name="__main__")
