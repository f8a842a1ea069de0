"""`actorgraph bench`: throughput and memory of extract against bare spaCy on a generated corpus.

The corpus is made from the sample articles: each generated document is a run of consecutive
paragraphs of one article plus a numbered closing line, so every text (and cache key) differs
while the language mix and the kind of prose stay those of real news. Every measurement runs
in a fresh child process, so model loading, worker start-up and peak memory are counted as a
user would see them.
"""

from __future__ import annotations

import json
import os
import platform
import random
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from pipeline import corpus
from pipeline.config import PROJECT_ROOT, Settings, load_settings
from pipeline.corpus.langid import load_identifier

SAMPLE = PROJECT_ROOT / "data" / "news"
CLOSING = {"en": "Reporting by the news desk, file {n}.", "es": "Información de la redacción, archivo {n}."}


def make_corpus(folder: Path, count: int, words: int, seed: int = 0) -> int:
    """Write `count` documents of about `words` words into `folder`; return their total words."""
    articles = [d for d in corpus.iter_documents(SAMPLE) if d.status == "ok"]
    paragraphs = [[p for p in d.text.split("\n") if p.strip()] for d in articles]
    rng = random.Random(seed)
    total = 0
    for n in range(count):
        index = n % len(articles)
        source, paras = articles[index], paragraphs[index]
        start = rng.randrange(len(paras))
        chosen: list[str] = []
        while sum(len(p.split()) for p in chosen) < words and len(chosen) < len(paras):
            chosen.append(paras[(start + len(chosen)) % len(paras)])
        text = "\n\n".join(chosen + [CLOSING[source.lang].format(n=n)])
        total += len(text.split())
        path = folder / f"part{n // 1000:03d}" / f"doc{n:06d}.txt"
        path.parent.mkdir(parents=True, exist_ok=True)
        header = f"date: {source.date}\n" if source.date else ""
        path.write_text(f"{header}{text}\n", encoding="utf-8")
    return total


def make_long(folder: Path, chars: int, seed: int = 0) -> Path:
    """Write one English document of about `chars` characters (paragraphs of the sample
    articles, each numbered so that no two are equal) into `folder`; return its path."""
    articles = [d for d in corpus.iter_documents(SAMPLE) if d.status == "ok" and d.lang == "en"]
    paragraphs = [p for d in articles for p in d.text.split("\n") if p.strip()]
    rng = random.Random(seed)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"long{chars}.txt"
    written = 0
    with open(path, "w", encoding="utf-8") as fh:
        fh.write("date: 2023-12-27\n")
        number = 0
        while written < chars:
            text = f"{rng.choice(paragraphs)} (part {number})\n\n"
            fh.write(text)
            written += len(text)
            number += 1
    return path


def make_lines(folder: Path, lines: int) -> Path:
    """Write one English document of `lines` short lines (a list of names, places and numbers)
    into `folder`; return its path. Its `lang:` header keeps it from being skipped: the language
    detector takes such a list for another language."""
    first = ["Anna", "Boris", "Carla", "Diego", "Elena", "Felipe", "Greta", "Hugo", "Irene", "Jorge"]
    last = ["Smith", "Lopez", "Brown", "Garcia", "Lee", "Martin", "Clark", "Ruiz", "Young", "Diaz"]
    places = ["Mexico City", "Washington", "Madrid", "Lima", "Ottawa"]
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"lines{lines}.txt"
    with open(path, "w", encoding="utf-8") as fh:
        fh.write("date: 2023-12-27\nlang: en\n")
        for n in range(lines):
            fh.write(f"{first[n % 10]} {last[n // 10 % 10]}, {places[n % 5]}, item {n}\n")
    return path


