"""The raw cells bench/http/ab.sh records, one line per cell and round: "LABEL C REQ/S CPU-µs p50=… p90=… p99=… p99.9=…
max=…", and "LABEL rss MB" after each build's last cell; and their medians over the rounds. ab.sh prints its table from
them, aot.sh its summary (ab.sh's CELLS_OUT)."""
import statistics

PERCENTILES = ("p50", "p90", "p99", "p99.9")


def read(path):
    return [line.split() for line in open(path) if line.strip()]


def median(xs):
    return statistics.median(xs) if xs else float("nan")


def levels(rows, label):
    """The concurrencies measured for LABEL, lowest first."""
    return sorted({int(r[1]) for r in rows if r[0] == label and r[1] != "rss"})


def cell(rows, label, c):
    """Medians over the rounds of LABEL's cell at concurrency C: rps, cpu_us and each percentile (ms)."""
    mine = [r for r in rows if r[0] == label and r[1] == str(c)]
    out = {"rps": median([float(r[2]) for r in mine]), "cpu_us": median([float(r[3]) for r in mine])}
    for name in PERCENTILES:
        out[name] = median([float(v.split("=")[1]) for r in mine for v in r[4:] if v.startswith(name + "=")])
    return out


def rss(rows, label):
    """Median RSS after load (MB) of LABEL over the rounds."""
    return median([float(r[2]) for r in rows if r[0] == label and r[1] == "rss"])
