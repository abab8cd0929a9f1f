from __future__ import annotations

import dataclasses
from uuid import uuid4

from saltbitter.application.matching import caching
from saltbitter.application.ports.privacy import BlobStore, PersonalTable
from saltbitter.application.privacy.personal_data import EXPORTS_TABLE
from saltbitter.domain.privacy.exports import archive_key_for
from saltbitter.domain.profiles import ImageType, PhotoId, storage_key_for
from saltbitter.domain.shared import UserId
from saltbitter.entrypoints.capabilities import CAPABILITIES
from saltbitter.entrypoints.capabilities.base import Capability
from saltbitter.entrypoints.capabilities.privacy import PERSONAL_DATA, personal_data_of


def test_every_capability_declares_its_personal_data_and_accounts_comes_last() -> None:
    assert [c.personal_data for c in CAPABILITIES if c.personal_data is None] == []
    names = [declaration.capability for declaration in PERSONAL_DATA]
    others = [c.name for c in CAPABILITIES if c.name != "accounts"]
    assert "accounts" in [c.name for c in CAPABILITIES]
    assert names == [*others, "accounts"]


def test_each_table_is_declared_by_exactly_one_capability() -> None:
    tables = [table.name for declaration in PERSONAL_DATA for table in declaration.tables]
    assert len(tables) == len(set(tables))


def test_accounts_stays_last_when_it_joins_the_capability_list() -> None:
    accounts = PERSONAL_DATA[-1]
    joined = personal_data_of([Capability("accounts", personal_data=accounts), *CAPABILITIES])
    assert joined == PERSONAL_DATA


def test_the_photo_blob_prefix_covers_the_keys_photos_are_stored_under() -> None:
    member = UserId(uuid4())
    key = storage_key_for(member, PhotoId(uuid4()), ImageType.JPEG)
    profiles = next(d for d in PERSONAL_DATA if d.capability == "profiles")
    assert [
        p
        for p in profiles.blob_prefixes
        if p.store is BlobStore.PHOTOS and key.startswith(p.for_member(member))
    ]


def test_export_archives_are_declared_in_the_export_store() -> None:
    member = UserId(uuid4())
    key = archive_key_for(member, uuid4())
    privacy = next(d for d in PERSONAL_DATA if d.capability == "privacy")
    assert [p for p in privacy.blob_prefixes if key.startswith(p.for_member(member))]
    assert {p.store for p in privacy.blob_prefixes} == {BlobStore.EXPORTS}
    assert privacy.table(EXPORTS_TABLE).blob_store is BlobStore.EXPORTS
    # Nothing else claims a key under the archives' folder in the photo store.
    photo_prefixes = [
        p.for_member(member)
        for d in PERSONAL_DATA
        for p in d.blob_prefixes
        if p.store is BlobStore.PHOTOS
    ]
    assert not [p for p in photo_prefixes if key.startswith(p) or p.startswith("exports/")]


def test_every_table_says_why_its_erasure_is_right() -> None:
    tables: list[PersonalTable] = [t for d in PERSONAL_DATA for t in d.tables]
    assert all(len(table.why) > 20 for table in tables)


def test_the_declared_cache_keys_are_the_ones_matching_writes() -> None:
    member = UserId(uuid4())
    matching = next(d for d in PERSONAL_DATA if d.capability == "matching")
    declared = {template.format(member=member) for template in matching.cache_keys}
    assert declared == {
        caching.daily_key(member),
        caching.daily_version_key(member),
        caching.discover_key(member),
        caching.member_marker_key(member),
    }


def test_declared_payloads_name_registered_events_or_jobs() -> None:
    events = {event.name: event for c in CAPABILITIES for event in c.events}
    jobs = {name for c in CAPABILITIES for name in c.jobs}
    for declaration in PERSONAL_DATA:
        for name, keys in declaration.payloads.items():
            assert name in events or name in jobs, name
            if name in events:  # the declared keys are fields of the typed event
                assert set(keys) <= {f.name for f in dataclasses.fields(events[name])}, name
