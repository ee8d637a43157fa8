"""Bolt's single-workspace authorization, made to survive a Slack it can't reach.

Bolt asks `auth.test` on the first request and, when Slack is unreachable (at start-up, say),
fails that request: a nomination typed then would be lost. Here an unreachable or slow Slack
lets the request through on the bot token and what the signed request says, and `auth.test`
is asked again on the next request. Slack's own refusals (a revoked token) are still Bolt's.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable

from slack_bolt.async_app import AsyncApp
from slack_bolt.authorization import AuthorizeResult
from slack_bolt.middleware.authorization.async_single_team_authorization import (
    AsyncSingleTeamAuthorization,
)
from slack_bolt.request.async_request import AsyncBoltRequest
from slack_bolt.response import BoltResponse
from slack_sdk.errors import SlackApiError

log = logging.getLogger(__name__)

# Seconds to wait for auth.test: Slack wants every request answered within 3 s.
AUTH_TEST_TIMEOUT = 1.5


class ReachableOrNotAuthorization(AsyncSingleTeamAuthorization):
    async def async_process(
        self,
        *,
        req: AsyncBoltRequest,
        resp: BoltResponse,
        next: Callable[[], Awaitable[BoltResponse]],
    ) -> BoltResponse:
        if self.auth_test_result is None:
            try:
                self.auth_test_result = await asyncio.wait_for(
                    req.context.client.auth_test(), AUTH_TEST_TIMEOUT
                )
            except SlackApiError:
                pass  # Slack answered and refused: Bolt reports it below
            except Exception as error:  # unreachable or too slow: go on, ask next time
                log.warning("auth.test failed (%s); serving this request without it", error)
                req.context.set_authorize_result(
                    AuthorizeResult(
                        enterprise_id=req.context.enterprise_id,
                        team_id=req.context.team_id,
                        user_id=req.context.user_id,
                        bot_token=req.context.client.token,
                    )
                )
                return await next()
        return await super().async_process(req=req, resp=resp, next=next)


def tolerate_unreachable_slack(app: AsyncApp) -> None:
    """Swap Bolt's authorization middleware for the one above (Bolt offers no option)."""
    middleware = app._async_middleware_list
    for index, item in enumerate(middleware):
        if type(item) is AsyncSingleTeamAuthorization:
            middleware[index] = ReachableOrNotAuthorization(base_logger=app.logger)
            return
    raise RuntimeError("Bolt's single-workspace authorization middleware was not found")
