"""Benchmark 1: how fast `/nominate` (the form path) is acknowledged, next to a bare Bolt app.

Both servers run as child processes on the same stack, talking to one fake Slack in a third
process; the load generator is this process. Levels alternate between the two apps in
halves (A, B, A, B) so drift on a shared machine falls on both.
"""

from __future__ import annotations

import time

from benchmarks.harness import (
    command_bodies,
    fake_slack_process,
    percentile,
    send_signed_commands,
    server_process,
    slack_environment,
    top_of_profile,
)
from benchmarks.results import Context, Figure, Outcome

NUMBER = 1
TITLE = "Acknowledgement latency"
TARGET = "p99 within 1.5× of a bare Bolt app, and far inside Slack's 3 s limit"
# Concurrent clients, and requests sent at that level to each app.
LEVELS = ((1, 300), (10, 1000), (50, 1600))
WARM_UP = 100
MAX_RATIO = 1.5
# "Far inside 3 s": a third of it, so a slow disk or a GC pause still leaves headroom.
FAR_INSIDE_MS = 1000.0


def _modal_bodies(count: int, response_url: str) -> list[str]:
    return command_bodies([""] * count, ["UANA"] * count, response_url)


def run(context: Context) -> Outcome:
    outcome = Outcome(NUMBER, TITLE, TARGET)
    began = time.perf_counter()
    with fake_slack_process() as api_url:
        response_url = api_url.replace("/api/", "/response")
        database_url = f"sqlite:///{context.workdir / 'ack.db'}"
        env = slack_environment(api_url, database_url)
        with (
            server_process(["-m", "bot", "serve", "--no-scheduler"], context.workdir, env) as app,
            server_process(["-m", "benchmarks.bare_bolt_app"], context.workdir, env) as bare,
        ):
            for server in (bare, app):
                send_signed_commands(server.base_url, _modal_bodies(WARM_UP, response_url), 10)
            missed_levels = []
            for clients, requests in LEVELS:
                half = _modal_bodies(requests // 2, response_url)
                latencies: dict[str, list[float]] = {"bare": [], "everyseat": []}
                cpu: dict[str, float] = {"bare": 0.0, "everyseat": 0.0}
                errors: list[str] = []
                for _ in range(2):
                    for name, server in (("bare", bare), ("everyseat", app)):
                        cpu_before = server.cpu_seconds()
                        load = send_signed_commands(server.base_url, half, clients)
                        # Includes the work after ack (Everyseat's views.open), which is
                        # what competes with the next request's acknowledgement.
                        cpu[name] += server.cpu_seconds() - cpu_before
                        latencies[name] += load.latencies_ms
                        errors += [f"{name}: {error}" for error in load.errors]
                ours, theirs = latencies["everyseat"], latencies["bare"]
                ratio = percentile(ours, 0.99) / percentile(theirs, 0.99)
                within = ratio <= MAX_RATIO and percentile(ours, 0.99) < FAR_INSIDE_MS
                if not within:
                    missed_levels.append(clients)
                outcome.add(
                    Figure(
                        f"{clients} client(s), {requests} requests each: p50 / p99",
                        f"Everyseat {percentile(ours, 0.5):.1f} / {percentile(ours, 0.99):.1f} ms;"
                        f" bare Bolt {percentile(theirs, 0.5):.1f} /"
                        f" {percentile(theirs, 0.99):.1f} ms; p99 ratio {ratio:.2f}×",
                        f"ratio ≤ {MAX_RATIO}×, p99 < {FAR_INSIDE_MS:.0f} ms",
                        within and not errors,
                    )
                )
                outcome.add(
                    Figure(
                        f"{clients} client(s): server CPU per request",
                        f"Everyseat {cpu['everyseat'] / requests * 1000:.1f} ms; "
                        f"bare Bolt {cpu['bare'] / requests * 1000:.1f} ms",
                    )
                )
                if errors:
                    outcome.note(f"{clients} clients: {len(errors)} errors, e.g. {errors[:3]}")
            outcome.add(Figure("Everyseat RSS after the run", f"{app.rss_mib():.0f} MiB"))
            outcome.add(Figure("Bare Bolt RSS after the run", f"{bare.rss_mib():.0f} MiB"))
        if missed_levels:
            outcome.note(
                "Why: after acknowledging, Everyseat renders the form and calls views.open on "
                "the same event loop (over pooled connections: the server gives the Slack "
                "client one aiohttp session), which the bare app never does. That work is the "
                "extra CPU per request above; with many clients in a closed loop the next "
                "acknowledgements queue behind it, and at 50 clients both apps are saturated "
                "(queueing), so the absolute p99 grows for both. The profile below shows where "
                "Everyseat's server spends its time at the worst missed level."
            )
            _profile_missed_level(context, env, response_url, max(missed_levels), outcome)
    outcome.note(
        "Bolt acknowledges by polling for ack() every 10 ms, on both apps alike; the fake "
        "Slack answers views.open after Everyseat's ack, in its own process."
    )
    outcome.seconds = time.perf_counter() - began
    return outcome


def _profile_missed_level(
    context: Context, env: dict[str, str], response_url: str, clients: int, outcome: Outcome
) -> None:
    """Rerun the worst missed level against Everyseat under cProfile and keep the top."""
    profile_path = context.workdir / "ack.prof"
    with server_process(
        ["-m", "bot", "serve", "--no-scheduler"], context.workdir, env, profile_to=profile_path
    ) as app:
        send_signed_commands(app.base_url, _modal_bodies(1000, response_url), clients)
    outcome.note(f"Everyseat's server under cProfile, {clients} clients, 1,000 requests:")
    outcome.note(top_of_profile(profile_path))
