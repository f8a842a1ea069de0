"""The `actorgraph` command line: thin wrappers over importable functions."""

from __future__ import annotations

import errno
import os
import re
import traceback
from contextlib import contextmanager
from enum import Enum
from pathlib import Path
from typing import Iterator, Optional

import typer

from pipeline.config import ConfigError, load_settings
from pipeline.rules.files import RuleError

app = typer.Typer(add_completion=False, no_args_is_help=True, help="Bilingual actor graph from news articles.")
rules_app = typer.Typer(no_args_is_help=True, help="Work with the rule files in configs/.")
app.add_typer(rules_app, name="rules")

CONFIG = typer.Option(
    None, "--config", help="Folder with settings.toml and the rule files (default: ./configs/ when there is one, else the built-in rules)."
)
DEBUG = typer.Option(False, "--debug", help="Show Python tracebacks for errors.")


class Engine(str, Enum):
    """Where extract's per-document work runs."""

    local = "local"
    dask = "dask"


def _fail(message: str, code: int, debug: bool) -> None:
    if debug:
        traceback.print_exc()
    typer.echo(message, err=True)
    raise typer.Exit(code)


UNEXPECTED = 3  # exit status of a failure nobody planned for: not 1 (finished, outputs written), not 2 (usage)


@contextmanager
def _reported(debug: bool, *expected: type[Exception]) -> Iterator[None]:
    """Every command's errors: a bad setting or rule file (and the `expected` errors of the
    command) is one line on stderr and exit status 2, Ctrl-C exit status 130. Anything else (a
    bug, a killed worker, the machine) is one line pointing to --debug and exit status 3; no
    outputs were replaced. --debug adds the traceback to each."""
    try:
        yield
    except typer.Exit:
        raise
    except (RuleError, ConfigError, *expected) as exc:
        _fail(f"error: {exc}", 2, debug)
    except KeyboardInterrupt:
        _fail("interrupted", 130, debug)
    except Exception as exc:  # noqa: BLE001 - the one place that turns any failure into an exit status
        reason = " ".join(str(exc).split())[:300] or "no message"
        _fail(f"error: unexpected {type(exc).__name__}: {reason} (outputs not replaced; run again with --debug "
              f"for the traceback)", UNEXPECTED, debug)


@app.command()
def extract(
    source: Optional[Path] = typer.Argument(
        None, help="A folder (read recursively) or a .txt/.jsonl file (default: ./corpus/ when there is one, else data/news)."
    ),
    out: Path = typer.Option(Path("out"), "--out", "-o", help="Output folder."),
    lang: Optional[str] = typer.Option(None, "--lang", help="Force the language (en or es) of every document."),
    cache: Optional[Path] = typer.Option(None, "--cache", help="Parse cache folder (default: OUT/.cache)."),
    no_cache: bool = typer.Option(False, "--no-cache", help="Parse every document; read and write no cache."),
    workers: Optional[int] = typer.Option(
        None, "--workers", "-w", min=0, help="Worker processes (default: settings.toml [run] workers; 0 = one per core)."
    ),
    engine: Engine = typer.Option(Engine.local, "--engine", help="local (this machine), or dask (a Dask cluster)."),
    scheduler: Optional[str] = typer.Option(
        None, "--scheduler", help="Dask scheduler address, tcp://HOST:8786 (default: a local cluster)."
    ),
    view: bool = typer.Option(False, "--view", help="Also write OUT/graph.html and OUT/graph.svg (see `actorgraph view`)."),
    wait: bool = typer.Option(False, "--wait", help="When another run is writing OUT, wait for it instead of stopping."),
    config: Optional[Path] = CONFIG,
    debug: bool = DEBUG,
) -> None:
    """Build the actor graph of a corpus and write every output file into OUT."""
    from pipeline import run as orchestrator

    with _reported(debug, OSError):  # OSError: the output folder or the cache became unwritable mid-run
        settings = load_settings(config)
        source = source or (Path("corpus") if Path("corpus").is_dir() else Path("data/news"))
        if not source.exists():
            raise ConfigError(f"{source}: no such file or folder")
        if lang is not None and lang not in settings.run.languages:
            raise ConfigError(f"--lang {lang}: expected one of {', '.join(settings.run.languages)}")
        if cache is not None and not no_cache and os.path.lexists(cache) and not cache.is_dir():
            raise ConfigError(f"--cache {cache}: exists and is not a folder")
        _check_writable(out)
        if scheduler and engine != Engine.dask:
            raise ConfigError("--scheduler needs --engine dask")
        if scheduler and not re.fullmatch(r"(tcp|tls|ucx|ws|wss|inproc)://[^\s/]+(:\d{1,5})?/?", scheduler):
            raise ConfigError(f"--scheduler {scheduler!r}: expected an address like tcp://HOST:8786")
        try:
            report = orchestrator.run(
                source, out, settings, lang=lang, cache_dir=cache, use_cache=not no_cache,
                workers=workers, engine=engine.value, scheduler=scheduler, view=view, wait=wait,
            )
        except OSError as exc:
            if exc.errno not in (errno.ENOSPC, errno.EDQUOT):
                raise
            where = out if no_cache else f"{out} (or the cache, {cache or out / '.cache'})"
            raise ConfigError(f"no space left on the device while writing {where}; the previous outputs are "
                              "unchanged: free some space and run again (finished work is reused)") from exc
    counts = report.counts
    if report.other_languages:
        typer.echo(f"note: {report.other_languages} document(s) skipped as written in another language than "
                   f"{', '.join(settings.run.languages)} (their reasons: documents.jsonl; --lang forces one)", err=True)
    typer.echo(
        f"{sum(counts.values())} documents: {counts.get('ok', 0)} ok, {counts.get('skipped', 0)} skipped, "
        f"{counts.get('error', 0)} failed; graph in {out}/ (details: {out}/documents.jsonl)"
    )
    raise typer.Exit(report.exit_code)


