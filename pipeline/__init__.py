"""kzx: texts about Kazakhstan's regions → tidy tables of money, percent, date and project figures.

The Python API (pipeline/api.py): `kzx.extract_text(text)`, `kzx.extract(inputs, out)`,
`kzx.read(out)`. They are loaded on first use, so `import kzx` (and the CLI) stays quick.
"""
__version__ = "0.1.0"
__all__ = ["extract_text", "extract", "read", "Figure", "Figures", "Summary", "Tables"]


def __getattr__(name):
    if name in __all__:
        from . import api

        return getattr(api, name)
    raise AttributeError(f"module 'kzx' has no attribute {name!r}")