def run_long(out: Path, sizes: tuple[float, ...] = (1, 10, 50), lines: int = 2_000_000, workers: int = 2,
             log=print) -> dict:
    """Peak memory of extract on long documents: one document of each size in `sizes` (MB of
    text), and one of `lines` short lines; each run alone, --no-cache, `workers` workers.
    Returns {name: figures} with the peak RSS (MiB) of the main process and of the largest worker."""
    work = Path(tempfile.mkdtemp(prefix="actorgraph-long-"))
    figures: dict = {}
    try:
        inputs = [(f"{size:g}MB", lambda f, size=size: make_long(f, int(size * 1_000_000))) for size in sizes]
        if lines:
            inputs.append((f"{lines}_lines", lambda f: make_lines(f, lines)))
        for name, make in inputs:
            folder = work / name
            path = make(folder)
            result = _measure("extract", str(folder), str(work / f"out-{name}"), workers, False)
            result["chars"] = os.path.getsize(path)
            figures[name] = result
            log(f"long {name:>16} {result['chars'] / 1e6:8.2f} MB {result['seconds']:8.1f} s  peak RSS "
                f"{result['rss_main_mib']:.0f} MiB main, {result['rss_worker_mib']:.0f} MiB worker")
            shutil.rmtree(folder, ignore_errors=True)
            shutil.rmtree(work / f"out-{name}", ignore_errors=True)
        out.mkdir(parents=True, exist_ok=True)
        (out / "bench-long.json").write_text(json.dumps(figures, indent=2) + "\n", encoding="utf-8")
        log(f"written {out / 'bench-long.json'}")
        return figures
    finally:
        shutil.rmtree(work, ignore_errors=True)


def probe_bare(source: str, n_process: int, batch_size: int) -> dict:
    """Time bare spaCy (nlp.pipe of the models as spaCy loads them, no rule layer) over the texts
    under `source`; models load first."""
    from pipeline.nlp import models as nlp_mod

    settings = load_settings()
    texts: dict[str, list[str]] = {}
    for document in corpus.iter_documents(source):
        if document.status == "ok":
            texts.setdefault(document.lang, []).append(document.text)
    models = {lang: nlp_mod.load_spacy(settings.model_ref(lang)) for lang in texts}
    started = time.perf_counter()
    for lang, items in texts.items():
        for _ in models[lang].pipe(items, batch_size=batch_size, n_process=n_process):
            pass
    return {"seconds": time.perf_counter() - started}


def probe_extract(source: str, out: str, workers: int, cache: bool, config: str = "") -> dict:
    """Time a whole extract run, from input files to written graph, models and workers included."""
    from pipeline import run as orchestrator

    settings = load_settings(config or None)
    started = time.perf_counter()
    report = orchestrator.run(Path(source), Path(out), settings, workers=workers, use_cache=cache, progress=False)
    return {"seconds": time.perf_counter() - started, "run": report.summary["run"], "documents": report.summary["documents"]}


