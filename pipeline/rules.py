"""rules/ folder → a validated RuleSet (lexicons, macros, compiled rules). No matching here.

Layout: `lexicon/*.yaml` (named alias lists), `macros.yaml` (named regex fragments) and one
YAML file per kind with `rules:`, each rule holding `id`, `kind`, `pattern` and its `examples`.
Anything wrong stops with a RuleError naming the file, the rule and the problem.
"""
from __future__ import annotations

import hashlib
import os
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import regex
import yaml

from .alternation import alternation, plain_alternation
from .branches import layout
from .errors import RuleError
from .lazy_regex import compile_cached, compile_rule_pattern, pattern_key, save as save_compiled
from .probes import probes

KINDS = {"money", "percent", "date", "project", "quantity", "count", "multiplier", "duration"}
RULE_KEYS = {"id", "kind", "pattern", "flags", "priority", "exclude", "normalize", "examples", "negative",
             "known_failures", "description", "unit", "requires", "needs_case", "table"}
# `x`: verbose patterns (spaces and line breaks ignored, so long patterns can be laid out); macros
# hold no literal spaces, so they read the same in both modes.
FLAG_BITS = {"i": regex.IGNORECASE, "ignorecase": regex.IGNORECASE, "x": regex.VERBOSE, "verbose": regex.VERBOSE}


@dataclass(frozen=True)
class Rule:
    id: str
    kind: str
    pattern: str                  # as written, with {MACROS}
    regex: regex.Pattern          # or a LazyPattern (pipeline/lazy_regex.py): compiled at first use
    source: str                   # file it came from
    priority: int = 0
    exclude: bool = False         # a match of an exclude rule removes overlapping matches of its kind
    normalize: str | None = None  # normalizer name; default: the kind's
    unit: str | None = None       # fixed unit for rules that need one (percentage points)
    requires: regex.Pattern | None = None  # cheap pre-check: the rule runs only on text where it is found
    needs_case: bool = False      # reads capitalization: skipped on sentences in Title Case or capitals
    examples: tuple = ()
    negative: tuple = ()
    known_failures: tuple = ()
    table: bool = False           # finds table headers naming a unit (groups scale, cur): pipeline/table_units.py


@dataclass
class RuleSet:
    rules: list[Rule]
    lexicon: dict[str, dict[str, str]]       # list name → lower-case alias → value
    lexicon_aliases: dict[str, list[str]]    # list name → aliases as written
    macros: dict[str, str]
    digest: str
    root: str
    data: dict = field(default_factory=dict)   # top-level keys of rule files other than `rules`
    cache: dict = field(default_factory=dict)  # helpers normalizers build once per rule set
    expanded: dict = field(default_factory=dict)  # macro name → its regex with every {MACRO} filled in
    plain_forms: dict = field(default_factory=dict)  # a lexicon's trie → its plain alternation (plain_form)
    gates: dict = field(default_factory=dict)  # macros.yaml's `gates:`, name → regex (pipeline/gates.py)

    def macro(self, name: str) -> str:
        """A macro as a ready regex (the `macros` dict holds them as written, with {NAMES})."""
        return self.expanded[name]

    def plain_form(self, pattern: str) -> str:
        """The pattern with each lexicon list written as the plain alternation of its aliases instead
        of a trie (pipeline/alternation.py): the same language, for the prefilter, whose engines
        compile a list of words far faster than a trie of nested groups (Hyperscan, all shipped
        rules from cold: 148 against 358 CPU-s)."""
        return _plain(pattern, self.plain_forms)

    def lookup(self, name: str, alias: str) -> str | None:
        return self.lexicon.get(name, {}).get(_key(alias))


def _key(alias: str) -> str:
    return " ".join(alias.lower().replace("\u00a0", " ").split()).rstrip(".")


def default_rules_dir() -> Path:
    """The rules shipped with the package (or the source tree's rules/ in a checkout)."""
    pkg = Path(__file__).resolve().parent
    for cand in (pkg.parent / "rules", pkg / "rules_data"):   # source checkout, installed package
        if (cand / "macros.yaml").exists():
            return cand
    return pkg / "rules_data"


