"""Speed and memory figures, printed (never asserted: machines here are shared and noisy).

usage: python benchmarks/bench.py [--copies 200] [--quick] [--compare DIR]

All speeds are words per CPU-second (the machine is shared: wall time says more about the
neighbours than about kzx), each next to a floor measured in the same run: spaCy's blank English
tokenizer over the same texts. Printed:
- kzx end to end (`extract`: start-up, ingest, every stage, Parquet) over N copies of data/raw,
  1 worker and 2 workers (for 2: the busiest process's CPU, i.e. the run's time on 2 free cores),
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


def floor(src: Path) -> float:
    """spaCy's blank tokenizer over the same files: words per CPU-second (reading included)."""
    import spacy

    nlp = spacy.blank("en")
    t = time.process_time()
    words = 0
    for p in sorted(src.iterdir()):
        text = p.read_text(encoding="utf-8")
        words += len(text.split())
        nlp.make_doc(text)
    return words / (time.process_time() - t)


def kzx(src: Path, workers: int, out: Path, metadata=None) -> tuple[float, int]:
    """kzx extract end to end → (words per CPU-second, words); for several workers the CPU is the
    busiest process's (parent or worker), i.e. what the run takes on that many free cores."""
    cpus = getattr(kzx_run, "WORKER_CPU", {})   # pid → CPU, where the runner reports it
    cpus.clear()
    self0 = time.process_time()
    kids0 = resource.getrusage(resource.RUSAGE_CHILDREN)
    s = kzx_run.extract(Settings(inputs=(src,), out=out, workers=workers, metadata=metadata))
    parent = time.process_time() - self0
    if workers == 1:
        return s.words / parent, s.words
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    children = (kids.ru_utime - kids0.ru_utime) + (kids.ru_stime - kids0.ru_stime)
    total = parent + children
    busiest = max([parent] + (list(cpus.values()) or [children / workers]))
    print(f"    ({workers} workers: {total:.1f} CPU-s in all, busiest process {busiest:.1f} s)")
    return s.words / busiest, s.words


def stages(src: Path) -> dict:
    """CPU per stage over the documents of src (one instrumented pass, 1 worker)."""
    engine = kzx_run.Engine.build(Settings())
    took = dict.fromkeys(("ingest", "dateline", "tokenize + split", "figures (rules)", "links, claims, facts",
                          "rows + Parquet"), 0.0)
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
                per_sentence = kzx_run.document_mentions(doc.text, sents, engine.rules, doc.published)
                figs = [f for s, ms in zip(sents, per_sentence) for f in kzx_run.figure_rows(doc, s, ms)]
                t3 = time.process_time()
                links, claims = links_for(doc, sents, figs, engine.rules), claims_for(doc, sents, figs, engine.rules)
                kzx_run.facts_for(doc, sents, figs, links, claims)
                t4 = time.process_time()
                ts.add("documents", [kzx_run.document_row(doc)])
                ts.add("sentences", [kzx_run.sentence_row(doc.doc_id, s) for s in sents])
                ts.add("figures", figs)
                ts.add("links", links)
                ts.add("claims", claims)
                t5 = time.process_time()
                for key, a, b in (("dateline", t0, t1), ("tokenize + split", t1, t2), ("figures (rules)", t2, t3),
                                  ("links, claims, facts", t3, t4), ("rows + Parquet", t4, t5)):
                    took[key] += b - a
        t = time.process_time()
        ts.abort()
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


def speed_block(name: str, src: Path, tmp: Path, two: bool = True, metadata=None) -> float:
    """Print kzx's and the floor's words per CPU-second over src; return kzx ÷ floor."""
    fl = floor(src)
    one, words = kzx(src, 1, tmp / f"{name}_out1", metadata)
    print(f"{name}: {words:,} words")
    print(f"  kzx, 1 worker        {one:12,.0f} words/CPU-s")
    print(f"  spaCy blank (floor)  {fl:12,.0f} words/CPU-s")
    print(f"  kzx / floor          {one / fl:12.3f}")
    if two:
        two_w, _ = kzx(src, 2, tmp / f"{name}_out2", metadata)
        print(f"  kzx, 2 workers       {two_w:12,.0f} words/CPU-s of the busiest process")
        print(f"  2 workers / 1        {two_w / one:12.2f}")
    return one / fl


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--copies", type=int, default=200, help="copies of data/raw for the speed figures")
    ap.add_argument("--quick", action="store_true", help="20 copies, RSS at 1× and 10× only")
    ap.add_argument("--compare", type=Path, metavar="DIR",
                    help="also measure the documents in DIR (e.g. Russian/Kazakh texts) and print their "
                         "kzx / floor as a ratio to data/raw's, measured in the same run")
    ap.add_argument("--rss-child", type=int, help=argparse.SUPPRESS)
    a = ap.parse_args()
    if a.rss_child is not None:
        _rss_child(a.rss_child)
        return
    copies = 20 if a.quick else a.copies
    t = time.process_time()
    kzx_run.Engine.build(Settings())
    print(f"start-up: imports {T_IMPORT:.2f} CPU-s, Engine.build {time.process_time() - t:.2f} CPU-s")
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        src = copies_of_raw(tmp / "raw", copies)
        base = speed_block(f"data/raw x{copies}", src, tmp)
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
            other = speed_block(f"{a.compare} x{n}", cmp_dir, tmp, two=False)
            print(f"  (kzx / floor) {a.compare.name} / data/raw = {other / base:.2f}")
    sizes = (1, 10) if a.quick else (1, 10, 100)
    rss = {n: peak_rss(n) for n in sizes}
    print("peak RSS, 1 worker: " + ", ".join(f"{n}x data/raw {mb:.0f} MB" for n, mb in rss.items())
          + f"; largest / smallest {max(rss.values()) / min(rss.values()):.2f}")


if __name__ == "__main__":
    main()