def probe_stages(source: str, count: int, batch_size: int) -> dict:
    """Return CPU milliseconds per document of each step of the per-document work, in one process.

    Over the first `count` documents under `source`: language detection, each statistical pipe
    of each language's model, spaCy's attribute-ruler matching against the indexed one, storing
    a parse as a token table against a spaCy DocBin, the rule layer, and the words kept for rule
    edits. Model loading is timed per language.
    """
    from collections import defaultdict

    from spacy.pipeline import AttributeRuler
    from spacy.tokens import DocBin

    from pipeline.incremental import rulediff
    from pipeline.incremental.cache import encode
    from pipeline.nlp import models as nlp_mod

    settings = load_settings()
    documents = [d for d in corpus.iter_documents(source, detect=False) if d.status == "ok"][:count]
    spent: dict[str, float] = defaultdict(float)

    def timed(name: str, work, *args):
        started = time.process_time()
        result = work(*args)
        spent[name] += time.process_time() - started
        return result

    timed("load language detector", corpus.detect_language, "a first text loads the detector", settings.run.languages)
    for document in documents:
        timed("detect language", corpus.detect, document, settings.run.languages)
    counts = {"all": len(documents)}
    for lang in sorted({d.lang for d in documents}):
        texts = [d.text for d in documents if d.lang == lang]
        counts[lang] = len(texts)
        nlp = timed(f"{lang} load pipeline", nlp_mod.load_pipeline, lang, settings)
        docs = [timed(f"{lang} tokenizer", nlp.make_doc, text) for text in texts]
        for name, pipe in nlp.pipeline:
            if name in nlp_mod.RULE_PIPES:
                continue
            if name == "attribute_ruler":
                plain = AttributeRuler(nlp.vocab)  # spaCy's own, with the same rules
                plain.add_patterns(pipe.patterns)
                for doc in docs:
                    timed(f"{lang} attribute_ruler matching, spaCy's", plain.match, doc)
                    timed(f"{lang} attribute_ruler matching, indexed", pipe.match, doc)
            docs = timed(f"{lang} {name}", lambda: list(pipe.pipe(docs, batch_size=batch_size)) if hasattr(pipe, "pipe") else [pipe(d) for d in docs])
        for doc in docs:
            timed(f"{lang} store parse, token table", encode, doc)
            timed(f"{lang} store parse, DocBin", lambda: DocBin(docs=[doc], store_user_data=False).to_bytes())
            timed(f"{lang} rule layer", nlp_mod.run_rule_layer, nlp, doc)
            timed(f"{lang} words for rule edits", rulediff.doc_words, doc)
    per_doc = {}
    for name, seconds in spent.items():
        lang = name.split(" ", 1)[0]
        per_doc[name] = round(seconds * 1000 if "load" in name else seconds * 1000 / counts.get(lang, counts["all"]), 3)
    return {"documents": counts, "ms_per_document": per_doc}


# Rule edits a researcher makes, each measured by the run that follows it: (file, text, what
# replaces it). Results are reused for every document the edit cannot change.
EDITS = {
    # a new office whose titles this corpus never uses: every document keeps its results
    "rule_edit": [
        ("roles.yml", "roles:\n", "roles:\n  - {id: role.ombudsman, label: Ombudsman}\n"),
        ("roles.yml", "aliases:\n",
         "aliases:\n"
         "  - {id: alias.en.ombudsman, role: role.ombudsman, lang: en, terms: [ombudsman, ombudswoman]}\n"
         "  - {id: alias.es.ombudsman, role: role.ombudsman, lang: es, terms: [defensor del pueblo, defensora del pueblo]}\n"),
    ],
    # a new organization that two of the five sample articles name: their documents re-run
    "rule_edit_some": [
        ("roles.yml", "organizations:\n",
         "organizations:\n  - {id: org.border_patrol, name: U.S. Border Patrol, jurisdiction: United States,"
         " names: {en: [border patrol, u.s. border patrol], es: [patrulla fronteriza]}}\n"),
    ],
    # a cap in settings.toml: no record vouches for any document, all re-run from the parse cache
    "rules_all": [("settings.toml", "max_pairings = 20000", "max_pairings = 20001")],
}


def _edited_rules(settings: Settings, folder: Path, edit: str) -> Path:
    """Copy the config folder to `folder` and apply one of EDITS to it."""
    shutil.copytree(settings.config_dir, folder)
    for name, old, new in EDITS[edit]:
        path = folder / name
        text = path.read_text(encoding="utf-8")
        if old not in text:
            raise RuntimeError(f"bench edit {edit}: {name} has no {old!r}")
        path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return folder


PROBES = {"bare": probe_bare, "extract": probe_extract, "stages": probe_stages}