# libyaml's safe loader when PyYAML has it (the wheels do): the rule files load ~10x faster, which is
# most of a small run's start-up; same safety, same result.
_YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

MAX_YAML_NODES = 200_000     # a rule file far larger than any real one; aliases counted as expanded


def _load_yaml(path: Path):
    """safe_load, except that aliases which would expand past MAX_YAML_NODES (an alias bomb, a few
    lines that unfold into billions of nodes) are refused before anything is built."""
    try:
        with open(path, encoding="utf-8") as f:
            loader = _YAML_LOADER(f)
            try:
                node = loader.get_single_node()
                if node is None:
                    return None
                if _expanded_size(node) > MAX_YAML_NODES:
                    raise RuleError(path, None, f"YAML aliases expand to over {MAX_YAML_NODES:,} nodes "
                                                "(an alias bomb?); refused")
                return loader.construct_document(node)
            finally:
                getattr(loader, "dispose", lambda: None)()
    except (OSError, UnicodeDecodeError) as e:
        raise RuleError(path, None, f"cannot read: {e}")
    except yaml.YAMLError as e:
        raise RuleError(path, None, f"invalid YAML: {e}")
    except RecursionError:
        raise RuleError(path, None, "YAML nested too deep") from None


def _expanded_size(root) -> int:
    """Nodes of the document with every alias expanded, counted without expanding (memo per node)."""
    size: dict[int, int] = {}
    stack = [(root, False)]
    while stack:
        node, done = stack.pop()
        if id(node) in size and not done:
            continue
        kids = []
        if isinstance(node, yaml.SequenceNode):
            kids = node.value
        elif isinstance(node, yaml.MappingNode):
            kids = [n for pair in node.value for n in pair]
        if done:
            size[id(node)] = min(1 + sum(size.get(id(k), 0) for k in kids), MAX_YAML_NODES + 1)
        else:
            size.setdefault(id(node), 0)          # a node met again before it is done: a cycle, counted as 0
            stack.append((node, True))
            stack.extend((k, False) for k in kids if id(k) not in size)
    return size[id(root)]


def load_rules(rules_dir: Path | None = None, check_time: bool = True) -> RuleSet:
    root = Path(rules_dir) if rules_dir else default_rules_dir()
    if not (root / "macros.yaml").is_file():
        raise RuleError(root, None, "not a rules folder: macros.yaml is missing")
    digest = hashlib.sha256()
    lexicon, aliases = _load_lexicons(root, digest)
    digest.update((root / "macros.yaml").read_bytes())
    macros = {name.upper().replace(".", "_"): alternation(words) for name, words in aliases.items()}
    plain = {macros[name.upper().replace(".", "_")]: plain_alternation(words) for name, words in aliases.items()}
    own = _load_yaml(root / "macros.yaml") or {}
    gate_names = own.pop("gates", []) if isinstance(own, dict) else []
    scan_as = own.pop("scan_as", {}) if isinstance(own, dict) else {}
    if not isinstance(own, dict) or not all(isinstance(v, (str, int, float)) for v in own.values()):
        raise RuleError(root / "macros.yaml", None, "macros.yaml must map macro names to regex strings (NAME: 'pattern')")
    macros.update({str(k): str(v) for k, v in own.items()})
    made: dict = {}                 # {LIST=value} tries built while expanding → their plain form
    expand = _expander(macros, root / "macros.yaml", _of_value(lexicon, aliases, made))
    rules, seen, other = [], {}, {}
    for path in sorted(root.glob("*.yaml")):
        if path.name == "macros.yaml":
            continue
        digest.update(path.read_bytes())
        data = _load_yaml(path)
        if not isinstance(data, dict) or not isinstance(data.get("rules"), list):
            raise RuleError(path, None, "a rule file needs a top-level `rules:` list")
        other[path.stem] = {k: v for k, v in data.items() if k != "rules"}
        for i, spec in enumerate(data["rules"]):
            rules.append(_make_rule(path, i, spec, expand, seen))
    save_compiled()                  # the patterns seen to compile: compiled at first use next time
    expanded = {name: expand(f"{{{name}}}", root / "macros.yaml", None) for name in macros}
    gates = _gates(gate_names, expanded, root / "macros.yaml")
    if check_time:                   # the shipped rules too: they pass the check user rules must pass
        check_rule_times(rules, root)
    plain = _longest_first({**plain, **made})
    wider = _scan_forms(scan_as, expanded, root / "macros.yaml")
    plain = _longest_first({**plain, **{t: _plain(f, plain) for t, f in wider.items()}})
    return RuleSet(rules, lexicon, aliases, macros, digest.hexdigest()[:16], str(root), other, expanded=expanded,
                   plain_forms=plain, gates=gates)


