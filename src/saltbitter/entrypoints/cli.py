"""The ``saltbitter`` command line: serve, migrate, run workers, inspect and tend accounts."""

from __future__ import annotations

import asyncio
import json
import socket
from collections.abc import Awaitable, Callable
from dataclasses import asdict, replace
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Annotated, Any, TypeVar
from uuid import UUID

import typer
from dishka import AsyncContainer
from rich.progress import TaskID

from saltbitter.application.assessments.norms import NormsRun
from saltbitter.application.matching.views import DailyRunSummary
from saltbitter.application.safety.moderation import ResolveHeldMessage, ResolveReport
from saltbitter.domain.errors import SaltbitterError
from saltbitter.entrypoints.settings import Settings

__all__ = ["app", "main"]

T = TypeVar("T")

app = typer.Typer(
    help="SaltBitter: psychology-informed, ethical dating backend.", no_args_is_help=True
)
db_app = typer.Typer(help="Database migrations (Alembic).", no_args_is_help=True)
users_app = typer.Typer(help="Look after member accounts.", no_args_is_help=True)
demo_app = typer.Typer(help="Demo data for a living local product.", no_args_is_help=True)
matches_app = typer.Typer(help="Daily matches and matching upkeep.", no_args_is_help=True)
app.add_typer(db_app, name="db")
app.add_typer(users_app, name="users")
app.add_typer(demo_app, name="demo")
assessments_app = typer.Typer(
    help="The attachment assessment: platform norms and reliability.", no_args_is_help=True
)
app.add_typer(matches_app, name="matches")
app.add_typer(assessments_app, name="assessments")
moderation_app = typer.Typer(
    help="The moderators' review queue and decisions.", no_args_is_help=True
)
app.add_typer(moderation_app, name="moderation")
payments_app = typer.Typer(help="Subscriptions and the payment provider.", no_args_is_help=True)
app.add_typer(payments_app, name="payments")
breach_app = typer.Typer(
    help="Personal data breaches: the register, the 72-hour authority deadline and "
    "member notices (GDPR Art. 33/34).",
    no_args_is_help=True,
)
app.add_typer(breach_app, name="breach")


def _settings() -> Settings:
    return Settings.from_environ()


def _with_container(work: Callable[[AsyncContainer], Awaitable[T]]) -> T:
    from saltbitter.entrypoints.composition import build_container, stop_container
    from saltbitter.entrypoints.logging import configure_logging

    settings = _settings()
    configure_logging(settings.log_level, json=settings.log_json)
    # A command has its process to itself (its in-process jobs included): the daily job
    # may pause the garbage collector. Not so ``serve``, which builds the API's own.
    settings = replace(settings, matching_pause_collector=True)

    async def run() -> T:
        container = await build_container(settings)
        try:
            return await work(container)
        finally:
            await stop_container(container)

    try:
        return asyncio.run(run())
    except SaltbitterError as error:
        typer.secho(f"{error.code}: {error.message}", fg=typer.colors.RED, err=True)
        for problem in getattr(error, "errors", ()):
            typer.secho(f"  {problem.field}: {problem.message}", fg=typer.colors.RED, err=True)
        raise typer.Exit(code=1) from None


class Server(StrEnum):
    """The ASGI servers ``serve`` can run the API under."""

    UVICORN = "uvicorn"
    GRANIAN = "granian"


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="Interface to bind.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="TCP port.")] = 8000,
    workers: Annotated[int, typer.Option(help="Worker processes.")] = 1,
    server: Annotated[
        Server, typer.Option(help="ASGI server: uvicorn, or granian (Rust, faster here).")
    ] = Server.UVICORN,
) -> None:
    """Serve the HTTP API (OpenAPI docs at /schema)."""
    settings = _settings()
    if settings.uses_sqlite and workers > 1:
        raise typer.BadParameter("SQLite serves one process; use PostgreSQL for more workers.")
    # uvicorn binds only after the app's startup (and its jobs) ran: fail before that.
    problem = _cannot_listen(host, port)
    if problem is not None:
        typer.secho(f"cannot serve on {host}:{port}: {problem}", fg=typer.colors.RED, err=True)
        raise typer.Exit(code=1)
    typer.echo(f"SaltBitter API on http://{host}:{port}  (docs: http://{host}:{port}/schema)")
    if server is Server.GRANIAN:
        _serve_granian(host, port, workers)
        return
    import uvicorn

    uvicorn.run(**uvicorn_options(settings, host, port, workers))


