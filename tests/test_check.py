"""kzx check beyond counts: sums of value_max, links, the set of figures; the baseline file itself."""
import json
import re
import shutil

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
from typer.testing import CliRunner

from conftest import ROOT
from kzx.cli import app

runner = CliRunner()
RAW, META = str(ROOT / "data" / "raw"), str(ROOT / "data" / "raw.metadata.csv")


def _baseline(seeds_out, tmp_path):
    out, _ = seeds_out
    b = tmp_path / "kzx_baseline.json"
    r = runner.invoke(app, ["check", str(out), "--baseline", str(b), "--update"])
    assert (r.exit_code, r.output) == (0, f"baseline {b} updated (version 2, {_sizes(out)[2]} figures)\n")
    return out, b


def _sizes(out):
    """(count rows, sum rows, figures) of an output, as check counts them."""
    figs = pd.read_parquet(out / "figures.parquet")
    docs = pd.read_parquet(out / "documents.parquet")
    kinds = set(figs.kind) | {"money", "percent", "date", "project"}
    sums = figs.dropna(subset=["value_max"]).groupby(["kind", "unit"]).ngroups
    return (len(docs) + 1) * len(kinds), sums, len(figs)


def test_check_catches_a_scale_word_regression_that_keeps_every_count(seeds_out, tmp_path):
    out, b = _baseline(seeds_out, tmp_path)
    r = runner.invoke(app, ["check", str(out), "--baseline", str(b)])
    n_counts, n_sums, n_figs = _sizes(out)
    assert (r.exit_code, r.output) == (0, f"no drift from the baseline {b}: {n_counts} counts, {n_sums} sums, "
                                          f"{n_figs} figures (tolerance 0)\n")
    rules = tmp_path / "rules"
    shutil.copytree(ROOT / "rules", rules)
    scales = rules / "lexicon" / "scales.yaml"
    text = scales.read_text(encoding="utf-8")
    line = "\n  1000000000: [billion, billions, bln, bn, bil, mlrd, milliard, milliards]"
    assert line in text                                   # "billion" read as half of what it is
    scales.write_text(text.replace(line, "\n  500000000: [billion, billions, bln, bn, bil]"
                                         "\n  1000000000: [mlrd, milliard, milliards]"), encoding="utf-8")
    half = tmp_path / "half"
    assert runner.invoke(app, ["extract", RAW, "-o", str(half), "--metadata", META, "--rules", str(rules)]).exit_code == 0
    r = runner.invoke(app, ["check", str(half), "--baseline", str(b), "--show", "2"])
    assert r.exit_code == 3
    lines = r.output.splitlines()
    assert lines[0] == f"drift from the baseline {b} (tolerance 0):"
    figs, halved = pd.read_parquet(out / "figures.parquet"), pd.read_parquet(half / "figures.parquet")
    changed = int((figs.value_max.fillna(-1) != halved.value_max.fillna(-1)).sum())
    kzt = figs[figs.unit == "KZT"].value_max.sum()
    kzt_now = halved[halved.unit == "KZT"].value_max.sum()
    assert 0 < kzt_now < kzt and changed > 20
    assert lines[1] == f"sums of value_max: 1 of {n_sums} differ"              # no count changed
    assert lines[3].split() == ["money", "KZT", f"{kzt:e}", f"{kzt_now:e}", f"{kzt_now - kzt:e}"]
    assert lines[4] == f"figures: 0 appeared, 0 disappeared, {changed} changed value (of {n_figs}); first 2:"
    assert lines[5] == "  ~ 001_2ca8d319622e1d63.txt money '16 billion tenge': 1.6e+10 KZT → 8e+09 KZT"
    assert len(lines) == 8
    report = json.loads(runner.invoke(app, ["check", "-o", str(half), "--baseline", str(b), "--format", "json"]).output)
    assert report["drift"] is True and report["counts"]["differ"] == []
    assert [(s["kind"], s["unit"]) for s in report["sums"]["differ"]] == [("money", "KZT")]
    assert (report["figures"]["changed"], len(report["figures"]["first"])) == (changed, 20)
    assert report["figures"]["first"][1] == {"change": "changed", "doc_id": "002_b375e10d30cad7e7.txt", "kind": "money",
                                             "text": "1 billion tenge", "baseline": "1e+09 KZT", "now": "5e+08 KZT"}
    # their own tolerances: the sums may drift as much as they did, and as many figures change
    sum_tol = f"{100 * (kzt - kzt_now) / kzt + 0.1:.1f}%"
    ok = runner.invoke(app, ["check", str(half), "--baseline", str(b), "--sum-tolerance", sum_tol,
                             "--figure-tolerance", str(changed)])
    assert ok.exit_code == 0
    assert runner.invoke(app, ["check", str(half), "--baseline", str(b), "--sum-tolerance", sum_tol,
                               "--figure-tolerance", str(changed - 1)]).exit_code == 3


