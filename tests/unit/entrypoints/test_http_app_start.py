"""What the API does once at start, per worker process."""

from __future__ import annotations

import gc
from pathlib import Path

from saltbitter.entrypoints.http import create_app
from saltbitter.entrypoints.settings import Settings


async def test_the_api_puts_what_it_built_at_start_out_of_the_collectors_sight(
    tmp_path: Path,
) -> None:
    # ADR 0044: full collections walking the app, its schema and the modules were the
    # tail latency of every endpoint.
    app = create_app(
        Settings(data_dir=tmp_path, environment="test", jwt_secret="x" * 64), configure_logs=False
    )
    gc.unfreeze()
    try:
        assert gc.get_freeze_count() == 0
        async with app.lifespan():
            assert gc.get_freeze_count() > 10_000
    finally:
        gc.unfreeze()  # the test process collects as before
