"""Profiles and photos over HTTP (issue 4): /me/profile, /profiles/{id}, /me/photos.

Also the route that serves the local folder's photos by signed URL (embedded mode; with
S3, clients fetch presigned URLs from S3 directly and this route answers 404).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any
from uuid import UUID

import msgspec
from dishka.integrations.litestar import FromDishka
from litestar import Controller, Request, Response, delete, get, post, put
from litestar.datastructures import UploadFile
from litestar.exceptions import ClientException
from litestar.openapi.spec import (
    OpenAPIFormat,
    OpenAPIMediaType,
    OpenAPIResponse,
    OpenAPIType,
    Operation,
    RequestBody,
    Schema,
)
from litestar.params import FromPath, FromQuery, JSONBody, QueryParameter
from litestar.status_codes import (
    HTTP_201_CREATED,
    HTTP_204_NO_CONTENT,
    HTTP_413_REQUEST_ENTITY_TOO_LARGE,
)

from saltbitter.adapters.photos import LocalFolderPhotoStore
from saltbitter.application.ports.photo_storage import PhotoStore
from saltbitter.application.ports.system import Clock
from saltbitter.application.profiles.dto import (
    MyProfileView,
    PhotoView,
    ProfileCommand,
    PublicProfileView,
)
from saltbitter.application.profiles.photos import (
    DeletePhoto,
    ListMyPhotos,
    ReorderPhotos,
    UploadPhoto,
)
from saltbitter.application.profiles.profile import GetMyProfile, GetPublicProfile, PutMyProfile
from saltbitter.application.shared.identity import Principal
from saltbitter.domain.compatibility import Gender, SchwartzValue
from saltbitter.domain.errors import NotFound, ValidationFailed
from saltbitter.domain.profiles import (
    BIO_MAX_LENGTH,
    INTEREST_MAX_LENGTH,
    MAX_DISTANCE_KM,
    MAX_PHOTO_BYTES,
    MAX_PHOTOS,
    MAX_SOUGHT_AGE,
    MIN_DISTANCE_KM,
    MIN_SOUGHT_AGE,
    RelationshipGoal,
    Visibility,
)
from saltbitter.domain.profiles.model import (
    INTERESTS_MAX,
    INTERESTS_MIN,
    VALUE_RATING_MAX,
    VALUE_RATING_MIN,
)
from saltbitter.domain.shared import UserId
from saltbitter.entrypoints.http.accounts import BEARER, LIMITED
from saltbitter.entrypoints.http.problems import documented_errors
from saltbitter.entrypoints.http.schemas import DisplayName, PhotoList, documented

__all__ = [
    "ROUTES",
    "UPLOAD_BODY_LIMIT",
    "MyPhotosController",
    "MyProfileController",
    "PhotoFilesController",
    "PhotoOrder",
    "PhotoUploadOperation",
    "ProfileRequest",
    "ProfilesController",
    "read_photo_form",
]

# Streaming stops (413) as soon as the body passes this: the photo limit plus room for
# the multipart envelope (boundaries, part headers). The file itself is then checked
# against the exact limit.
_MULTIPART_ALLOWANCE = 64 * 1024
UPLOAD_BODY_LIMIT = MAX_PHOTO_BYTES + _MULTIPART_ALLOWANCE


# Built here, not inside the annotations: string annotations are evaluated lazily.
_GENDER_NAMES = [gender.value for gender in Gender]
_GENDERS = documented(enum=_GENDER_NAMES)
_GOALS = documented(enum=[*(goal.value for goal in RelationshipGoal), None])
_VISIBILITIES = documented(enum=[visibility.value for visibility in Visibility])
_RATING = Schema(type=OpenAPIType.NUMBER, minimum=VALUE_RATING_MIN, maximum=VALUE_RATING_MAX)
_ALL_TEN_VALUES = documented(
    properties={value.value: _RATING for value in SchwartzValue},
    required=[value.value for value in SchwartzValue],
    additional_properties=False,
)
_Gender = Annotated[str, msgspec.Meta(max_length=32), _GENDERS]
# Litestar drops constraints on list items, so the lists describe their items.
_SOUGHT = documented(min_items=1, items=Schema(type=OpenAPIType.STRING, enum=list(_GENDER_NAMES)))
_INTERESTS = documented(
    min_items=INTERESTS_MIN,
    max_items=INTERESTS_MAX,
    unique_items=True,
    # Given as JSON: nested Schema objects here keep their Python attribute names.
    items={"type": "string", "minLength": 1, "maxLength": INTEREST_MAX_LENGTH, "pattern": r"\S"},
)


class LocationBody(msgspec.Struct, forbid_unknown_fields=True):
    lat: Annotated[
        float,
        msgspec.Meta(description="Latitude, -90 to 90", examples=[52.52]),
        documented(minimum=-90, maximum=90),
    ]
    lon: Annotated[
        float,
        msgspec.Meta(description="Longitude, -180 to 180", examples=[13.405]),
        documented(minimum=-180, maximum=180),
    ]


class ProfileRequest(msgspec.Struct, forbid_unknown_fields=True):
    """The whole profile (PUT replaces it). Limits: bio at most 500 characters; 3 to 15
    interests of at most 40 characters each; ages 18 to 99 with age_min <= age_max;
    max_distance_km 1 to 500; values, when given, rate all ten Schwartz values 1 to 7."""

    gender: Annotated[_Gender, msgspec.Meta(examples=["woman"])]
    genders_sought: Annotated[
        list[_Gender],
        msgspec.Meta(max_length=10, examples=[["man", "nonbinary"]]),
        _SOUGHT,
    ]
    age_min: Annotated[
        int,
        msgspec.Meta(examples=[27]),
        documented(minimum=MIN_SOUGHT_AGE, maximum=MAX_SOUGHT_AGE),
    ]
    age_max: Annotated[
        int,
        msgspec.Meta(examples=[38]),
        documented(minimum=MIN_SOUGHT_AGE, maximum=MAX_SOUGHT_AGE),
    ]
    interests: Annotated[
        list[Annotated[str, msgspec.Meta(max_length=200)]],
        msgspec.Meta(max_length=100, examples=[["hiking", "jazz", "baking"]]),
        _INTERESTS,
    ]
    location: LocationBody
    max_distance_km: Annotated[
        float,
        msgspec.Meta(examples=[25]),
        documented(minimum=MIN_DISTANCE_KM, maximum=MAX_DISTANCE_KM),
    ]
    bio: Annotated[str, msgspec.Meta(max_length=5000), documented(max_length=BIO_MAX_LENGTH)] = ""
    relationship_goal: (
        Annotated[
            str,
            msgspec.Meta(max_length=32, examples=["long_term"]),
            _GOALS,
        ]
        | None
    ) = None
    values: (
        Annotated[
            dict[Annotated[str, msgspec.Meta(max_length=32)], Any],
            msgspec.Meta(description="Importance of each of Schwartz's ten values, 1 to 7"),
            _ALL_TEN_VALUES,
        ]
        | None
    ) = None
    visibility: Annotated[
        str,
        msgspec.Meta(max_length=16, examples=["visible"]),
        _VISIBILITIES,
    ] = "visible"
    display_name: DisplayName | None = None

    def command(self) -> ProfileCommand:
        # Same field names on both sides: msgspec copies them (location included).
        return msgspec.convert(self, ProfileCommand, from_attributes=True)


@dataclass
class PhotoUploadOperation(Operation):
    """Documents the upload's multipart body, which the handler reads itself."""

    def __post_init__(self) -> None:
        file = Schema(
            type=OpenAPIType.STRING,
            format=OpenAPIFormat.BINARY,
            description="A JPEG, PNG or WebP image of at most 10 MB (type read from the bytes)",
        )
        self.request_body = RequestBody(
            required=True,
            content={
                "multipart/form-data": OpenAPIMediaType(
                    schema=Schema(
                        type=OpenAPIType.OBJECT, properties={"file": file}, required=["file"]
                    )
                )
            },
        )