def _measure(kind: str, *args) -> dict:
    """Run one probe in a child process; return its figures plus peak RSS (MiB) of it and its workers."""
    code = (
        "import json, os, resource; from pipeline.tools.bench import PROBES, peak_rss_mib; "
        f"r = PROBES[{kind!r}](*{list(args)!r}); "
        "r['rss_main_mib'] = peak_rss_mib(); "
        "r['rss_worker_mib'] = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024; "
        "t = os.times(); r['cpu_seconds'] = t.user + t.system + t.children_user + t.children_system; "
        "print('BENCH ' + json.dumps(r))"
    )
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(PROJECT_ROOT), os.environ.get("PYTHONPATH")]))}
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, check=False)
    lines = [line for line in done.stdout.splitlines() if line.startswith("BENCH ")]
    if done.returncode or not lines:
        raise RuntimeError(f"bench probe {kind} failed:\n{done.stderr[-3000:]}")
    return json.loads(lines[-1][6:])


def peak_rss_mib() -> float:
    """Return this process's peak RSS in MiB: VmHWM, which starts afresh at exec, where /proc has it.

    ru_maxrss carries over exec from the forked parent, so a child of a large bench process
    would report at least the parent's size.
    """
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def machine() -> dict:
    """Describe the machine the figures come from."""
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30 if hasattr(os, "sysconf") else 0
    return {
        "cpu": cpu,
        "cores": len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count(),
        "memory_gib": round(memory, 1),
        "python": platform.python_version(),
        "os": platform.platform(),
    }


