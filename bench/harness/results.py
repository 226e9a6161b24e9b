"""What bench/run measured: one row per command, in the order run."""
import os
import sys
from dataclasses import dataclass, asdict

from .measure import measure


def warm(path):
    """Reads the file once, unmeasured, so every command starts with it in the page
    cache as far as the machine keeps one (here about 1-2 GB: a cold 1 GB read took
    38 s where a warm one took 11)."""
    with open(path, "rb") as f:
        while f.read(1 << 24):
            pass


@dataclass
class Result:
    id: str              # stable key the targets look rows up by
    group: str           # the table the row is shown in
    tool: str            # what was run, as shown
    peer: bool           # a tool people use instead of Eidolon
    data: str            # the input file's name
    size: str            # the run's --size
    bytes: int
    events: int
    seconds: float
    peak_mb: float

    @property
    def mb_per_s(self):
        return self.bytes / self.seconds / 1e6

    @property
    def events_per_s(self):
        return self.events / self.seconds

    def as_json(self):
        row = asdict(self)
        row["mb_per_s"] = round(self.mb_per_s, 2)
        row["events_per_s"] = round(self.events_per_s)
        row["seconds"] = round(self.seconds, 3)
        row["peak_mb"] = round(self.peak_mb, 1)
        return row


class Recorder:
    def __init__(self, size, repeat, work):
        self.size = size
        self.repeat = repeat
        self.work = work
        self.results = []

    def run(self, id, group, tool, stages, data, events, peer=False, stdout=os.devnull, size=None, **options):
        """Measures stages on data (the input whose bytes count for MB/s) and records the row."""
        print(f"bench/run: {tool} ({os.path.basename(data)})", file=sys.stderr)
        warm(data)
        run = measure(stages, repeat=self.repeat, stdout_path=stdout, **options)
        result = Result(id=id, group=group, tool=tool, peer=peer, data=os.path.basename(data),
                        size=size or self.size, bytes=os.path.getsize(data), events=events,
                        seconds=run.seconds, peak_mb=run.peak_mb)
        self.results.append(result)
        return result

    def add(self, result):
        self.results.append(result)

    def find(self, id):
        return next((result for result in self.results if result.id == id), None)
