"""Blocking: a block hides both members from each other at once, everywhere."""

from __future__ import annotations

from dataclasses import dataclass

from saltbitter.application.ports.events import Outbox
from saltbitter.application.ports.safety import Block, BlockStore, MemberDirectory
from saltbitter.application.ports.system import Clock
from saltbitter.application.ports.transaction import Transaction
from saltbitter.application.safety.events import MemberBlocked, MemberUnblocked
from saltbitter.application.safety.views import BlocksPage, BlockView
from saltbitter.application.shared.cursors import decode_time, encode_time
from saltbitter.application.shared.identity import Principal
from saltbitter.domain.errors import NotFound
from saltbitter.domain.safety import ensure_not_self
from saltbitter.domain.shared import UserId

__all__ = ["PAGE_SIZE", "BlockMember", "ListBlocks", "UnblockMember", "place_block"]

PAGE_SIZE = 20


def member_not_found() -> NotFound:
    return NotFound("No such member.", code="member_not_found")


async def place_block(
    blocks: BlockStore,
    members: MemberDirectory,
    outbox: Outbox,
    clock: Clock,
    blocker: UserId,
    target: UserId,
) -> tuple[Block, bool]:
    """Inside the caller's transaction: block ``target`` unless already blocked; returns
    the block and whether it is new (only a new block is announced)."""
    ensure_not_self(blocker, target, "block")
    if not await members.exists(target):
        raise member_not_found()
    wanted = Block(blocker, target, clock.now())
    stored, created = await blocks.add(wanted)
    if created:
        outbox.add(MemberBlocked(user_id=blocker, blocked_id=target))
    return stored, created


@dataclass(frozen=True, slots=True)
class BlockMember:
    """Block a member: from the commit on neither sees the other anywhere (profiles,
    discovery, daily sets, likes, matches, conversations). Blocking again answers the
    same block; blocking yourself is ``cannot_block_self``, an unknown member
    ``member_not_found``."""

    transaction: Transaction
    blocks: BlockStore
    members: MemberDirectory
    outbox: Outbox
    clock: Clock

    async def __call__(self, principal: Principal, target: UserId) -> tuple[BlockView, bool]:
        async with self.transaction:
            block, created = await place_block(
                self.blocks, self.members, self.outbox, self.clock, principal.user_id, target
            )
            await self.transaction.commit()
        return BlockView(block.blocked_id, block.created_at), created


@dataclass(frozen=True, slots=True)
class UnblockMember:
    """Lift one of the caller's blocks; a member they have not blocked is not found."""

    transaction: Transaction
    blocks: BlockStore
    outbox: Outbox

    async def __call__(self, principal: Principal, target: UserId) -> None:
        async with self.transaction:
            if not await self.blocks.remove(principal.user_id, target):
                raise NotFound("You have not blocked this member.", code="block_not_found")
            self.outbox.add(MemberUnblocked(user_id=principal.user_id, blocked_id=target))
            await self.transaction.commit()


@dataclass(frozen=True, slots=True)
class ListBlocks:
    """The members the caller blocked, newest first, 20 a page."""

    blocks: BlockStore

    async def __call__(self, principal: Principal, cursor: str | None = None) -> BlocksPage:
        after = None if cursor is None else decode_time(cursor)
        found = list(await self.blocks.page(principal.user_id, after, PAGE_SIZE + 1))
        more = len(found) > PAGE_SIZE
        found = found[:PAGE_SIZE]
        next_cursor = (
            encode_time(found[-1].created_at, found[-1].blocked_id) if more and found else None
        )
        return BlocksPage([BlockView(b.blocked_id, b.created_at) for b in found], next_cursor)
