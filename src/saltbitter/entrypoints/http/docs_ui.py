"""The API docs UI (Swagger UI), served from files shipped inside the package.

Litestar's render plugins load their JavaScript from a CDN by default, so the docs page
is blank offline and changes whenever the CDN's "latest" changes. A pinned copy is
vendored in ``static/swagger-ui`` (see its README) and served under ``/schema/assets``.
"""

from __future__ import annotations

from pathlib import Path

from litestar.datastructures import CacheControlHeader
from litestar.openapi.plugins import OpenAPIRenderPlugin, SwaggerRenderPlugin
from litestar.router import Router
from litestar.static_files import create_static_files_router

__all__ = ["ASSETS_PATH", "SWAGGER_UI_VERSION", "docs_assets_router", "docs_ui_plugins"]

SWAGGER_UI_VERSION = "5.35.0"
ASSETS_PATH = "/schema/assets"
_ASSETS_DIR = Path(__file__).parent / "static" / "swagger-ui"


def docs_ui_plugins() -> list[OpenAPIRenderPlugin]:
    """Swagger UI at ``/schema`` and ``/schema/swagger``, every asset from this server."""
    return [
        SwaggerRenderPlugin(
            version=SWAGGER_UI_VERSION,
            js_url=f"{ASSETS_PATH}/swagger-ui-bundle.js",
            css_url=f"{ASSETS_PATH}/swagger-ui.css",
            standalone_preset_js_url=f"{ASSETS_PATH}/swagger-ui-standalone-preset.js",
            favicon=f"<link rel='icon' type='image/png' href='{ASSETS_PATH}/favicon-32x32.png'>",
            path="/swagger",
        )
    ]


def docs_assets_router() -> Router:
    return create_static_files_router(
        path=ASSETS_PATH,
        directories=[_ASSETS_DIR],
        include_in_schema=False,
        # Pinned files: browsers may keep them for a day.
        cache_control=CacheControlHeader(public=True, max_age=86_400),
    )