def uvicorn_options(settings: Settings, host: str, port: int, workers: int) -> dict[str, Any]:
    """``uvicorn.run``'s arguments for the API: structlog does the logging (no access
    log), and WebSocket compression only when the settings ask for it."""
    return {
        "app": "saltbitter.entrypoints.http.app:create_app",
        "factory": True,
        "host": host,
        "port": port,
        "workers": workers,
        "log_config": None,
        "access_log": False,
        "proxy_headers": False,
        "ws_per_message_deflate": settings.ws_per_message_deflate,
    }


def _serve_granian(host: str, port: int, workers: int) -> None:
    """The same app factory under Granian: its own event loop and HTTP parser in Rust,
    logging left to structlog (no access log, as with uvicorn)."""
    from granian.constants import Interfaces
    from granian.server import Server as Granian

    Granian(
        "saltbitter.entrypoints.http.app:create_app",
        factory=True,
        interface=Interfaces.ASGI,
        address=host,
        port=port,
        workers=workers,
        log_access=False,
        log_level="warning",  # type: ignore[arg-type]  # granian takes its enum's values
    ).serve()


def _cannot_listen(host: str, port: int) -> str | None:
    """Why ``host:port`` cannot be bound now (e.g. the port is taken), or None."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        # As uvicorn binds: a port left in TIME_WAIT by a previous run is free.
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError as error:
            return error.strerror or str(error)
    return None


@db_app.command("upgrade")
def db_upgrade(revision: Annotated[str, typer.Argument()] = "head") -> None:
    """Migrate the database up to REVISION (default: the newest)."""
    from saltbitter.adapters.sqlalchemy.migrate import upgrade

    settings = _settings()
    if settings.uses_sqlite:
        settings.data_dir.mkdir(parents=True, exist_ok=True)
    upgrade(settings.effective_database_url, revision)
    typer.echo(f"database at {revision}")


@db_app.command("downgrade")
def db_downgrade(revision: Annotated[str, typer.Argument(help="e.g. -1 or base")]) -> None:
    """Migrate the database down to REVISION."""
    from saltbitter.adapters.sqlalchemy.migrate import downgrade

    downgrade(_settings().effective_database_url, revision)
    typer.echo(f"database at {revision}")


@app.command()
def worker(
    concurrency: Annotated[int, typer.Option(help="Worker processes.")] = 2,
    pool: Annotated[str, typer.Option(help="prefork, solo or threads.")] = "prefork",
    name: Annotated[
        str,
        typer.Option(help="Node name; unique per broker (two workers on one host need two)."),
    ] = "celery@%h",
) -> None:
    """Run a Celery worker (needs SALTBITTER_REDIS_URL or SALTBITTER_BROKER_URL)."""
    from saltbitter.entrypoints.logging import configure_logging
    from saltbitter.entrypoints.worker import celery_app_for

    settings = _settings()
    configure_logging(settings.log_level, json=settings.log_json)
    celery = celery_app_for(settings)
    celery.worker_main(
        [
            "worker",
            f"--concurrency={concurrency}",
            f"--pool={pool}",
            f"--queues={settings.task_queue}",
            f"--hostname={name}",
            "--loglevel=INFO",
        ]
    )


@app.command()
def beat() -> None:
    """Run Celery Beat: hourly purge of unverified accounts, outbox sweeps."""
    from saltbitter.entrypoints.logging import configure_logging
    from saltbitter.entrypoints.worker import celery_app_for

    settings = _settings()
    configure_logging(settings.log_level, json=settings.log_json)
    schedule = settings.data_dir / "celerybeat-schedule"
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    celery_app_for(settings).Beat(schedule=str(schedule), loglevel="INFO").run()


@app.command("queue-metrics")
def queue_metrics(
    every: Annotated[float, typer.Option(help="Seconds between measurements.")] = 60.0,
    once: Annotated[bool, typer.Option(help="Measure once and stop.")] = False,
) -> None:
    """Publish the task queue's depth to CloudWatch (SALTBITTER_QUEUE_METRIC_NAMESPACE)."""
    from saltbitter.entrypoints.logging import configure_logging
    from saltbitter.entrypoints.queue_metrics import publish_queue_depth

    settings = _settings()
    configure_logging(settings.log_level, json=settings.log_json)

    def echo(depth: int) -> None:
        typer.echo(f"{settings.task_queue}: {depth} waiting")

    try:
        asyncio.run(
            publish_queue_depth(
                settings, every_seconds=every, rounds=1 if once else None, echo=echo
            )
        )
    except ValueError as error:
        typer.secho(str(error), fg=typer.colors.RED, err=True)
        raise typer.Exit(code=1) from None


