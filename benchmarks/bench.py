"""Speed and memory figures, printed (never asserted: machines here are shared and noisy).

usage: python benchmarks/bench.py [--copies 200] [--quick] [--compare DIR]

All speeds are words per CPU-second (the machine is shared: wall time says more about the
neighbours than about kzx), each next to a floor measured in the same run: spaCy's blank English
tokenizer over the same texts. Each is the best of a few runs (the floor of 3, kzx with 1 worker of
2), so that a moment's load on the shared machine sways neither. Printed:
- kzx end to end (`kzx extract` in a fresh process, as the command line runs it: imports, start-up,
  ingest, every stage, Parquet)
  over N copies of data/raw, 1 worker and 2 workers (for 2: the busiest process's CPU, i.e. the run's time on 2 free cores),
  the floor, kzx ÷ floor, and 2 workers ÷ 1 worker;
- peak RSS of a fresh process extracting 1×, 10× and 100× data/raw (memory must stay flat);
- the share of CPU per stage (an instrumented pass over the same documents);
- the same speed figures for a generated Russian/Kazakh corpus (`ru_corpus`, our own sentences),
  and for ../shared/corpus/ru when it is there (read in place, never copied);
- start-up: imports and Engine.build (rules, spaCy, prefilter from its disk cache);
- with --compare DIR: the documents in DIR too, and their kzx ÷ floor over data/raw's.
"""
import argparse
import random
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SHARED_RU = ROOT.parent / "shared" / "corpus" / "ru"
sys.path.insert(0, str(ROOT))

T_IMPORT = time.process_time()
from kzx import run as kzx_run  # noqa: E402
from kzx.config import Settings  # noqa: E402
from kzx.ingest import discover, read_source  # noqa: E402
from kzx.link import claims_for, links_for  # noqa: E402
from kzx.write import TableSet  # noqa: E402
T_IMPORT = time.process_time() - T_IMPORT


def copies_of_raw(dst: Path, copies: int) -> Path:
    dst.mkdir(parents=True, exist_ok=True)
    for i in range(copies):
        for f in sorted((ROOT / "data" / "raw").iterdir()):
            shutil.copy(f, dst / f"{i:04d}_{f.name}")
    return dst


# Russian and Kazakh sentences of our own, filled with random figures: the phenomena the rules read
# (amounts with scales and currencies, percents, dates, programs, speakers), never a dev-set text.
RU = [
    "В {year} году в {region} на реализацию программы «{prog}» направлено {num} {scale} тенге.",
    "По словам акима области {name}, объём инвестиций в основной капитал вырос на {pct}%.",
    "С {day} {month} {year} года введено в эксплуатацию {int} объектов стоимостью {num} {scale} тенге.",
    "{name} отметил, что до {year2} года планируется построить {int} км автомобильных дорог.",
    "За {half} {year} года валовой региональный продукт составил {num} трлн тенге, или {pct} процента к уровню прошлого года.",
    "В рамках проекта «{prog}» создано {int} рабочих мест, привлечено {num} млн долларов США.",
    "Аким поручил до конца года завершить строительство {int} школ и {int} поликлиник.",
    "Доля малого и среднего бизнеса в экономике региона достигла {pct}%.",
]
KK = [
    "{year} жылы {region} облысында «{prog}» бағдарламасы аясында {num} {kscale} теңге бөлінді.",
    "Облыс әкімі {name} айтқандай, өнеркәсіп өндірісі {pct} пайызға өсті.",
    "{day} {kmonth} {year} жылы {int} нысан пайдалануға берілді.",
    "{year2} жылға дейін {int} шақырым жол салу жоспарлануда.",
]
WORDS = {
    "region": ["Карагандинской области", "Туркестанской области", "городе Шымкенте", "Павлодарской области"],
    "prog": ["Ауыл – Ел бесігі", "Дорожная карта бизнеса", "Нурлы жер", "Енбек"],
    "name": ["Ерлан Касымов", "Серик Абенов", "Дархан Нурланов", "Нурлан Жумабеков"],
    "scale": ["млрд", "млн", "миллиарда", "миллионов"],
    "kscale": ["млрд", "млн", "миллиард"],
    "month": ["января", "марта", "мая", "сентября", "декабря"],
    "kmonth": ["қаңтар", "наурыз", "мамыр", "қыркүйек"],
    "half": ["первое полугодие", "9 месяцев", "I квартал"],
}


