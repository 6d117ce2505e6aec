"""One exception family: a code, a message a person understands, and a hint."""


class KzxError(Exception):
    """Base error. `code` is the process exit code the CLI uses for it."""

    code = 1

    def __init__(self, message: str, hint: str = ""):
        super().__init__(message)
        self.message = message
        self.hint = hint

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


class InputError(KzxError):
    """One input could not be read in full; the batch goes on and records it."""

    def __init__(self, path, stage: str, error: str, message: str):
        super().__init__(f"{path}: {message}")
        self.path, self.stage, self.error, self.detail = str(path), stage, error, message