@users_app.command("show")
def users_show(email: str) -> None:
    """Print one account as JSON (never its password hash)."""
    from saltbitter.application.accounts.admin import ShowAccount

    async def work(container: AsyncContainer) -> str:
        async with container() as scope:
            summary = await (await scope.get(ShowAccount))(email)
        return json.dumps(asdict(summary), default=str, indent=2)

    typer.echo(_with_container(work))


@users_app.command("purge-unverified")
def users_purge_unverified() -> None:
    """Delete accounts left unverified for more than 24 hours."""
    from saltbitter.application.accounts.purge import PurgeUnverifiedAccounts

    async def work(container: AsyncContainer) -> int:
        async with container() as scope:
            return await (await scope.get(PurgeUnverifiedAccounts))()

    typer.echo(f"purged {_with_container(work)} unverified account(s)")


@users_app.command("erase")
def users_erase(
    email: str,
    now: Annotated[
        bool, typer.Option("--now", help="Erase at once, without the 30-day grace period.")
    ] = False,
    yes: Annotated[bool, typer.Option("--yes", help="Do not ask for confirmation.")] = False,
) -> None:
    """Erase a member's account and everything held about them (docs/privacy.md)."""
    from saltbitter.application.privacy.erasure import ClaimErasureNow
    from saltbitter.entrypoints.capabilities.erasure import erase_claimed

    if not now:
        raise typer.BadParameter(
            "Members ask for deletion themselves (POST /api/v1/me/deletion, 30 days' "
            "grace); an operator's erasure is immediate: pass --now.",
            param_hint="--now",
        )
    if not yes:
        typer.confirm(f"Erase {email} and everything held about them, now?", abort=True)

    async def work(container: AsyncContainer) -> str | None:
        async with container() as scope:
            claimed = await (await scope.get(ClaimErasureNow))(email)
            outcomes = await erase_claimed(scope, claimed)
        if not outcomes:
            return None
        done = outcomes[0]
        return (
            f"erased {email}: {done.rows} row(s), {done.blobs} blob(s), "
            f"{done.cache_keys} cache key(s), {done.customers} payment customer(s), "
            f"{done.outbox_messages} outbox message(s); payment records kept anonymised"
        )

    done = _with_container(work)
    if done is None:
        typer.secho(
            f"{email}: the erasure did not complete (see the log); the account stays "
            "deactivated and the daily erasure job retries it within a day",
            fg=typer.colors.RED,
            err=True,
        )
        raise typer.Exit(code=1)
    typer.echo(done)


def _change_role(email: str, role: str, *, granted: bool) -> None:
    from saltbitter.application.safety.moderation import ChangeRole

    async def work(container: AsyncContainer) -> str:
        async with container() as scope:
            member = await (await scope.get(ChangeRole))(email, role, granted=granted)
        return str(member)

    member = _with_container(work)
    typer.echo(
        f"{'granted' if granted else 'revoked'} {role} {'to' if granted else 'from'} "
        f"{email} ({member}); it applies from the member's next request"
    )


@users_app.command("grant-role")
def users_grant_role(
    email: str, role: Annotated[str, typer.Argument(help="moderator or admin")]
) -> None:
    """Give an account the moderator or admin role (audited)."""
    _change_role(email, role, granted=True)


