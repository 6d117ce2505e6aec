"""One exception family: a code, a message a person understands, and a hint.

Errors cross process boundaries (-j N: discovery errors go to workers, failures come back), so
each class pickles with the arguments it was built from (`__reduce__`); the default pickling
calls __init__ with the message alone, which fails in the receiving process and hangs the pool.
"""


class KzxError(Exception):
    """Base error. `code` is the process exit code the CLI uses for it."""

    code = 1

    def __init__(self, message: str, hint: str = ""):
        super().__init__(message)
        self.message = message
        self.hint = hint
        self._args = (message, hint)

    def __reduce__(self):
        return (type(self), self._args)

    def __str__(self) -> str:
        return f"{self.message} Hint: {self.hint}" if self.hint else self.message


class UsageError(KzxError):
    """Bad options or paths: nothing has been done yet."""

    code = 2


class RuleError(KzxError):
    """A rule file is broken: names the file, the rule id and what is wrong."""

    code = 2

    def __init__(self, path, rule_id, problem: str):
        where = f"{path}" + (f", rule {rule_id!r}" if rule_id else "")
        super().__init__(f"bad rule file {where}: {problem}", "fix the rule file or point --rules elsewhere")
        self.path, self.rule_id, self.problem = str(path), rule_id, problem
        self._args = (path, rule_id, problem)


class InputError(KzxError):
    """One input could not be read in full; the batch goes on and records it."""

    def __init__(self, path, stage: str, error: str, message: str):
        super().__init__(f"{path}: {message}")
        self.path, self.stage, self.error, self.detail = str(path), stage, error, message
        self._args = (path, stage, error, message)


class OutputError(KzxError):
    """OUT cannot be written (full disk, read-only) or holds a set of tables that do not belong
    together; the previous output is left as it was."""


class OutputBusy(KzxError):
    """Another kzx run holds the lock on OUT."""

    code = 2

    def __init__(self, out, pid):
        super().__init__(f"{out} is in use by pid {pid}", "wait for that run to finish, or write to another folder")
        self.out, self.pid = str(out), pid
        self._args = (out, pid)