@dataclass
class PhotoFileOperation(Operation):
    """Documents the photo bytes the signed-URL route answers with (not JSON)."""

    def __post_init__(self) -> None:
        image = Schema(type=OpenAPIType.STRING, format=OpenAPIFormat.BINARY)
        (self.responses or {})["200"] = OpenAPIResponse(
            description="The photo, re-encoded without metadata",
            content={
                media_type: OpenAPIMediaType(schema=image)
                for media_type in ("image/jpeg", "image/png", "image/webp")
            },
        )


async def read_photo_form(request: Request[Any, Any, Any]) -> tuple[bytes, dict[str, str]]:
    """A photo upload's multipart body: the bytes of the field ``file`` (at most 10 MB:
    413 otherwise) and the other fields' text values. Call it only once the caller is
    authenticated (it reads the whole body); the route sets ``UPLOAD_BODY_LIMIT``.
    Profile photos and photo messages upload alike."""
    # The whole body first: past the limit this raises 413 before the multipart
    # parser has opened any temporary file (it would leave a half-written one open).
    await request.body()
    form = await request.form()
    try:
        part = form.get("file")
        if not isinstance(part, UploadFile):
            raise ValidationFailed.single(
                "file", "Send the photo as the multipart field 'file'.", "required"
            )
        content = await part.read()
        fields = {name: value for name, value in form.items() if isinstance(value, str)}
    finally:
        await form.close()
    if len(content) > MAX_PHOTO_BYTES:
        raise ClientException(
            "Photos may be at most 10 MB.", status_code=HTTP_413_REQUEST_ENTITY_TOO_LARGE
        )
    return content, fields


