"""kzx: texts about Kazakhstan's regions → tidy tables of money, percent, date and project figures."""
__version__ = "0.1.0"
