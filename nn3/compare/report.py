"""The report of a comparison of many variables: a table, JSON, pass or fail."""

from dataclasses import dataclass, field

from ..mat import format_size
from .difference import format_number, format_position, format_value


@dataclass
class ComparisonReport:
    """The result of :func:`compare_variables` or :func:`compare_files`.

    Attributes
    ----------
    results : list of Difference
        One per variable (struct field, cell element) of the expected side, in file order.
    extra : list of str
        Variables only on the actual side (not a failure).
    expected_path, actual_path : str
    rtol, atol : float
    ulps : int or None
    relative_to : {"element", "max"}
    """

    results: list
    extra: list = field(default_factory=list)
    expected_path: str = "EXPECTED"
    actual_path: str = "ACTUAL"
    rtol: float = 1e-10
    atol: float = 0.0
    ulps: int | None = None
    relative_to: str = "element"

    @property
    def passed(self) -> bool:
        """True when every variable passed."""
        return all(r.passed for r in self.results)

    @property
    def failures(self) -> list:
        """The variables that did not pass."""
        return [r for r in self.results if not r.passed]

    @property
    def tolerance(self) -> str:
        """``"rtol 1e-10, atol 0"``, ``"rtol 1e-10 of max|e|, atol 0"`` or ``"ulps 0"``."""
        if self.ulps is not None:
            return f"ulps {self.ulps}"
        scale = " of max|e|" if self.relative_to == "max" else ""
        return f"rtol {self.rtol:g}{scale}, atol {self.atol:g}"

    def to_dict(self) -> dict:
        """A JSON-ready dict of the whole comparison."""
        return {
            "expected": self.expected_path,
            "actual": self.actual_path,
            "rtol": self.rtol,
            "atol": self.atol,
            "ulps": self.ulps,
            "relative_to": self.relative_to,
            "passed": self.passed,
            "variables": [r.to_dict() for r in self.results],
            "extra": list(self.extra),
        }

    def format_table(self) -> str:
        """The readable report ``nn3 compare`` prints: a table, the worst elements, a summary."""
        header = ("variable", "class", "size", "max abs", "max rel", "max ulps", "worst", "result")
        rows = []
        for r in self.results:
            cls = r.expected_class or "-"
            if r.actual_class is not None and r.actual_class != r.expected_class:
                cls = f"{cls}/{r.actual_class}"
            size = format_size(r.expected_size) if r.expected_size else "-"
            if r.actual_size is not None and r.actual_size != r.expected_size:
                size = f"{size}/{format_size(r.actual_size)}"
            rows.append(
                (
                    r.name,
                    cls,
                    size,
                    format_number(r.max_abs),
                    format_number(r.max_rel),
                    format_number(r.max_ulps),
                    format_position(r.worst) if r.worst else "-",
                    "ok" if r.passed else f"FAIL: {r.problem}",
                )
            )
        widths = [max(len(row[i]) for row in [header, *rows]) for i in range(len(header) - 1)]
        lines = [
            f"Comparing {self.actual_path} (actual) with {self.expected_path} (expected), "
            f"{self.tolerance}"
        ]
        for row in [header, *rows]:
            cells = [c.ljust(w) for c, w in zip(row[:-1], widths, strict=True)]
            lines.append("  ".join([*cells, row[-1]]).rstrip())
        for r in self.failures:
            if r.worst:
                lines.append(
                    f"{r.worst_label}: expected {format_value(r.worst_expected)}, "
                    f"actual {format_value(r.worst_actual)}"
                )
        if self.extra:
            lines.append(f"Only in {self.actual_path}: " + ", ".join(self.extra))
        n_bad = len(self.failures)
        if n_bad:
            lines.append(f"FAILED: {n_bad} of {len(self.results)} variables differ")
        else:
            n = len(self.results)
            lines.append(
                "PASSED: the variable matches" if n == 1 else f"PASSED: all {n} variables match"
            )
        return "\n".join(lines)
