"""Answering Slack the moment a listener acknowledges.

Bolt runs each listener as a task and checks every 10 ms whether it has called `ack()`.
Everyseat acknowledges a nomination only once it is stored, so a request would wake the
event loop every 10 ms while it waits for the database (and answer up to 10 ms late). This
runner waits on the acknowledgement itself instead: the listener's `ack` sets an event, and
the request is answered as soon as it is set, or as soon as the listener ends without one.

Everything else is Bolt's: lazy listeners, auto-acknowledged events and process-before-
response apps go through Bolt's own runner, and a listener's error is handled by the app's
error handler exactly as Bolt does (a 500, unless it had already acknowledged).
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_bolt.context.ack.async_ack import AsyncAck
from slack_bolt.listener.async_listener import AsyncListener
from slack_bolt.listener.asyncio_runner import AsyncioListenerRunner
from slack_bolt.request.async_request import AsyncBoltRequest
from slack_bolt.response import BoltResponse

log = logging.getLogger(__name__)


class SignallingAck(AsyncAck):
    """Bolt's `ack`, which also wakes whoever waits for it."""

    def __init__(self) -> None:
        super().__init__()  # type: ignore[no-untyped-call]
        self.given = asyncio.Event()

    async def __call__(self, *args: Any, **kwargs: Any) -> BoltResponse:
        response = await super().__call__(*args, **kwargs)
        self.given.set()
        return response


class PromptListenerRunner(AsyncioListenerRunner):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Listeners still working after acknowledging, held so none is garbage-collected.
        self._working: set[asyncio.Future[None]] = set()

    async def run(
        self,
        request: AsyncBoltRequest,
        response: BoltResponse,
        listener_name: str,
        listener: AsyncListener,
        starting_time: float | None = None,
    ) -> BoltResponse | None:
        earlier = request.context.get("ack")
        if (
            self.process_before_response
            or request.lazy_only
            or listener.lazy_functions
            or listener.auto_acknowledgement
            or (earlier is not None and earlier.response is not None)
        ):
            return await super().run(request, response, listener_name, listener, starting_time)
        ack = SignallingAck()
        request.context["ack"] = ack
        listening = asyncio.ensure_future(self._listen(ack, request, response, listener))
        self._working.add(listening)
        listening.add_done_callback(self._working.discard)
        acknowledged = asyncio.ensure_future(ack.given.wait())
        try:
            await asyncio.wait(
                {listening, acknowledged},
                timeout=listener.ack_timeout,
                return_when=asyncio.FIRST_COMPLETED,
            )
        finally:
            acknowledged.cancel()
        if response is None and ack.response is None:
            log.warning("%s did not acknowledge the request", listener_name)
        # As Bolt answers: what a listener middleware returned, else the acknowledgement.
        return response if response is not None else ack.response

    async def _listen(
        self,
        ack: SignallingAck,
        request: AsyncBoltRequest,
        response: BoltResponse,
        listener: AsyncListener,
    ) -> None:
        """Run the listener to its end (it may go on working after acknowledging)."""
        finished: BoltResponse | None = response
        try:
            await self.listener_start_handler.handle(request=request, response=response)
            await listener.run_ack_function(request=request, response=response)
        except Exception as error:
            # Before the acknowledgement, Slack is answered 500; after it, only reported.
            if ack.response is not None:
                finished = None
            else:
                finished = response or BoltResponse(status=500)
                finished.status = 500
            await self.listener_error_handler.handle(
                error=error,
                request=request,
                response=finished,  # None after the acknowledgement, as Bolt passes it
            )
            if ack.response is None:
                ack.response = finished
                ack.given.set()
        finally:
            await self.listener_completion_handler.handle(
                request=request,
                response=finished,
            )


def answer_promptly(app: AsyncApp) -> None:
    """Give `app` the prompt runner, with the handlers Bolt's runner was given."""
    bolt = app.listener_runner
    app._async_listener_runner = PromptListenerRunner(  # no public way to set the runner
        logger=bolt.logger,
        process_before_response=bolt.process_before_response,
        listener_error_handler=bolt.listener_error_handler,
        listener_start_handler=bolt.listener_start_handler,
        listener_completion_handler=bolt.listener_completion_handler,
        lazy_listener_runner=bolt.lazy_listener_runner,
    )
