"""examples/explore.ipynb runs from top to bottom against data/raw (nbclient), so it cannot rot."""
import nbformat
from nbclient import NotebookClient

from conftest import ROOT


def test_explore_notebook_runs_on_data_raw(tmp_path, monkeypatch):
    out = tmp_path / "out"
    monkeypatch.setenv("KZX_OUT", str(out))         # the kernel inherits it: a fresh run, not the user's data/out
    nb = nbformat.read(ROOT / "examples" / "explore.ipynb", as_version=4)
    NotebookClient(nb, timeout=300, kernel_name="python3", resources={"metadata": {"path": str(ROOT / "examples")}}).execute()
    outputs = {i: "".join(o.get("text", "") + str(o.get("data", {}).get("text/plain", "")) for o in c.outputs)
               for i, c in enumerate(nb.cells) if c.cell_type == "code"}
    text = "\n".join(outputs.values())
    assert "5 documents, figures:" in text                                   # it ran the extraction itself
    assert "'facts': 127" in text                                             # 69 money + 58 percent figures
    assert "aktogay mining and processing plant" in text.lower() and "760.0" in text
    assert "Akhmetov       30       20" in text                                 # money and percent figures by speaker
    assert "= 760,000,000,000 KZT, project 'Aktogay" in text and "in 002_b375e10d30cad7e7.txt" in text
    assert any("image/png" in o.get("data", {}) for c in nb.cells if c.cell_type == "code" for o in c.outputs)
    assert (out / "report.html").exists() and "5 documents (5 in full, at most 200)" in text