def ru_corpus(dst: Path, docs: int, seed: int = 7) -> Path:
    """`docs` generated Russian/Kazakh documents of 40 sentences (a paragraph break every 5)."""
    rnd = random.Random(seed)
    dst.mkdir(parents=True, exist_ok=True)
    for d in range(docs):
        lines = []
        for k in range(40):
            tpl = rnd.choice(RU if rnd.random() < 0.7 else KK)
            fill = {key: rnd.choice(vals) for key, vals in WORDS.items()}
            fill.update(year=rnd.randint(2015, 2024), year2=rnd.randint(2025, 2030), day=rnd.randint(1, 28),
                        num=f"{rnd.randint(1, 999)},{rnd.randint(1, 9)}", int=rnd.randint(2, 900),
                        pct=f"{rnd.randint(1, 99)},{rnd.randint(0, 9)}")
            lines.append(tpl.format(**fill) + ("\n" if k % 5 == 4 else ""))
        (dst / f"ru_{d:04d}.txt").write_text("\n".join(lines), encoding="utf-8")
    return dst


def words_in(src: Path) -> tuple[int, list[str]]:
    texts = [p.read_text(encoding="utf-8") for p in sorted(src.iterdir()) if p.is_file()]
    return sum(len(t.split()) for t in texts), texts


RUNS = 3      # each speed is the best of this many runs (kzx's 1-worker run: of 2), the floor's and kzx's alike


def floor(src: Path) -> float:
    """spaCy's blank tokenizer over the same files: words per CPU-second (reading included), the
    best of RUNS passes."""
    import spacy

    nlp = spacy.blank("en")
    best = 0.0
    for _ in range(RUNS):
        t = time.process_time()
        words = 0
        for p in sorted(src.iterdir()):
            text = p.read_text(encoding="utf-8")
            words += len(text.split())
            nlp.make_doc(text)
        best = max(best, words / (time.process_time() - t))
    return best


def kzx(src: Path, workers: int, out: Path, metadata=None) -> tuple[float, int]:
    """kzx extract end to end in a fresh process (imports, start-up, every stage, Parquet, as the
    command line runs it) → (words per CPU-second, words); for several workers the CPU is the
    busiest process's (parent or worker), i.e. what the run takes on that many free cores."""
    args = [sys.executable, __file__, "--extract-child", str(src), str(out), str(workers), str(metadata or "")]
    parent, children, words = map(float, subprocess.run(args, capture_output=True, text=True, check=True)
                                  .stdout.split()[-3:])
    if workers == 1:
        return words / parent, int(words)
    total = parent + children
    busiest = max(parent, children / workers)
    print(f"    ({workers} workers: {total:.1f} CPU-s in all, busiest process {busiest:.1f} s)")
    return words / busiest, int(words)


def kzx_cpu(src: Path, workers: int, out: Path) -> float:
    """CPU-seconds of kzx(): the whole fresh process with 1 worker."""
    rate, words = kzx(src, workers, out)
    return words / rate


def _extract_child(src: str, out: str, workers: str, metadata: str) -> None:
    """The extract of kzx(): `kzx extract` as the command line runs it (pipeline/cli.py's main, in
    this process of its own); prints this process's CPU since it started (so its imports too), its
    workers' CPU, and the words read (counted from the documents table afterwards, as the run's
    summary counts them, outside the CPU printed)."""
    from kzx.cli import main

    sys.argv = ["kzx", "-q", "extract", src, "-o", out, "-j", workers] + (["--metadata", metadata] if metadata else [])
    try:
        main()
    except SystemExit as e:
        if e.code:
            raise
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    self_ = resource.getrusage(resource.RUSAGE_SELF)
    import pyarrow.parquet as pq
    texts = pq.read_table(Path(out) / "documents.parquet", columns=["text"]).column("text").to_pylist()
    print(self_.ru_utime + self_.ru_stime, kids.ru_utime + kids.ru_stime, sum(map(kzx_run.count_words, texts)))


