"""A background job run in its own process (``python -m MODULE``), at most one at a time
per server process.

The job loop must never wait for slow work (training a model, embedding articles): it
starts the job's module as a subprocess and goes on. The subprocess takes its own lease
(``central.job_lease``), so two server processes that both start one do the work once.
The database URL travels in the environment, not in argv, where it would show a password.
"""

from __future__ import annotations

import asyncio
import logging
import os
import sys
from pathlib import Path


class JobProcess:
    """Starts ``python -m module ARGS`` when asked and none of its runs is still going."""

    def __init__(self, module: str, label: str, log: logging.Logger) -> None:
        self.module = module
        self.label = label
        self.log = log
        self.tasks: set[asyncio.Task[None]] = set()

    def running(self) -> bool:
        return any(not t.done() for t in self.tasks)

    def start(self, db_url: str, *args: str) -> None:
        task = asyncio.create_task(self._run(db_url, args))
        self.tasks.add(task)
        task.add_done_callback(self.tasks.discard)

    async def _run(self, db_url: str, args: tuple[str, ...]) -> None:
        root = str(Path(__file__).resolve().parents[1])
        env = {**os.environ, "WORKSTATION_DB_URL": db_url}
        env["PYTHONPATH"] = os.pathsep.join(p for p in (root, env.get("PYTHONPATH")) if p)
        proc = await asyncio.create_subprocess_exec(
            sys.executable, "-m", self.module, *args,
            env=env, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT,
        )  # fmt: skip
        try:
            out, _ = await proc.communicate()
        except asyncio.CancelledError:
            proc.terminate()  # the server is stopping: the job stops and its lease ends
            raise
        text = out.decode(errors="replace").strip()
        if proc.returncode == 0:
            self.log.info("%s: %s", self.label, text.splitlines()[-1] if text else "done")
        else:
            self.log.warning("%s failed (exit %s): %s", self.label, proc.returncode, text[-2000:])
