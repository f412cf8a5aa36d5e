# Configuration for every IPython kernel started from the project's environment
# (`make env` copies this file to .venv/etc/ipython/, where ipykernel reads it).
#
# ipykernel 7.4 warns, each time a kernel starts, "Kernel is running over TCP without
# encryption ..." unless the kernel manager provisions CurveZMQ keys.  The managers that
# run this book's notebooks (myst-nb in `make book`, nbval in `make test`, nbclient in
# `make notebooks`) accept no configuration file, and each kernel they start listens on
# 127.0.0.1 only, with every message signed (HMAC-SHA256) by a fresh key.  The notice
# therefore tells nobody anything, once per chapter: drop exactly that record and keep
# every other kernel warning.
import logging

_NOTICE = "Kernel is running over TCP without encryption."


class _DropPlainTcpNotice(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        return not record.getMessage().startswith(_NOTICE)


logging.getLogger("IPKernelApp").addFilter(_DropPlainTcpNotice())
