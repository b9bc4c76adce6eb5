"""make run's gunicorn workers stop on Ctrl-C, which reaches each worker twice: SIGINT from the
terminal, SIGQUIT from the master. The second signal lands wherever the first's handler is."""

import subprocess
import sys

from tests.running import PROJECT

# A worker of gunicorn.conf.py's class whose thread pool's shutdown takes a second stop signal
# while it holds the pool's lock, where the master's SIGQUIT landed in the hung runs.
SECOND_SIGNAL_DURING_SHUTDOWN = """
import os, runpy, signal, types
from concurrent.futures import ThreadPoolExecutor

conf = runpy.run_path("gunicorn.conf.py")

class PoolTakingASignal(ThreadPoolExecutor):
    signalled = False

    def shutdown(self, wait=True, *, cancel_futures=False):
        with self._shutdown_lock:
            if not self.signalled:
                self.signalled = True
                os.kill(os.getpid(), signal.SIGQUIT)
                sum(range(1000))  # Python runs the handler here, inside the lock
        super().shutdown(wait=wait, cancel_futures=cancel_futures)

worker = conf["worker_class"].__new__(conf["worker_class"])
worker.alive = True
worker.cfg = types.SimpleNamespace(worker_int=lambda worker: None)
worker.tpool = PoolTakingASignal(max_workers=2)
signal.signal(signal.SIGINT, worker.handle_quit)
signal.signal(signal.SIGQUIT, worker.handle_quit)
os.kill(os.getpid(), signal.SIGINT)
"""


def test_a_worker_quits_once_when_ctrl_c_and_the_master_both_stop_it():
    done = subprocess.run(
        [sys.executable, "-c", SECOND_SIGNAL_DURING_SHUTDOWN],
        cwd=PROJECT,
        capture_output=True,
        text=True,
        timeout=20,  # gunicorn's own ThreadWorker waits here for ever
    )
    assert done.returncode == 0, done.stderr