def _check_writable(out: Path) -> None:
    """Raise ConfigError when OUT cannot be created or written, before any work is done."""
    if out.exists() and not out.is_dir():
        raise ConfigError(f"--out {out}: exists and is not a folder")
    folder = out
    while not folder.exists():
        folder = folder.parent
    if not folder.is_dir() or not os.access(folder, os.W_OK | os.X_OK):
        raise ConfigError(f"--out {out}: cannot write in {folder}")


@app.command()
def explain(
    text: str = typer.Argument(..., help="Text to analyse, or the path of a text file."),
    lang: Optional[str] = typer.Option(None, "--lang", help="en or es (default: detected)."),
    date: str = typer.Option("", "--date", help="Publication date (ISO) to resolve relative dates against."),
    config: Optional[Path] = CONFIG,
    debug: bool = DEBUG,
) -> None:
    """Print the entities, roles and meetings found in TEXT, with the ids of the rules that fired."""
    from pipeline.explain import explain as explain_text
    from pipeline.explain import format_explanation

    if _names_file(text):
        text = Path(text).read_text(encoding="utf-8", errors="replace")
    with _reported(debug, ValueError):
        result = explain_text(text, load_settings(config), lang=lang, date=date)
    typer.echo(format_explanation(result))


@rules_app.command("check")
def rules_check(config: Optional[Path] = CONFIG, debug: bool = DEBUG) -> None:
    """Validate every rule file; list each problem as file:line and exit 2 if there are any."""
    from pipeline.rules.ruleset import load_ruleset

    from pipeline.rules.ruleset import unread_files

    with _reported(debug):
        settings = load_settings(config)
        ruleset = load_ruleset(settings)
    for path in unread_files(settings):
        typer.echo(f"note: {path}: not read (settings.toml [rules] does not name it)", err=True)
    typer.echo(f"ok: {ruleset.count} rules valid (sha256 {ruleset.digest[:12]})")


@app.command("eval")
def evaluate(
    data: Optional[Path] = typer.Option(None, "--data", help="Folder holding conll2002-es/, ancora-ner-es/, conll2003-en/."),
    dev: Optional[Path] = typer.Option(None, "--dev", help="Development set: <lang>/ article folders and gold_<lang>.json."),
    out: Path = typer.Option(Path("out/eval"), "--out", help="Where <dataset>.json and dev-<lang>.json files go."),
    config: Optional[Path] = CONFIG,
    debug: bool = DEBUG,
) -> None:
    """Score entity recognition on public NER test sets (--data) and the graph on a development set (--dev)."""
    from pipeline import run as orchestrator
    from pipeline.tools.devscore import evaluate_dev, format_table
    from pipeline.tools.evaluate import run_eval

    with _reported(debug):
        if data is None and dev is None:
            raise ConfigError("nothing to score: pass --data (NER benchmarks) and/or --dev (development set)")
        for folder, what in ((data, "benchmark data"), (dev, "development set")):
            if folder is not None and not folder.is_dir():
                raise ConfigError(f"{folder}: {what} folder not found")
        settings = load_settings(config)
        if data is not None:
            run_eval(data, out, settings)
        if dev is not None:
            scores = evaluate_dev(dev, out, lambda source, run_dir: orchestrator.run(source, run_dir, settings, progress=False))
            print(format_table(scores), flush=True)


