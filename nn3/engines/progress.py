"""Progress counters of an objective: evaluations and rows per second, for a progress line."""

import time
from dataclasses import dataclass, field


@dataclass
class Progress:
    """Counts of evaluations and of rows processed, and the time spent in evaluations.

    Attributes
    ----------
    evaluations : int
    rows : int
        Rows of X processed (m per evaluation).
    seconds : float
        Wall time spent inside evaluations.
    started : float
        ``time.perf_counter()`` when the counters were created.
    """

    evaluations: int = 0
    rows: int = 0
    seconds: float = 0.0
    started: float = field(default_factory=time.perf_counter)

    def record(self, rows: int, seconds: float) -> None:
        """Count one evaluation over ``rows`` rows that took ``seconds``."""
        self.evaluations += 1
        self.rows += int(rows)
        self.seconds += float(seconds)

    @property
    def evals_per_second(self) -> float:
        """Evaluations per second of evaluation time (0 before the first)."""
        return self.evaluations / self.seconds if self.seconds > 0 else 0.0

    @property
    def rows_per_second(self) -> float:
        """Rows of X processed per second of evaluation time (0 before the first)."""
        return self.rows / self.seconds if self.seconds > 0 else 0.0

    def line(self) -> str:
        """E.g. ``'3.42 eval/s, 205,200 rows/s'``, for a progress line."""
        return f"{self.evals_per_second:.2f} eval/s, {self.rows_per_second:,.0f} rows/s"