class PhotoOrder(msgspec.Struct, forbid_unknown_fields=True):
    photo_ids: Annotated[list[UUID], msgspec.Meta(max_length=MAX_PHOTOS * 2)]


class MyProfileController(Controller):
    path = "/me/profile"
    tags = ["profiles"]  # noqa: RUF012 - Litestar declares it as an instance attribute

    @get(
        "/",
        summary="The caller's profile with its completeness",
        description=(
            "Before the first PUT: the empty profile (updated_at null; no gender, ages, "
            "location or distance yet) with the completeness already reached and what "
            "is missing."
        ),
        security=BEARER,
        responses=documented_errors(401, 403, LIMITED),
    )
    async def get_profile(
        self, principal: FromDishka[Principal], get_profile: FromDishka[GetMyProfile]
    ) -> MyProfileView:
        return await get_profile(principal)

    @put(
        "/",
        summary="Create or replace the caller's profile (and display name)",
        security=BEARER,
        responses=documented_errors(401, 403, 422, LIMITED),
    )
    async def put_profile(
        self,
        data: JSONBody[ProfileRequest],
        principal: FromDishka[Principal],
        put_profile: FromDishka[PutMyProfile],
    ) -> MyProfileView:
        return await put_profile(principal, data.command())


class ProfilesController(Controller):
    path = "/profiles"
    tags = ["profiles"]  # noqa: RUF012 - Litestar declares it as an instance attribute

    @get(
        "/{user_id:uuid}",
        summary="Another member's public profile: rounded distance, age, signed photo URLs",
        description=(
            "404 unless the member has a profile, is active, is not paused and no block "
            "stands between you. Never shows coordinates, birthdate or genders sought."
        ),
        security=BEARER,
        responses=documented_errors(401, 403, 404, LIMITED),
    )
    async def public_profile(
        self,
        user_id: FromPath[UUID],
        principal: FromDishka[Principal],
        get_public: FromDishka[GetPublicProfile],
    ) -> PublicProfileView:
        return await get_public(principal, UserId(user_id))