@app.command()
def train(
    data: Path = typer.Option(..., "--data", help="Folder holding conll2002-es/ and ancora-ner-es/."),
    config: Optional[Path] = CONFIG,
    debug: bool = DEBUG,
) -> None:
    """Train the Spanish NER model into models/ (see models/README.md)."""
    from pipeline.tools.train import train_spanish

    with _reported(debug):
        if not data.is_dir():
            raise ConfigError(f"{data}: training data folder not found (pass --data or DATA=...)")
        typer.echo(f"model written to {train_spanish(data, load_settings(config))}")


@app.command()
def bench(
    out: Path = typer.Option(Path("out"), "--out", "-o", help="Where bench.json goes."),
    docs: int = typer.Option(1000, "--docs", min=10, help="Documents in the throughput corpus."),
    words: int = typer.Option(250, "--words", min=20, help="About this many words per throughput document."),
    small: int = typer.Option(1000, "--small", min=10, help="Documents in the smaller memory corpus."),
    large: int = typer.Option(20000, "--large", min=10, help="Documents in the larger memory corpus."),
    workers: int = typer.Option(2, "--workers", "-w", min=2, help="Workers (and bare spaCy processes) compared with one."),
    repeats: int = typer.Option(3, "--repeats", min=1, help="Rounds of bare spaCy, first run and one worker; ratios: medians, and of the fastest runs."),
    long: str = typer.Option("1,10,50", "--long", help="Sizes (MB) of the single long documents measured for memory; '' for none."),
    lines: int = typer.Option(2_000_000, "--lines", min=0, help="Short lines of the one-document list measured for memory (0: none)."),
    long_only: bool = typer.Option(False, "--long-only", help="Measure only the long documents (OUT/bench-long.json)."),
    config: Optional[Path] = CONFIG,
    debug: bool = DEBUG,
) -> None:
    """Measure extract against bare spaCy on a generated corpus, and the memory of long documents;
    print the figures, write OUT/bench.json and OUT/bench-long.json."""
    from pipeline.tools.bench import run_bench, run_long

    with _reported(debug, RuntimeError):
        try:
            sizes = tuple(float(size) for size in long.split(",") if size.strip())
        except ValueError as exc:
            raise ConfigError(f"--long {long!r}: expected sizes in MB, like 1,10,50") from exc
        if not long_only:
            run_bench(out, docs=docs, words=words, small=small, large=large, workers=workers, repeats=repeats,
                      settings=load_settings(config))
        if sizes or lines:
            run_long(out, sizes, lines, workers)


@app.command("view")
def view_graph(
    out: Path = typer.Argument(Path("out"), help="The output folder of an extract run (it reads OUT/graph.graphml)."),
    debug: bool = DEBUG,
) -> None:
    """Write OUT/graph.html (the graph in a browser: search, filters, evidence; opens offline) and OUT/graph.svg."""
    from pipeline.view import write_view

    with _reported(debug, OSError):
        written = write_view(out)
    typer.echo(f"open {written['html']} in a browser; picture: {written['picture']}")


@app.command()
def init(
    folder: Path = typer.Argument(..., help="The project folder to create (or fill)."),
    force: bool = typer.Option(False, "--force", help="Overwrite files that already exist."),
    debug: bool = DEBUG,
) -> None:
    """Start a project: FOLDER/configs/ (an editable copy of the default rules), FOLDER/corpus/, FOLDER/README.md."""
    from pipeline.project import init_project

    with _reported(debug, OSError):
        files = init_project(folder, force=force)
    typer.echo(f"{len(files)} files written into {folder}/; put articles into {folder}/corpus/, then:")
    typer.echo(f"  cd {folder} && actorgraph rules check && actorgraph extract corpus --out out --view")


def _names_file(text: str) -> bool:
    """True when `text` is the path of an existing file rather than text to explain."""
    try:
        return "\n" not in text and Path(text).is_file()
    except (OSError, ValueError):  # too long for a file name, or a NUL byte: text
        return False