def _scan_forms(scan_as, expanded: dict, where: Path) -> dict[str, str]:
    """macros.yaml's `scan_as:` (macro → a simpler macro whose matches include its own) → the first's
    regex → the second's: the prefilter reads the simpler one (RuleSet.plain_form), a smaller
    automaton that still lets through every text the rule can match."""
    if not isinstance(scan_as, dict) or not all(isinstance(k, str) and isinstance(v, str) for k, v in scan_as.items()):
        raise RuleError(where, None, "`scan_as:` must map macro names to macro names")
    out = {}
    for name, wider in scan_as.items():
        for n in (name, wider):
            if n not in expanded:
                raise RuleError(where, None, f"scan_as: {n} is not a macro")
        out[expanded[name]] = expanded[wider]
    return out


def _plain(pattern: str, forms: dict) -> str:
    """The pattern with each trie of `forms` (longest first: a list inside another's text goes with
    it) written as its plain form."""
    for trie, plain in forms.items():
        if trie in pattern:
            pattern = pattern.replace(trie, plain)
    return pattern


def _longest_first(forms: dict) -> dict:
    return {t: f for t, f in sorted(forms.items(), key=lambda kv: len(kv[0]), reverse=True) if t != f}


def _gates(names, expanded: dict, where: Path) -> dict[str, str]:
    """macros.yaml's `gates:` (pipeline/gates.py) → macro name → its regex, checked: a gate is
    left out of a pattern where it cannot match, so it must hold no numbered group (the rule's
    would be renumbered; a named one reads as absent, as it reads None where it took no part),
    match no empty text, and read the same in verbose patterns."""
    if not isinstance(names, list) or not all(isinstance(n, str) for n in names):
        raise RuleError(where, None, "`gates:` must be a list of macro names")
    out = {}
    for name in names:
        if name not in expanded:
            raise RuleError(where, None, f"gate {name} is not a macro")
        text = expanded[name]
        try:
            rx = compile_cached(text, regex.V0)
        except regex.error as e:
            raise RuleError(where, None, f"gate {name} does not compile alone: {e}")
        if rx.groups > len(set(rx.groupindex.values())):
            raise RuleError(where, None, f"gate {name} holds a group without a name: write (?:...) or (?P<name>...)")
        if rx.search("") is not None:
            raise RuleError(where, None, f"gate {name} matches the empty text: it could never be left out")
        if layout(text)[0]:
            raise RuleError(where, None, f"gate {name} is an alternation (a|b): write it as one group (?:a|b)")
        if regex.search(r"[\s#]", text):
            raise RuleError(where, None, f"gate {name} holds a space or '#': it would read otherwise in verbose patterns")
        out[name] = text
    return out


PROBE_CHARS = 2000       # adversarial probes at load: long enough to expose quadratic patterns
PROBE_BUDGET = 10.0      # seconds one pattern may spend on all of them (the slowest shipped rule needs ~0.2)
GROWTH_FLOOR = 0.15      # seconds on one probe above which the time must grow linearly with its length
_CHECKED: set = set()    # keys of the patterns that passed, in this process and (file below) on this machine