def stages(src: Path) -> dict:
    """CPU per stage over the documents of src (one instrumented pass, 1 worker), the stages as
    run.py's _match_rows calls them; rows go into a TableSet that is committed, as in a run, so
    its Parquet writing (most of it at the last flush and the commit) is counted."""
    from kzx.projects_doc import more_projects
    from kzx.run import DocRows, Summary

    engine = kzx_run.Engine.build(Settings())
    took = dict.fromkeys(("ingest", "dateline", "tokenize + split", "figures (rules)", "links, claims, facts",
                          "rows + Parquet"), 0.0)
    summary = Summary()
    with tempfile.TemporaryDirectory() as tmp:
        ts = TableSet(Path(tmp), kzx_run.ALL_TABLES)
        for item in discover([src]):
            t = time.process_time()
            docs = read_source(item, 1 << 30)
            took["ingest"] += time.process_time() - t
            for doc in docs:
                t0 = time.process_time()
                kzx_run.resolve_published(doc, engine, None)
                t1 = time.process_time()
                sents = kzx_run.tokenize_doc(doc, engine)
                t2 = time.process_time()
                rows = DocRows(kzx_run.document_row(doc))
                rows.sentences = [kzx_run.sentence_row(doc.doc_id, s) for s in sents]
                figs = kzx_run._figures(doc, sents, engine, [])
                extra = more_projects(doc, sents, figs, engine.rules)
                if extra:
                    figs = sorted(figs + extra, key=lambda f: (f["start_char"], f["end_char"], f["kind"]))
                t3 = time.process_time()
                rows.figures = figs
                rows.links = links_for(doc, sents, figs, engine.rules)
                rows.claims = claims_for(doc, sents, figs, engine.rules)
                rows.facts = kzx_run.facts_for(doc, sents, figs, rows.links, rows.claims, engine.rules)
                t4 = time.process_time()
                kzx_run._add(ts, [rows], summary, kzx_run.ALL_TABLES)
                t5 = time.process_time()
                for key, a, b in (("dateline", t0, t1), ("tokenize + split", t1, t2), ("figures (rules)", t2, t3),
                                  ("links, claims, facts", t3, t4), ("rows + Parquet", t4, t5)):
                    took[key] += b - a
        t = time.process_time()
        ts.commit({"bench": "stages"})
        took["rows + Parquet"] += time.process_time() - t
    total = sum(took.values())
    return {k: v / total for k, v in took.items()}


def peak_rss(copies: int) -> float:
    """Peak RSS (MB) of a fresh process extracting `copies` copies of data/raw, 1 worker."""
    out = subprocess.run([sys.executable, __file__, "--rss-child", str(copies)], capture_output=True, text=True,
                         check=True)
    return float(out.stdout.split()[-1])


def _rss_child(copies: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        src = copies_of_raw(Path(tmp) / "in", copies)
        kzx_run.extract(Settings(inputs=(src,), out=Path(tmp) / "out"))
    print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)


