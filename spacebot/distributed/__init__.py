"""The distributed sweep: a coordinator (``spacebot sweep --broker``) and any number of
workers (``spacebot worker``) on Dramatiq's Redis broker."""

from ._coordinator import run_distributed_sweep
from ._remote import RemoteChecks, RemoteFailure
from ._wire import BrokerError, check_broker_url, check_redis, redacted, unpack, unpack_blobs
from ._worker import run_worker

__all__ = [
    "BrokerError",
    "RemoteChecks",
    "RemoteFailure",
    "check_broker_url",
    "check_redis",
    "redacted",
    "run_distributed_sweep",
    "run_worker",
    "unpack",
    "unpack_blobs",
]
