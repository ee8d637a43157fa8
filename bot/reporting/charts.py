"""The weekly trend chart: nominations per week, stacked by behaviour, as a PNG.

Drawn with matplotlib's Agg canvas directly (no pyplot), so nothing global is touched and
it is safe from any thread.
"""

from __future__ import annotations

import io

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from bot import messages
from bot.nominations.behaviours import BehaviourCatalogue
from bot.reporting.stats import RecognitionStats


def weekly_trend_png(stats: RecognitionStats, catalogue: BehaviourCatalogue) -> bytes:
    """A stacked bar per week, one colour per behaviour recognised in the period."""
    weeks = [week.week_start for week in stats.weekly]
    slugs = sorted({item.behaviour for item in stats.weekly_by_behaviour})
    counts = {
        (item.week_start, item.behaviour): item.nominations for item in stats.weekly_by_behaviour
    }
    figure = Figure(figsize=(9, 4.5), dpi=100)
    FigureCanvasAgg(figure)
    axes = figure.add_subplot()
    positions = range(len(weeks))
    bottoms = [0] * len(weeks)
    for slug in slugs:
        heights = [counts.get((week, slug), 0) for week in weeks]
        axes.bar(positions, heights, bottom=bottoms, label=catalogue.name_of(slug))
        bottoms = [low + high for low, high in zip(bottoms, heights, strict=True)]
    axes.set_xticks(list(positions), [week.strftime("%d %b") for week in weeks], rotation=45)
    axes.set_ylabel("Nominations")
    axes.set_title(messages.STATS_CHART_TITLE.format(period=stats.period.label))
    axes.yaxis.set_major_locator(MaxNLocator(integer=True))  # no half nominations
    if slugs:
        axes.legend(fontsize="small", loc="upper left", bbox_to_anchor=(1.01, 1))
    figure.tight_layout()
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    return buffer.getvalue()