class MyPhotosController(Controller):
    path = "/me/photos"
    tags = ["profiles"]  # noqa: RUF012 - Litestar declares it as an instance attribute

    @get(
        "/",
        summary="The caller's photos, main photo first, with short-lived signed URLs",
        security=BEARER,
        responses=documented_errors(401, 403, LIMITED),
    )
    async def list_photos(
        self, principal: FromDishka[Principal], list_photos: FromDishka[ListMyPhotos]
    ) -> PhotoList:
        return PhotoList(await list_photos(principal))

    @post(
        "/",
        status_code=HTTP_201_CREATED,
        summary="Upload a photo (multipart field `file`): JPEG, PNG or WebP, at most 10 MB",
        description=(
            f"At most {MAX_PHOTOS} photos (409 `photo_limit_reached`). The type is read "
            "from the bytes, not the name. Photos are re-encoded without metadata (EXIF, "
            "GPS) and screened by moderation (422 with the reason on field `file`). "
            "Bodies over the limit are refused with 413 while still streaming."
        ),
        security=BEARER,
        request_max_body_size=UPLOAD_BODY_LIMIT,
        operation_class=PhotoUploadOperation,
        responses=documented_errors(401, 403, 409, 413, 422, LIMITED, 503),
    )
    async def upload_photo(
        self,
        request: Request[Any, Any, Any],
        principal: FromDishka[Principal],
        upload: FromDishka[UploadPhoto],
    ) -> PhotoView:
        # The body is read here, not declared as ``data``: Litestar would parse a ``data``
        # parameter before the caller is authenticated, so anyone could make the server
        # take in 10 MB. ``principal`` is resolved before this line runs.
        # The whole body first: past the limit this raises 413 before the multipart
        # parser has opened any temporary file (it would leave a half-written one open).
        content, _fields = await read_photo_form(request)
        return await upload(principal, content)

    @put(
        "/order",
        summary="Reorder the caller's photos: list every one of their ids, main photo first",
        security=BEARER,
        responses=documented_errors(401, 403, 422, LIMITED),
    )
    async def reorder_photos(
        self,
        data: JSONBody[PhotoOrder],
        principal: FromDishka[Principal],
        reorder: FromDishka[ReorderPhotos],
    ) -> PhotoList:
        return PhotoList(await reorder(principal, data.photo_ids))

    @delete(
        "/{photo_id:uuid}",
        status_code=HTTP_204_NO_CONTENT,
        summary="Delete one of the caller's photos (anyone else's: 404)",
        security=BEARER,
        responses=documented_errors(401, 403, 404, LIMITED),
    )
    async def delete_photo(
        self,
        photo_id: FromPath[UUID],
        principal: FromDishka[Principal],
        delete_photo: FromDishka[DeletePhoto],
    ) -> None:
        await delete_photo(principal, photo_id)


class PhotoFilesController(Controller):
    """Serves the local photo folder to holders of a valid signed URL (no bearer token:
    the signature is the permission, as with S3's presigned URLs)."""

    path = "/photo-files"
    tags = ["profiles"]  # noqa: RUF012 - Litestar declares it as an instance attribute

    @get(
        "/{key:path}",
        summary="A photo by signed URL (embedded mode's stand-in for S3)",
        operation_class=PhotoFileOperation,
        responses=documented_errors(403, 404, LIMITED),
    )
    async def photo_file(
        self,
        key: FromPath[str],
        expires: FromQuery[int],
        signature: Annotated[str, QueryParameter(max_length=128)],
        store: FromDishka[PhotoStore],
        clock: FromDishka[Clock],
    ) -> Response[bytes]:
        if not isinstance(store, LocalFolderPhotoStore):
            raise NotFound("Photos are served from the photo store.", code="photo_not_found")
        photo = await store.read_signed(key.lstrip("/"), expires, signature)
        remaining = max(0, photo.expires_at - int(clock.now().timestamp()))
        return Response(
            photo.data,
            media_type=photo.content_type,
            headers={
                "cache-control": f"private, max-age={remaining}",
                "x-content-type-options": "nosniff",
            },
        )


ROUTES: list[type[Controller]] = [
    MyProfileController,
    ProfilesController,
    MyPhotosController,
    PhotoFilesController,
]