def _pattern_key(rx) -> str:
    return pattern_key(rx.pattern, rx.flags)


def _checked_file() -> Path:
    """Where the keys of passed patterns are kept, in kzx's cache folder (as the prefilter's
    databases): named by all that decides a pass, so a new regex module or probe set checks again."""
    from .prefilter import _cache_dir
    from .probes import UNITS
    key = f"{regex.__version__}|{PROBE_CHARS}|{PROBE_BUDGET}|{GROWTH_FLOOR}|{sorted(UNITS.items())}"
    return _cache_dir() / "rule-checks" / f"{hashlib.sha256(key.encode()).hexdigest()[:16]}.txt"


def _load_checked() -> None:
    if not _CHECKED:
        try:
            _CHECKED.update(_checked_file().read_text(encoding="ascii").split())
        except (OSError, ValueError):
            pass                     # no cache yet, or a damaged one: patterns are checked again


def _save_checked() -> None:
    try:
        path = _checked_file()
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
        with os.fdopen(fd, "w", encoding="ascii") as f:
            f.write("\n".join(sorted(_CHECKED)) + "\n")
        os.replace(tmp, path)        # whole or not at all; a concurrent run's keys are found again later
    except OSError:
        pass                         # no cache folder: checked again next start


def _time(rx, text: str, budget: float) -> float:
    t0 = time.perf_counter()
    for _ in rx.finditer(text, timeout=max(budget, 0.001)):
        pass
    return time.perf_counter() - t0


def _grows(rx, full: str, half: str, budget: float) -> bool:
    """Twice the text costs over 3x the time, on the best of five tries of each, taken in turn (a
    busy machine slows some tries, of both lengths alike, not the ratio of the fastest ones)."""
    t_full = t_half = float("inf")
    for _ in range(5):
        t_full, t_half = min(t_full, _time(rx, full, budget)), min(t_half, _time(rx, half, budget))
    return t_full > GROWTH_FLOOR and t_full > 3 * t_half


