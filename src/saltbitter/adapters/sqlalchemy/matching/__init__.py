"""Matching's ports on SQL, one class per port, all on the request's ``StagedConnection``."""

from saltbitter.adapters.sqlalchemy.matching.candidates import SqlaCandidateReader
from saltbitter.adapters.sqlalchemy.matching.daily_sets import SqlaDailySetStore
from saltbitter.adapters.sqlalchemy.matching.discover import SqlaDiscoverAllowance
from saltbitter.adapters.sqlalchemy.matching.swipes import (
    SqlaMatchStore,
    SqlaReceivedLikes,
    SqlaSwipeWriter,
)

__all__ = [
    "SqlaCandidateReader",
    "SqlaDailySetStore",
    "SqlaDiscoverAllowance",
    "SqlaMatchStore",
    "SqlaReceivedLikes",
    "SqlaSwipeWriter",
]