def _reseal(out):
    """Record the tables now in `out` in its manifest (rows and sha256), so readers accept them."""
    import json
    from kzx.write import file_sha256
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    for name in manifest["tables"]:
        path = out / f"{name}.parquet"
        manifest["tables"][name] = {"rows": pq.ParquetFile(path).metadata.num_rows, "sha256": file_sha256(path)}
    (out / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")


def _without_links(seeds_out, tmp_path, relation):
    """(seeds' output, its baseline, a copy of it without the links of `relation`, those links)."""
    out, b = _baseline(seeds_out, tmp_path)
    changed = tmp_path / "changed"
    shutil.copytree(out, changed)
    links = pq.read_table(changed / "links.parquet")
    pq.write_table(links.filter(pa.array([r != relation for r in links.column("relation").to_pylist()])),
                   changed / "links.parquet")
    return out, b, changed, links


def test_check_reports_linked_projects_and_figures_that_disappeared(seeds_out, tmp_path):
    out, b, changed, links = _without_links(seeds_out, tmp_path, "funds")
    figs = pq.read_table(changed / "figures.parquet")
    pq.write_table(figs.filter(pa.array([t != "16 billion tenge" for t in figs.column("text").to_pylist()])),
                   changed / "figures.parquet")
    links = links.to_pandas()
    _reseal(changed)                       # as a run that wrote these tables would record them
    r = runner.invoke(app, ["check", str(changed), "--baseline", str(b)])
    assert r.exit_code == 3
    n_projects = links[links.relation == "funds"].target_id.nunique()
    assert f"linked projects: {n_projects} → 0 (-{n_projects})" in r.output.splitlines()
    assert "  - 001_2ca8d319622e1d63.txt money '16 billion tenge': 1.6e+10 KZT" in r.output.splitlines()
    assert f"counts: 2 of {_sizes(out)[0]} differ" in r.output.splitlines()   # the document's money and (all)
    # the links' own tolerance: as many linked projects may go (counts, sums and figures allowed their change)
    loose = ["check", str(changed), "--baseline", str(b), "--tolerance", "1", "--figure-tolerance", "1",
             "--sum-tolerance", "1%"]
    assert runner.invoke(app, loose + ["--link-tolerance", str(n_projects)]).exit_code == 0
    r = runner.invoke(app, loose + ["--link-tolerance", str(n_projects - 1)])
    assert r.exit_code == 3 and r.output.splitlines()[1] == f"linked projects: {n_projects} → 0 (-{n_projects})"


def test_check_reports_dated_figures_that_lost_their_date(seeds_out, tmp_path):
    out, b, changed, links = _without_links(seeds_out, tmp_path, "dated")
    _reseal(changed)
    r = runner.invoke(app, ["check", str(changed), "--baseline", str(b)])
    links = links.to_pandas()
    n_dated = links[links.relation == "dated"].source_id.nunique()
    assert r.exit_code == 3 and n_dated > 0
    assert r.output.splitlines()[1:] == [f"dated figures: {n_dated} → 0 (-{n_dated})",
                                         "If the change is intended: kzx check OUT --baseline FILE --update"]
    report = json.loads(runner.invoke(app, ["check", str(changed), "--baseline", str(b), "--format", "json"]).output)
    assert report["links_differ"] == ["dated_figures"]
    assert report["links"]["dated_figures"] == {"baseline": n_dated, "now": 0}


def test_check_help_example_runs_as_written(seeds_out, tmp_path, monkeypatch):
    help_text = runner.invoke(app, ["check", "--help"]).output
    example = re.search(r"Example: (kzx check .+)", help_text).group(1).split()
    assert example[:3] == ["kzx", "check", "data/out"]
    out, _ = seeds_out
    shutil.copytree(out, tmp_path / "data" / "out")                   # what README's first command leaves
    shutil.copy(ROOT / "data" / "baseline_counts.csv", tmp_path / "data")
    monkeypatch.chdir(tmp_path)
    r = runner.invoke(app, example[1:])
    assert r.exit_code == 0 and r.output.startswith("no drift from the baseline data/baseline_counts.csv: 48 counts")


def test_check_baseline_file_errors_are_one_line_exit_2(seeds_out, tmp_path):
    out, b = _baseline(seeds_out, tmp_path)
    assert b.read_text(encoding="utf-8").startswith('{"kzx_baseline": 2,\n "counts": [\n  ["(all)", "count", 45],\n')
    assert json.loads(b.read_text(encoding="utf-8"))["kzx_baseline"] == 2
    assert sorted(p.name for p in tmp_path.iterdir()) == ["kzx_baseline.json"]       # no temporary file left
    bad = tmp_path / "bad.json"
    bad.write_text('{"counts": []}', encoding="utf-8")
    newer = tmp_path / "newer.json"
    newer.write_text('{"kzx_baseline": 9}', encoding="utf-8")
    cases = {
        ("--baseline", str(tmp_path)): f"Error: baseline is a folder, not a file ({tmp_path})",
        ("--baseline", str(bad)): f"Error: not a kzx baseline: no kzx_baseline version field ({bad})",
        ("--baseline", str(newer)): f"Error: baseline version 9 is newer than this kzx reads ({newer})",
        ("--baseline", str(tmp_path / "no" / "b.json"), "--update"):
            f"Error: the baseline's folder does not exist ({tmp_path / 'no'})",
        ("--baseline", str(tmp_path / "missing.json")): f"Error: baseline does not exist ({tmp_path / 'missing.json'})",
        ("--baseline", str(b), "--tolerance", "lots"): "Error: tolerance 'lots' is not a number or a percentage",
    }
    for args, message in cases.items():
        r = runner.invoke(app, ["check", str(out), *args])
        assert r.exit_code == 2, args
        assert r.output.splitlines()[0] == message
        assert r.output.splitlines()[1].startswith("Hint: ")
        assert "Traceback" not in r.output
    r = runner.invoke(app, ["check", str(tmp_path / "nothing"), "--baseline", str(b)])
    assert (r.exit_code, r.output.splitlines()[0]) == (2, f"Error: no such output folder ({tmp_path / 'nothing'})")