def check_rule_times(rules, root) -> None:
    """Run every pattern on the adversarial probes (pipeline/probes.py). A pattern whose time on a
    probe grows faster than the probe's length (over 3x for twice the text, once it takes
    GROWTH_FLOOR s), or that needs over PROBE_BUDGET s, backtracks and would stall real
    documents: refused, naming the rule. The ratio, not a time, decides, so load cannot.
    Shipped and user rules alike; a pattern that passed is not timed again on this machine
    (its key is kept in kzx's cache folder), so only the first start after a change pays (~2.5 s
    for all shipped rules)."""
    _load_checked()
    todo = [rule for rule in rules if _pattern_key(rule.regex) not in _CHECKED]
    if not todo:
        return
    full, half = probes(PROBE_CHARS), probes(PROBE_CHARS // 2)
    for rule in todo:
        key = _pattern_key(rule.regex)
        if key in _CHECKED:
            continue
        t0, problem = time.perf_counter(), None
        try:
            for name, text in full.items():
                t = _time(rule.regex, text, PROBE_BUDGET - (time.perf_counter() - t0))
                if t > GROWTH_FLOOR and _grows(rule.regex, text, half[name], PROBE_BUDGET):
                    problem = f"time grows faster than the text on the probe {name!r} (pipeline/probes.py)"
                    break
        except TimeoutError:
            problem = f"pattern takes over {PROBE_BUDGET:g} s on adversarial texts of {PROBE_CHARS} characters " \
                      "(pipeline/probes.py)"
        if problem:
            _save_checked()          # the rules that passed before this one stay passed
            raise RuleError(Path(root) / rule.source, rule.id,
                            f"{problem}: nested or adjacent unbounded repetition; use bounded {{m,n}}, "
                            "possessive ++/*+ or atomic (?>...) groups")
        _CHECKED.add(key)
    _save_checked()


def _load_lexicons(root: Path, digest) -> tuple[dict, dict]:
    """lexicon/*.yaml → (list name → lower-case alias → value, list name → aliases as written).

    A list named `base.xx` (`scale.ru`, `currency_after.kk`) holds one language's words for list
    `base`: it is a list of its own (macro {BASE_XX}) and its words join `base` too, so the rules
    and normalizers that read `base` ({SCALE}, lookup("scale", ...)) read every language's words.
    A list defined twice is refused; an extension must say so by its name.
    """
    lexicon, aliases, where = {}, {}, {}
    for path in sorted((root / "lexicon").glob("*.yaml")):
        digest.update(path.read_bytes())
        data = _load_yaml(path)
        if not isinstance(data, dict):
            raise RuleError(path, None, "a lexicon file must map list names to {value: [aliases]}")
        for name, table in data.items():
            if not isinstance(table, dict):
                raise RuleError(path, None, f"list {name!r} must map values to alias lists")
            if not regex.fullmatch(r"[a-z][a-z0-9_]*(\.[a-z]{2}(_[a-z]{2})*)?", str(name)):
                raise RuleError(path, None, f"list name {name!r}: lower case, optionally `.xx` for a language's words")
            if name in where:
                raise RuleError(path, None, f"list {name!r} is defined in {where[name]} too")
            where[name] = path.name
            lexicon[name], aliases[name] = {}, []
            for value, words in table.items():
                if not isinstance(words, list) or not all(isinstance(w, str) and w for w in words):
                    raise RuleError(path, None, f"list {name!r}, value {value!r}: aliases must be non-empty strings, "
                                                f"got {words!r} (quote words YAML reads as true/false: \"on\", \"No\")")
                for w in words:
                    lexicon[name].setdefault(_key(w), str(value))
                    aliases[name].append(w)
    for name in sorted(n for n in lexicon if "." in n):
        base = name.split(".")[0]
        if base not in lexicon:
            raise RuleError(root / "lexicon" / where[name], None, f"list {name!r} extends {base!r}, which no lexicon defines")
        for key, value in lexicon[name].items():
            if lexicon[base].setdefault(key, value) != value:
                raise RuleError(root / "lexicon" / where[name], None,
                                f"list {name!r}: {key!r} is {value!r} here but {lexicon[base][key]!r} in {base!r}")
        aliases[base] += aliases[name]
    return lexicon, aliases


def _of_value(lexicon: dict, aliases: dict, made: dict):
    """A function giving {LIST=value}: the alternation of the words of lexicon list LIST (its macro
    name) that mean `value` ({SCALE=1000000}: "million", "mln", "млн", "миллиона", ...), recording
    each trie's plain form in `made` (RuleSet.plain_form)."""
    lists = {name.upper().replace(".", "_"): name for name in aliases}

    def of_value(name: str, value: str, where, rule_id) -> str:
        if name not in lists:
            raise RuleError(where, rule_id, f"{{{name}={value}}}: no lexicon list is named {name}")
        words = [w for w in aliases[lists[name]] if lexicon[lists[name]].get(_key(w)) == value]
        if not words:
            raise RuleError(where, rule_id, f"{{{name}={value}}}: list {lists[name]!r} has no word of value {value}")
        trie = alternation(words)
        made[trie] = plain_alternation(words)
        return trie
    return of_value


def _expander(macros: dict[str, str], macro_file: Path, of_value=None):
    """A function that replaces {NAME} in a pattern by the macro, recursively ({B}, {NUM}, ...), and
    {LIST=value} by the words of a lexicon list that mean that value (`of_value`)."""
    expanded: dict[str, str] = {}

    def expand(text: str, where, rule_id, stack=()) -> str:
        def sub(m):
            name = m.group(1)
            if m.group(2) is not None:
                if of_value is None:
                    raise RuleError(where, rule_id, f"{{{name}={m.group(2)}}}: no lexicon to read it from")
                return of_value(name, m.group(2), where, rule_id)
            if name in stack:
                raise RuleError(where, rule_id, f"macro {name} refers to itself")
            if name not in macros:
                raise RuleError(where, rule_id, f"unknown macro {{{name}}}")
            if name not in expanded:
                expanded[name] = expand(macros[name], macro_file, None, stack + (name,))
            return expanded[name]
        return regex.sub(r"(?<!\\[pP])\{([A-Z][A-Z0-9_]*)(?:=([0-9]+(?:\.[0-9]+)?))?\}", sub, text)

    return expand


def _make_rule(path: Path, i: int, spec, expand, seen: dict) -> Rule:
    if not isinstance(spec, dict):
        raise RuleError(path, f"#{i}", "a rule must be a mapping")
    rid = spec.get("id")
    if not isinstance(rid, str) or not regex.fullmatch(r"[a-z]+(\.[a-z0-9_]+)+", rid or ""):
        raise RuleError(path, rid or f"#{i}", "needs an `id` like kind.name (lower case, dotted)")
    if rid in seen:
        raise RuleError(path, rid, f"duplicate id (also in {seen[rid]})")
    seen[rid] = path.name
    unknown = set(spec) - RULE_KEYS
    if unknown:
        raise RuleError(path, rid, f"unknown keys {sorted(unknown)}")
    kind = spec.get("kind")
    if not isinstance(kind, str) or kind not in KINDS:
        raise RuleError(path, rid, f"kind must be one of {sorted(KINDS)}, not {kind!r}")
    pattern = spec.get("pattern")
    if not isinstance(pattern, str) or not pattern.strip():
        raise RuleError(path, rid, "needs a `pattern` (a regex string)")
    flags = 0
    for fl in str(spec.get("flags", "")).split():
        if fl not in FLAG_BITS:
            raise RuleError(path, rid, f"unknown flag {fl!r}")
        flags |= FLAG_BITS[fl]
    try:
        compiled = compile_rule_pattern(expand(pattern, path, rid), flags | regex.V0)
    except regex.error as e:
        raise RuleError(path, rid, f"pattern does not compile: {e}")
    requires = None
    if spec.get("requires"):
        try:
            requires = compile_rule_pattern(expand(str(spec["requires"]), path, rid), flags)
        except regex.error as e:
            raise RuleError(path, rid, f"`requires` does not compile: {e}")
    examples = spec.get("examples") or []
    negative = spec.get("negative") or []
    for key in ("examples", "negative", "known_failures"):
        if not isinstance(spec.get(key) or [], list):
            raise RuleError(path, rid, f"`{key}` must be a list, not {spec.get(key)!r}")
    priority = spec.get("priority", 0)
    if isinstance(priority, bool) or not isinstance(priority, int):
        raise RuleError(path, rid, f"`priority` must be a whole number, not {priority!r}")
    for key in ("normalize", "unit", "requires", "flags", "description"):
        if spec.get(key) is not None and not isinstance(spec.get(key), str):
            raise RuleError(path, rid, f"`{key}` must be a string, not {spec.get(key)!r}")
    for key in ("exclude", "needs_case"):
        if spec.get(key) is not None and not isinstance(spec.get(key), bool):
            raise RuleError(path, rid, f"`{key}` must be true or false, not {spec.get(key)!r}")
    if not examples and not spec.get("exclude"):
        raise RuleError(path, rid, "has no `examples`: every rule shows what it must match")
    for ex in examples:
        if not isinstance(ex, dict) or "text" not in ex:
            raise RuleError(path, rid, "each example needs `text` (and `match` if the match is not the whole text)")
    if not all(isinstance(n, str) for n in negative):
        raise RuleError(path, rid, "`negative` is a list of strings that must not match")
    return Rule(rid, kind, pattern, compiled, path.name, priority, bool(spec.get("exclude")),
                spec.get("normalize"), spec.get("unit"), requires, bool(spec.get("needs_case")), tuple(examples),
                tuple(negative), tuple(spec.get("known_failures") or ()), bool(spec.get("table")))
