"""Runs the tests' fake Slack Web API as its own process; prints its API URL, exits on EOF."""

from __future__ import annotations

import sys

from tests.fakes.slack_web_api import FakeSlack


def main() -> None:
    fake = FakeSlack().start()
    # Each recorded call is kept in memory; the benchmarks don't read them here, so drop them.
    fake.calls = _Discard()
    print(fake.api_url, flush=True)
    sys.stdin.read()  # until the parent closes our standard input
    fake.stop()


class _Discard(list):  # type: ignore[type-arg]
    def append(self, _item: object) -> None:
        pass


if __name__ == "__main__":
    main()