@users_app.command("revoke-role")
def users_revoke_role(
    email: str, role: Annotated[str, typer.Argument(help="moderator or admin")]
) -> None:
    """Take the moderator or admin role from an account (audited)."""
    _change_role(email, role, granted=False)


@moderation_app.command("queue")
def moderation_queue(
    cursor: Annotated[str | None, typer.Option(help="next_cursor of the previous page")] = None,
) -> None:
    """Print the open reports and held messages as JSON: escalated first, then by
    severity and age."""
    from saltbitter.application.safety.moderation import ModerationQueue

    async def work(container: AsyncContainer) -> str:
        async with container() as scope:
            page = await (await scope.get(ModerationQueue))(None, cursor)
        return json.dumps(asdict(page), default=str, indent=2)

    typer.echo(_with_container(work))


def _resolve_as_operator(
    use_case: type[ResolveReport | ResolveHeldMessage],
    raw_id: str,
    what: str,
    decision: tuple[str, int | None, str],
) -> None:
    """Run a moderation decision as the operator (audited with no moderator named)."""
    from uuid import UUID

    try:
        wanted = UUID(raw_id)
    except ValueError:
        raise typer.BadParameter(f"{what.upper()}_ID is a {what}'s id (a UUID).") from None
    action, days, note = decision

    async def work(container: AsyncContainer) -> str:
        async with container() as scope:
            done = await (await scope.get(use_case))(None, wanted, action, days, note)
        return json.dumps(asdict(done), default=str, indent=2)

    typer.echo(_with_container(work))


@moderation_app.command("resolve")
def moderation_resolve(
    report_id: str,
    action: Annotated[str, typer.Argument(help="dismiss, warn, suspend or ban")],
    note: Annotated[str, typer.Option(help="Why (kept in the audit log)")],
    days: Annotated[int | None, typer.Option(help="Suspension length (suspend only)")] = None,
) -> None:
    """Decide a report as the operator (audited with no moderator named)."""
    _resolve_as_operator(ResolveReport, report_id, "report", (action, days, note))


@moderation_app.command("resolve-message")
def moderation_resolve_message(
    message_id: str,
    action: Annotated[str, typer.Argument(help="dismiss, warn, suspend or ban")],
    note: Annotated[str, typer.Option(help="Why (kept in the audit log)")],
    days: Annotated[int | None, typer.Option(help="Suspension length (suspend only)")] = None,
) -> None:
    """Decide a held message about its sender as the operator (audited)."""
    _resolve_as_operator(ResolveHeldMessage, message_id, "message", (action, days, note))


@demo_app.command("seed")
def demo_seed(
    users: Annotated[
        int, typer.Option(min=1, max=2_000, help="How many members (demo-1 .. demo-N).")
    ] = 40,
    seed: Annotated[int, typer.Option(help="Same seed, same community.")] = 2026,
) -> None:
    """Create a living demo community: profiles, photos, assessments, likes, daily sets.

    Idempotent: existing demo members are left as they are. All share one printed password.
    """
    import time

    from saltbitter.application.accounts.admin import DEMO_PASSWORD
    from saltbitter.application.demo import demo_email
    from saltbitter.entrypoints.demo import DemoSeedReport, seed_demo_community

    started = time.perf_counter()

    async def work(
        container: AsyncContainer, report: Callable[[str, int, int], None]
    ) -> DemoSeedReport:
        return await seed_demo_community(container, users, seed=seed, progress=report)

    summary = _run_with_progress(work)
    seconds = time.perf_counter() - started
    if summary.members_set_up or summary.likes or summary.daily.created:
        typer.echo(
            f"created {summary.accounts_created} demo member(s), set up {summary.members_set_up} "
            f"with {summary.photos_uploaded} photo(s) and {summary.assessments_taken} "
            f"assessment(s), {summary.likes} like(s) making {summary.matches} match(es), "
            f"{summary.daily.created} daily set(s) in {seconds:.1f} s"
        )
    else:
        typer.echo(f"all {summary.members} demo members were there already ({seconds:.1f} s)")
    typer.echo(f"demo login: {demo_email(1)} / {DEMO_PASSWORD}")