def run_bench(out: Path, docs: int = 1000, words: int = 250, small: int = 1000, large: int = 20000,
              memory_words: int = 40, workers: int = 2, repeats: int = 3, stage_docs: int = 300,
              settings: Settings | None = None,
              log=print) -> dict:
    """Run every measurement, print the figures, write `<out>/bench.json` and return them.

    Throughput: `docs` documents of about `words` words. Extract with `workers` workers and an
    empty cache, bare spaCy (n_process=`workers`), extract after `rule_edit` and extract with
    one worker run one after the other, `repeats` times; each ratio is the median of the
    ratios within a round, so a machine whose speed drifts between rounds does not skew it;
    `best_ratios` compare the fastest run of each kind, the least disturbed by bursts of load
    from elsewhere. The other rule edits run once, against the last round's cache. Stages: CPU
    per document of each step over `stage_docs` documents in one process. Memory: peak RSS of extract over `small` and
    `large` documents of about `memory_words`.
    """
    settings = settings or load_settings()
    out.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix="actorgraph-bench-"))
    try:
        text_dir = work / "corpus"
        total = make_corpus(text_dir, docs, words)
        log(f"corpus: {docs} documents, {total} words in {text_dir}")
        figures: dict = {"machine": machine(), "corpus": {"documents": docs, "words": total}, "rounds": []}

        def measure(name: str, kind: str, *args) -> dict:
            result = _measure(kind, *args)
            result["words_per_second"] = round(total / result["seconds"], 1)
            reuse = result.get("run", {}).get("reuse", {})
            log(f"{name:<14} {result['seconds']:8.1f} s {result['words_per_second']:8.0f} words/s  "
                f"{result['cpu_seconds']:7.1f} CPU s  peak RSS {result['rss_main_mib']:.0f} MiB main, "
                f"{result['rss_worker_mib']:.0f} MiB worker"
                + (f"  results reused {reuse['reused']}, re-run {reuse['rerun']}" if reuse else ""))
            return result

        rounds = figures["rounds"]
        # The detector's plain copy is written once per machine (pipeline/corpus/langid.py), not per run.
        load_identifier()
        configs = {edit: str(_edited_rules(settings, work / f"configs-{edit}", edit)) for edit in EDITS}
        for _ in range(repeats):
            for folder in (work / "out", work / "out1"):
                shutil.rmtree(folder, ignore_errors=True)  # every first run starts from an empty cache
            first = measure("first_run", "extract", str(text_dir), str(work / "out"), workers, True)
            rounds.append({
                "bare_spacy": measure("bare_spacy", "bare", str(text_dir), workers, settings.run.batch_size),
                "first_run": first,
                # an edit no document contains: it reuses every result, so each round can repeat it
                "rule_edit": measure("rule_edit", "extract", str(text_dir), str(work / "out"), workers, True, configs["rule_edit"]),
                # the same run on one worker, its own empty cache: only the number of workers differs
                "one_worker": measure("one_worker", "extract", str(text_dir), str(work / "out1"), 1, True),
            })
        for name in rounds[0]:
            figures[name] = _median([r[name] for r in rounds], key=lambda r: r["seconds"])
        for edit in EDITS:  # edits that re-run documents change the cache: once, after the last round
            if edit != "rule_edit":
                figures[edit] = measure(edit, "extract", str(text_dir), str(work / "out"), workers, True, configs[edit])
        pairs = {"first_run_vs_bare_spacy": ("first_run", "bare_spacy"), "rule_edit_vs_first_run": ("rule_edit", "first_run"),
                 f"{workers}_workers_vs_one": ("first_run", "one_worker")}
        figures["round_ratios"] = [
            {key: round(r[a]["words_per_second"] / r[b]["words_per_second"], 3) for key, (a, b) in pairs.items()} for r in rounds
        ]
        figures["ratios"] = {key: _median([r[key] for r in figures["round_ratios"]]) for key in pairs}
        # Other machines' load only ever adds time: the fastest of each run is the least disturbed.
        best = {name: min(r[name]["seconds"] for r in rounds) for name in rounds[0]}
        figures["best_ratios"] = {key: round(best[b] / best[a], 3) for key, (a, b) in pairs.items()}
        figures["ratios"].update({
            f"{edit}_vs_first_run": round(figures[edit]["words_per_second"] / figures["first_run"]["words_per_second"], 2)
            for edit in EDITS if edit != "rule_edit"
        })
        # CPU seconds depend less on what else the machine runs: work per word, whoever waits.
        figures["cpu_ratios"] = {
            f"{b}_vs_{a}": _median([r[b]["cpu_seconds"] / r[a]["cpu_seconds"] for r in rounds]) for a, b in pairs.values()
        }
        figures["stages"] = _measure("stages", str(text_dir), stage_docs, settings.run.batch_size)
        for name, value in figures["stages"]["ms_per_document"].items():
            log(f"stage {name:<44} {value:8.3f} ms{'' if 'load' in name else ' per document'}")
        figures["memory"] = {}
        for count in (small, large):
            folder = work / f"memory{count}"
            make_corpus(folder, count, memory_words, seed=count)
            result = _measure("extract", str(folder), str(work / f"out-memory{count}"), workers, True)
            figures["memory"][str(count)] = result
            log(f"memory {count:>6} docs {result['seconds']:8.1f} s  peak RSS {result['rss_main_mib']:.0f} MiB main, "
                f"{result['rss_worker_mib']:.0f} MiB worker")
        peaks = [max(figures["memory"][str(c)]["rss_main_mib"], figures["memory"][str(c)]["rss_worker_mib"]) for c in (small, large)]
        figures["ratios"]["peak_rss_large_vs_small"] = round(peaks[1] / peaks[0], 3)
        for index, ratios in enumerate(figures["round_ratios"], 1):
            log(f"round {index}: " + ", ".join(f"{k} {v}" for k, v in ratios.items()))
        for key, value in (*figures["ratios"].items(), *(("best " + k, v) for k, v in figures["best_ratios"].items()),
                           *(("cpu " + k, v) for k, v in figures["cpu_ratios"].items())):
            log(f"{key:<28} {value}")
        (out / "bench.json").write_text(json.dumps(figures, indent=2) + "\n", encoding="utf-8")
        log(f"written {out / 'bench.json'}")
        return figures
    finally:
        shutil.rmtree(work, ignore_errors=True)


def _median(items: list, key=None):
    """Return the middle item of `items` (the lower middle of an even count), rounded when a number."""
    middle = sorted(items, key=key)[(len(items) - 1) // 2]
    return round(middle, 3) if isinstance(middle, float) else middle
