"""Microsoft Graph as the directory of a Teams tenant, for `everyseat directory sync --teams`.

App-only access (OAuth client credentials through msal) with the bot's own app registration
and the `User.Read.All` application permission (docs/teams.md). Users are read 999 a page,
following `@odata.nextLink`; 429 and 5xx answers are retried after Graph's Retry-After (or
an exponential back-off), a few times, before the sync gives up and keeps the last good data.
"""

from __future__ import annotations

import asyncio
import logging
import ssl
from collections.abc import Awaitable, Callable, Sequence
from typing import Any

import aiohttp
import msal

from bot import messages
from bot.directory.seats import DIRECTORY
from bot.directory.sync import DirectoryEntry
from bot.errors import DirectorySyncError
from bot.installs import TEAMS
from bot.settings import Settings

log = logging.getLogger(__name__)

USER_FIELDS = (
    "id",
    "displayName",
    "mail",
    "userPrincipalName",
    "jobTitle",
    "department",
    "officeLocation",
    "employeeType",
    "accountEnabled",
    "userType",
)
PAGE_SIZE = 999
MAX_ATTEMPTS = 5
MAX_WAIT_SECONDS = 60.0
RETRY_STATUSES = {429, 500, 502, 503, 504}

Sleep = Callable[[float], Awaitable[None]]


class GraphDirectory:
    """The DirectorySource for one Microsoft Entra tenant."""

    platform = TEAMS
    kind = DIRECTORY

    def __init__(
        self,
        *,
        tenant_id: str,
        client_id: str,
        client_secret: str,
        api_url: str,
        authority_url: str,
        sleep: Sleep = asyncio.sleep,
    ) -> None:
        self.workspace_external_id = tenant_id
        self.api_url = api_url.rstrip("/")
        self.sleep = sleep
        self._app = msal.ConfidentialClientApplication(
            client_id,
            client_credential=client_secret,
            authority=f"{authority_url.rstrip('/')}/{tenant_id}",
            validate_authority=False,
            instance_discovery=False,
        )

    @classmethod
    def from_settings(cls, settings: Settings) -> GraphDirectory:
        if not (
            settings.TEAMS_CLIENT_ID and settings.TEAMS_CLIENT_SECRET and settings.TEAMS_TENANT_ID
        ):
            raise DirectorySyncError(messages.DIRECTORY_TEAMS_NEEDS_TENANT)
        return cls(
            tenant_id=settings.TEAMS_TENANT_ID,
            client_id=settings.TEAMS_CLIENT_ID,
            client_secret=settings.TEAMS_CLIENT_SECRET.get_secret_value(),
            api_url=settings.GRAPH_API_URL,
            authority_url=settings.GRAPH_AUTHORITY_URL,
        )

    def _token(self) -> str:
        try:
            result = self._app.acquire_token_for_client(scopes=[f"{self.api_url}/.default"])
        except (ValueError, OSError) as error:  # discovery or network failure
            raise self._failed(f"sign-in failed: {error}") from error
        if "access_token" not in result:
            raise self._failed(
                f"sign-in refused: {result.get('error')}: "
                f"{str(result.get('error_description', '')).splitlines()[0:1]}"
            )
        return str(result["access_token"])

    def _failed(self, reason: str) -> DirectorySyncError:
        return DirectorySyncError(
            messages.DIRECTORY_SYNC_FAILED.format(platform="Microsoft Graph", reason=reason)
        )

    async def entries(self) -> Sequence[DirectoryEntry]:
        token = await asyncio.to_thread(self._token)
        url: str | None = (
            f"{self.api_url}/v1.0/users?$select={','.join(USER_FIELDS)}&$top={PAGE_SIZE}"
        )
        found: list[DirectoryEntry] = []
        async with aiohttp.ClientSession(
            # The system's CA store as configured now (SSL_CERT_FILE included), like msal's.
            connector=aiohttp.TCPConnector(ssl=ssl.create_default_context()),
            headers={"Authorization": f"Bearer {token}", "Accept": "application/json"},
            timeout=aiohttp.ClientTimeout(total=60),
        ) as http:
            while url:
                page = await self._get(http, url)
                found.extend(_entry(user) for user in page.get("value") or [] if _is_staff(user))
                url = page.get("@odata.nextLink")
        return found

    async def _get(self, http: aiohttp.ClientSession, url: str) -> dict[str, Any]:
        for attempt in range(1, MAX_ATTEMPTS + 1):
            try:
                async with http.get(url) as response:
                    if response.status == 200:
                        return dict(await response.json())
                    body = await response.text()
                    if response.status in {401, 403}:
                        raise self._failed(
                            f"HTTP {response.status}; grant the app registration the "
                            "User.Read.All application permission with admin consent"
                        )
                    if response.status not in RETRY_STATUSES or attempt == MAX_ATTEMPTS:
                        raise self._failed(f"HTTP {response.status}: {body[:200]}")
                    wait = _retry_after(response.headers.get("Retry-After"), attempt)
            except aiohttp.ClientConnectorCertificateError as error:
                raise self._failed(f"Graph's certificate is not trusted: {error}") from error
            except aiohttp.ClientError as error:
                if attempt == MAX_ATTEMPTS:
                    raise self._failed(f"Graph unreachable: {error}") from error
                wait = _retry_after(None, attempt)
            log.warning("Graph answered slowly or busy; retrying in %.1f s", wait)
            await self.sleep(wait)
        raise AssertionError("unreachable")


def _retry_after(header: str | None, attempt: int) -> float:
    try:
        wait = float(header) if header is not None else 2.0**attempt
    except ValueError:
        wait = 2.0**attempt
    return max(0.0, min(wait, MAX_WAIT_SECONDS))


def _is_staff(user: dict[str, Any]) -> bool:
    """Members of the organisation: guests (B2B) are other organisations' staff."""
    return str(user.get("userType") or "Member") != "Guest"


def _entry(user: dict[str, Any]) -> DirectoryEntry:
    return DirectoryEntry(
        account_id=str(user["id"]),
        display_name=str(user.get("displayName") or user.get("userPrincipalName") or user["id"]),
        email=user.get("mail") or user.get("userPrincipalName"),
        job_title=user.get("jobTitle"),
        department=user.get("department"),
        # Entra has no staff group; trusts whose identity sync fills employeeType with the
        # ESR staff group get it here (the HR import sets it otherwise, docs/directory.md).
        staff_group=user.get("employeeType"),
        site=user.get("officeLocation"),
        is_deactivated=user.get("accountEnabled") is False,
    )