@matches_app.command("generate")
def matches_generate(
    on: Annotated[
        datetime | None,
        typer.Option(
            "--date",
            formats=["%Y-%m-%d"],
            help="Local date of the sets (default: each member's own today).",
        ),
    ] = None,
    all_timezones: Annotated[
        bool,
        typer.Option(
            "--all-timezones", help="Everyone now, not only members whose 06:00 has come."
        ),
    ] = False,
    shards: Annotated[
        int | None,
        typer.Option(
            "--shards",
            min=1,
            help="Split the sweep into this many shards (default: one per "
            "SALTBITTER_MATCHING_SHARD_MEMBERS due members); run here, one after the other.",
        ),
    ] = None,
) -> None:
    """Make the daily sets that are due now (the hourly job does this on its own)."""
    import time

    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeElapsedColumn

    from saltbitter.application.matching.daily import GenerateDailySets
    from saltbitter.application.matching.sweep import PlanDailySweep

    day = None if on is None else on.date()
    started = time.perf_counter()
    # Redrawn as each chunk is stored, not by rich's refresh thread: the job's scorer
    # forks its ranking only while the process has one thread (ADR 0050).
    with Progress(
        "[progress.description]{task.description}",
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        transient=False,
        auto_refresh=False,
    ) as bar:
        task = bar.add_task("daily sets", total=None)

        async def work(container: AsyncContainer) -> tuple[int, list[DailyRunSummary]]:
            async with container() as scope:
                plan = await (await scope.get(PlanDailySweep))(
                    day, all_timezones=all_timezones, shards=shards
                )
            # One bar over every shard: the plan's due members, the shards' own counts
            # replacing its estimate as each shard reports.
            finished: list[DailyRunSummary] = []
            bar.update(task, completed=0, total=plan.due)
            bar.refresh()
            for shard in plan.shards:
                # Shards still to come: their share of the plan's estimate.
                ahead = plan.due * (len(plan.shards) - 1 - shard.index) // len(plan.shards)

                def report(done: int, total: int, ahead: int = ahead) -> None:
                    behind = sum(summary.due for summary in finished)
                    bar.update(task, completed=behind + done, total=behind + total + ahead)
                    bar.refresh()

                async with container() as scope:
                    generate = await scope.get(GenerateDailySets)
                    finished.append(
                        await generate(
                            day, all_timezones=all_timezones, progress=report, shard=shard
                        )
                    )
            due = sum(summary.due for summary in finished)
            bar.update(task, completed=due, total=due)
            return plan.members, finished

        members, summaries = _with_container(work)
    seconds = time.perf_counter() - started
    dates = sorted({day for summary in summaries for day in summary.local_dates})
    listed = ", ".join(day.isoformat() for day in dates) or "none"
    due = sum(summary.due for summary in summaries)
    created = sum(summary.created for summary in summaries)
    delivered = sum(summary.delivered for summary in summaries)
    typer.echo(
        f"processed {due} member(s) of {members} in {len(summaries)} shard(s), "
        f"{seconds:.1f} s: {created} new set(s), {delivered} candidate(s), dates {listed}"
    )


@payments_app.command("reconcile")
def payments_reconcile(
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Show the drift without repairing it.")
    ] = False,
) -> None:
    """Compare local subscriptions with the payment provider and repair drift (the
    nightly job does this on its own); prints every change."""
    from rich.progress import Progress, SpinnerColumn, TimeElapsedColumn

    from saltbitter.application.payments.reconcile import Drift, ReconcileSubscriptions

    with Progress(
        SpinnerColumn(), "[progress.description]{task.description}", TimeElapsedColumn()
    ) as bar:
        task = bar.add_task("subscriptions checked: 0", total=None)

        def report(done: int) -> None:
            bar.update(task, description=f"subscriptions checked: {done}")

        async def work(container: AsyncContainer) -> list[Drift]:
            async with container() as scope:
                reconcile = await scope.get(ReconcileSubscriptions)
                return await reconcile(dry_run=dry_run, progress=report)

        drifts = _with_container(work)
    for drift in drifts:
        typer.echo(("would repair " if dry_run else "repaired ") + drift.describe())
    verb = "would repair" if dry_run else "repaired"
    typer.echo(f"{len(drifts)} subscription(s) {verb}" if drifts else "no drift")