def speed_block(name: str, src: Path, tmp: Path, two: bool = True, metadata=None) -> tuple[float, float, float]:
    """Print kzx's and the floor's words per CPU-second over src; return (kzx ÷ floor, kzx's CPU-s
    with 1 worker, the floor)."""
    fl = floor(src)
    one, words = max(kzx(src, 1, tmp / f"{name}_out1_{k}", metadata) for k in range(2))
    print(f"{name}: {words:,} words")
    print(f"  kzx, 1 worker        {one:12,.0f} words/CPU-s")
    print(f"  spaCy blank (floor)  {fl:12,.0f} words/CPU-s")
    print(f"  kzx / floor          {one / fl:12.3f}")
    print(f"  kzx, 1 worker        {words / one:12.2f} CPU-s in all")
    if two:
        two_w, _ = kzx(src, 2, tmp / f"{name}_out2", metadata)
        print(f"  kzx, 2 workers       {two_w:12,.0f} words/CPU-s of the busiest process")
        print(f"  2 workers / 1        {two_w / one:12.2f}")
    return one / fl, words / one, fl


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--copies", type=int, default=200, help="copies of data/raw for the speed figures")
    ap.add_argument("--quick", action="store_true", help="20 copies, RSS at 1× and 10× only")
    ap.add_argument("--compare", type=Path, metavar="DIR",
                    help="also measure the documents in DIR (e.g. Russian/Kazakh texts) and print their "
                         "kzx / floor as a ratio to data/raw's, measured in the same run")
    ap.add_argument("--rss-child", type=int, help=argparse.SUPPRESS)
    ap.add_argument("--extract-child", nargs=4, help=argparse.SUPPRESS)
    a = ap.parse_args()
    if a.rss_child is not None:
        _rss_child(a.rss_child)
        return
    if a.extract_child:
        _extract_child(*a.extract_child)
        return
    copies = 20 if a.quick else a.copies
    t = time.process_time()
    kzx_run.Engine.build(Settings())
    print(f"start-up: imports {T_IMPORT:.2f} CPU-s, Engine.build {time.process_time() - t:.2f} CPU-s")
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        raw1 = copies_of_raw(tmp / "raw1", 1)
        cpu1 = min(kzx_cpu(raw1, 1, tmp / f"raw1_out{i}") for i in range(3))
        src = copies_of_raw(tmp / "raw", copies)
        base, cpu_n, fl = speed_block(f"data/raw x{copies}", src, tmp)
        if copies > 1:             # start-up apart: what a run costs per copy once it is going
            per_copy = (cpu_n - cpu1) / (copies - 1)
            rate = words_in(raw1)[0] / per_copy
            print(f"  a fresh `extract` of data/raw x1: {cpu1:.2f} CPU-s (best of 3); each further copy "
                  f"{per_copy:.3f} CPU-s, so start-up and first uses ~{cpu1 - per_copy:.2f} CPU-s;")
            print(f"  without start-up        {rate:12,.0f} words/CPU-s, ÷ floor {rate / fl:.3f}")
        print("  CPU per stage: " + ", ".join(f"{k} {v:.0%}" for k, v in stages(src).items()))
        ru = ru_corpus(tmp / "ru", 40 if a.quick else 400)
        speed_block("generated ru/kk corpus", ru, tmp)
        print("  CPU per stage: " + ", ".join(f"{k} {v:.0%}" for k, v in stages(ru).items()))
        if SHARED_RU.is_dir():
            meta = SHARED_RU.parent / "ru.metadata.csv"
            speed_block("../shared/corpus/ru", SHARED_RU, tmp, two=False, metadata=meta if meta.exists() else None)
        if a.compare:                # as many words as data/raw's copies, so start-up weighs the same
            n = max(1, round(words_in(src)[0] / max(1, words_in(a.compare)[0])))
            cmp_dir = tmp / "compare"
            cmp_dir.mkdir()
            for i in range(n):
                for f in sorted(f for f in a.compare.iterdir() if f.is_file()):
                    shutil.copy(f, cmp_dir / f"{i:04d}_{f.name}")
            other, *_ = speed_block(f"{a.compare} x{n}", cmp_dir, tmp, two=False)
            print(f"  (kzx / floor) {a.compare.name} / data/raw = {other / base:.2f}")
    sizes = (1, 10) if a.quick else (1, 10, 100)
    rss = {n: peak_rss(n) for n in sizes}
    print("peak RSS, 1 worker: " + ", ".join(f"{n}x data/raw {mb:.0f} MB" for n, mb in rss.items())
          + f"; largest / smallest {max(rss.values()) / min(rss.values()):.2f}")


if __name__ == "__main__":
    main()
