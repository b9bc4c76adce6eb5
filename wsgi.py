import faulthandler

from portal import create_app

# A crash in native code (a worker "sent SIGSEGV") leaves every thread's Python traceback in the
# server's log instead of nothing.
faulthandler.enable()

app = create_app()