def _operator() -> str:
    import getpass

    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no login name (some containers)
        return "operator"


def _instant(value: str | None, option: str) -> datetime | None:
    """An ISO 8601 time from the command line; without a zone it is UTC."""
    from datetime import UTC

    if value is None:
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise typer.BadParameter(
            f"{option} takes an ISO 8601 time such as 2026-12-07T09:30 (UTC unless a zone "
            "is given).",
            param_hint=option,
        ) from None
    return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=UTC)


def _breach_id(value: str) -> UUID:
    try:
        return UUID(value)
    except ValueError:
        raise typer.BadParameter("BREACH_ID is a breach's id (a UUID).") from None


def _duration(left: timedelta) -> str:
    sign = "-" if left < timedelta(0) else ""
    minutes = int(abs(left.total_seconds()) // 60)
    return f"{sign}{minutes // 60}h {minutes % 60:02d}m"


ByOption = Annotated[
    str | None, typer.Option("--by", help="Who acts (kept in the log; default: your login).")
]


@breach_app.command("record")
def breach_record(
    scope: Annotated[str, typer.Option(help="What happened, in plain words.")],
    data_class: Annotated[
        list[str],
        typer.Option(
            "--data-class", help="A class of data involved (repeat: email, messages, photos...)."
        ),
    ],
    email: Annotated[
        list[str] | None, typer.Option("--email", help="An affected member's email (repeat).")
    ] = None,
    member: Annotated[
        list[str] | None, typer.Option("--member", help="An affected member's id (repeat).")
    ] = None,
    all_members: Annotated[
        bool, typer.Option("--all-members", help="Every member is affected.")
    ] = False,
    since: Annotated[
        str | None,
        typer.Option(help="Members who registered at or after this ISO time are affected."),
    ] = None,
    aware_at: Annotated[
        str | None,
        typer.Option(help="When we became aware (ISO time; default now): the 72 h start."),
    ] = None,
    by: ByOption = None,
) -> None:
    """Record a breach in the register; its 72-hour authority clock starts at awareness."""
    from saltbitter.application.privacy.breaches import AffectedMembers, RecordBreach
    from saltbitter.domain.privacy.breaches import Breach
    from saltbitter.domain.shared import UserId

    ids: list[UserId] = []
    for value in member or []:
        try:
            ids.append(UserId(UUID(value)))
        except ValueError:
            raise typer.BadParameter(
                f"{value!r} is not a member id.", param_hint="--member"
            ) from None
    affected = AffectedMembers(
        emails=tuple(email or ()),
        member_ids=tuple(ids),
        all_members=all_members,
        registered_since=_instant(since, "--since"),
    )
    aware = _instant(aware_at, "--aware-at")

    async def work(
        container: AsyncContainer, report: Callable[[str, int, int], None]
    ) -> tuple[Breach, tuple[str, ...], tuple[str, ...]]:
        async with container() as scope_:
            record = await scope_.get(RecordBreach)
            done = await record(
                scope,
                data_class,
                affected,
                actor=by or _operator(),
                aware_at=aware,
                progress=lambda done, total: report("affected members", done, total),
            )
        return done.breach, done.unknown_emails, tuple(str(i) for i in done.unknown_ids)

    breach, unknown_emails, unknown_ids = _run_with_progress(work)
    typer.echo(f"recorded breach {breach.id}")
    typer.echo(f"  affected members: {breach.affected_members}")
    typer.echo(f"  authority deadline: {breach.authority_deadline:%Y-%m-%d %H:%M} UTC (72 h)")
    for unknown in unknown_emails:
        typer.secho(f"  no account for {unknown}", fg=typer.colors.YELLOW)
    for unknown in unknown_ids:
        typer.secho(f"  no account with id {unknown}", fg=typer.colors.YELLOW)


@breach_app.command("list")
def breach_list() -> None:
    """Every recorded breach with its authority deadline and the time left."""
    from rich.console import Console
    from rich.table import Table

    from saltbitter.application.privacy.breaches import BreachStatus, ListBreaches

    async def work(container: AsyncContainer) -> list[BreachStatus]:
        async with container() as scope:
            return await (await scope.get(ListBreaches))()

    statuses = _with_container(work)
    if not statuses:
        typer.echo("no breaches recorded")
        return
    table = Table("id", "aware at (UTC)", "authority deadline", "time left", "members", "scope")
    for status in statuses:
        breach = status.breach
        if status.time_left is None:
            assert breach.authority_notified_at is not None
            left = f"notified {breach.authority_notified_at:%Y-%m-%d %H:%M}" + (
                " (late)" if breach.notified_late() else ""
            )
        elif status.time_left < timedelta(0):
            left = f"OVERDUE by {_duration(-status.time_left)}"
        else:
            left = _duration(status.time_left)
        table.add_row(
            str(breach.id),
            f"{breach.aware_at:%Y-%m-%d %H:%M}",
            f"{breach.authority_deadline:%Y-%m-%d %H:%M}",
            left,
            f"{breach.notified_members}/{breach.affected_members} told",
            breach.scope,
        )
    Console(width=200).print(table)


@breach_app.command("notify-authority")
def breach_notify_authority(
    breach_id: str,
    channel: Annotated[
        str, typer.Option(help="How the authority was told (portal, email, letter...).")
    ],
    reference: Annotated[
        str | None, typer.Option(help="The authority's case number, if any.")
    ] = None,
    at: Annotated[str | None, typer.Option(help="When (ISO time; default now).")] = None,
    by: ByOption = None,
) -> None:
    """Record that (and how) the supervisory authority was notified."""
    from saltbitter.application.privacy.breaches import RecordAuthorityNotice
    from saltbitter.domain.privacy.breaches import Breach

    wanted = _breach_id(breach_id)
    when = _instant(at, "--at")

    async def work(container: AsyncContainer) -> Breach:
        async with container() as scope:
            record = await scope.get(RecordAuthorityNotice)
            return await record(
                wanted, channel, actor=by or _operator(), reference=reference, at=when
            )

    breach = _with_container(work)
    assert breach.authority_notified_at is not None
    late = " (after the 72-hour deadline: say why in the notice)" if breach.notified_late() else ""
    typer.echo(
        f"authority notified at {breach.authority_notified_at:%Y-%m-%d %H:%M} UTC "
        f"by {breach.authority_channel}{late}"
    )


@breach_app.command("notify-members")
def breach_notify_members(breach_id: str, by: ByOption = None) -> None:
    """Email every affected member not yet told (once each: a second run tells nobody)."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeElapsedColumn

    from saltbitter.application.privacy.breaches import NotifyBreachMembers

    wanted = _breach_id(breach_id)
    with Progress(
        "[progress.description]{task.description}",
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        transient=False,
    ) as bar:
        task = bar.add_task("member notices", total=None)

        def report(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)

        async def work(container: AsyncContainer) -> int:
            async with container() as scope:
                notify = await scope.get(NotifyBreachMembers)
                return await notify(wanted, actor=by or _operator(), progress=report)

        sent = _with_container(work)
    typer.echo(
        f"queued {sent} member notice(s)" if sent else "every affected member was told already"
    )


@breach_app.command("log")
def breach_log(
    breach_id: Annotated[str | None, typer.Argument(help="One breach (default: all).")] = None,
) -> None:
    """The append-only log of every action on breaches, oldest first."""
    from saltbitter.application.privacy.breaches import BreachLogView
    from saltbitter.domain.privacy.breaches import BreachLogEntry

    wanted = None if breach_id is None else _breach_id(breach_id)

    async def work(container: AsyncContainer) -> list[BreachLogEntry]:
        async with container() as scope:
            return await (await scope.get(BreachLogView))(wanted)

    entries = _with_container(work)
    if not entries:
        typer.echo("the breach log is empty")
    for entry in entries:
        details = " ".join(f"{key}={value!r}" for key, value in entry.details.items())
        typer.echo(
            f"{entry.at:%Y-%m-%d %H:%M:%S} {entry.breach_id} {entry.action.value} "
            f"by {entry.actor} {details}".rstrip()
        )


InstrumentOption = Annotated[str, typer.Option(help="Instrument key.")]


def _run_with_progress(
    work: Callable[[AsyncContainer, Callable[[str, int, int], None]], Awaitable[T]],
) -> T:
    """Run ``work`` in a container with one progress bar per stage it reports."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeElapsedColumn

    with Progress(
        "[progress.description]{task.description}",
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        transient=False,
    ) as bar:
        tasks: dict[str, TaskID] = {}

        def report(stage: str, done: int, total: int) -> None:
            if stage not in tasks:
                tasks[stage] = bar.add_task(stage, total=total)
            bar.update(tasks[stage], completed=done, total=total)

        return _with_container(lambda container: work(container, report))


def _echo_reliability(run: NormsRun) -> None:
    reliability = run.reliability
    if reliability is None:
        typer.echo(f"reliability: not computable ({run.reason})")
        return
    typer.echo(
        f"{reliability.instrument_key} {reliability.instrument_version}: "
        f"{reliability.responses_used} of {reliability.responses_seen} response(s) used "
        f"({reliability.excluded_incomplete} incomplete, "
        f"{reliability.excluded_careless} careless dropped)"
    )
    for subscale in reliability.subscales:
        verdict = (
            "meets the .85 bar"
            if subscale.meets_quality_bar
            else "INVESTIGATE"
            if subscale.needs_investigation
            else "below the .85 bar"
        )
        typer.echo(
            f"  {subscale.subscale.value}: alpha {subscale.alpha:.3f} "
            f"[{subscale.confidence:.0%} CI {subscale.alpha_lower:.3f}-{subscale.alpha_upper:.3f}]"
            f", n={subscale.n}, k={subscale.k}, {verdict}"
        )
        for item in subscale.items:
            r = "n/a" if item.corrected_item_total is None else f"{item.corrected_item_total:+.3f}"
            deleted = "n/a" if item.alpha_if_deleted is None else f"{item.alpha_if_deleted:.3f}"
            flag = "  <- review" if item.item_number in subscale.items_to_review else ""
            typer.echo(
                f"    item {item.item_number:>2}: mean {item.mean:.2f} sd {item.sd:.2f} "
                f"item-total r {r} alpha if deleted {deleted}{flag}"
            )


@assessments_app.command("norms")
def assessments_norms(instrument: InstrumentOption = "ecr-r") -> None:
    """Compute the platform's norms from members' answers and publish a new version
    (the nightly job does this on its own); shows the reliability report as well."""
    from saltbitter.application.assessments.norms import ComputeNorms

    async def work(container: AsyncContainer, report: Callable[[str, int, int], None]) -> NormsRun:
        async with container() as scope:
            return await (await scope.get(ComputeNorms))(instrument, progress=report)

    run = _run_with_progress(work)
    _echo_reliability(run)
    if run.published is None or run.report is None:
        typer.echo(f"no new norms: {run.reason}; results keep using the published priors")
        return
    overall = run.published.overall
    typer.echo(f"published norms {overall.version} from {overall.sample_size} response(s)")
    for norms in (overall, *run.published.by_age_band):
        band = "overall" if norms.age_band is None else f"age {norms.age_band.value}"
        typer.echo(
            f"  {band}: n={norms.sample_size} anxiety {norms.anxiety.mean:.2f} "
            f"(sd {norms.anxiety.sd:.2f}), avoidance {norms.avoidance.mean:.2f} "
            f"(sd {norms.avoidance.sd:.2f})"
        )
    if run.report.insufficient_bands:
        bands = ", ".join(band.value for band in run.report.insufficient_bands)
        typer.echo(f"  too few responses for age band(s) {bands}: they use the overall norms")


@assessments_app.command("reliability")
def assessments_reliability(instrument: InstrumentOption = "ecr-r") -> None:
    """Cronbach's alpha with its 95% interval and item-total correlations, from members'
    stored answers (careless responders dropped); changes nothing."""
    from saltbitter.application.assessments.norms import CheckReliability

    async def work(container: AsyncContainer, report: Callable[[str, int, int], None]) -> NormsRun:
        report("reading answers", 0, 1)
        async with container() as scope:
            run = await (await scope.get(CheckReliability))(instrument)
        report("reading answers", 1, 1)
        return run

    _echo_reliability(_run_with_progress(work))


def main() -> None:
    app()


if __name__ == "__main__":
    main()
