"""Everyseat's domain errors. Each carries the message a person will read.

EveryseatError
├── NominationError
│   ├── InvalidNominationError   one or more problems, each tied to a form field
│   │   └── PatientIdentifierError   the story holds an NHS number or other patient identifier
│   └── DailyCapReachedError
├── EndorsementError
│   ├── NominationNotFoundError
│   ├── OwnNominationError
│   └── AlreadyEndorsedError
├── ModerationError              editing, withdrawing, flagging, hiding: what isn't allowed
│   ├── NotYourNominationError   only the nominator may edit or withdraw
│   ├── EditWindowClosedError    too late to edit or withdraw; ask an admin
│   ├── InvalidFlagError         a flag without a reason, or a hide without one
│   ├── AlreadyFlaggedError
│   ├── FlagNotFoundError        no open flag with that id
│   └── NotHiddenError           restore asked for a nomination that is not hidden
├── NotAuthorisedError           an admin-only action asked for by a non-admin
├── ReportError                  statistics or an export asked for in a way we can't do
│   ├── InvalidPeriodError       a period that can't be read; the message says what to type
│   └── WorkspaceChoiceError     no workspace, or several and none chosen
├── MemberNotFoundError          nothing is stored under that user id
├── DirectoryError               seats from HR files and directories
│   ├── DirectoryFileError       an HR file or mapping that can't be imported; lists each row
│   └── DirectorySyncError       a directory that couldn't be read; the last good data stays
├── OutputPathError              --out names a file that can't be written
└── StorageUnavailableError      the database did not answer; try again
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class EveryseatError(Exception):
    """A failure a person can act on; `str(error)` is the message to show them."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class NominationField(StrEnum):
    """The parts of the nomination form a problem can point at."""

    NOMINEES = "nominees"
    BEHAVIOURS = "behaviours"
    STORY = "story"
    VISIBILITY = "visibility"


@dataclass(frozen=True)
class Problem:
    field: NominationField
    message: str


class NominationError(EveryseatError):
    pass


class InvalidNominationError(NominationError):
    def __init__(self, problems: list[Problem], nominees: tuple[tuple[str, str], ...] = ()) -> None:
        super().__init__(" ".join(problem.message for problem in problems))
        self.problems = tuple(problems)
        # The nominees as resolved (platform user id, name), so a form shown again can be
        # filled in with them.
        self.nominees = nominees

    def by_field(self) -> dict[NominationField, str]:
        """One message per field (joined when a field has several problems)."""
        joined: dict[NominationField, str] = {}
        for problem in self.problems:
            joined[problem.field] = (
                f"{joined[problem.field]} {problem.message}"
                if problem.field in joined
                else problem.message
            )
        return joined


class PatientIdentifierError(InvalidNominationError):
    """The information-governance guard refused the story; nothing was stored or sent."""

    def __init__(
        self,
        problems: list[Problem],
        nominees: tuple[tuple[str, str], ...] = (),
        *,
        kinds: tuple[str, ...] = (),
    ) -> None:
        super().__init__(problems, nominees)
        self.kinds = kinds  # what was found ("NHS number"), never the identifier itself


class DailyCapReachedError(NominationError):
    pass


class EndorsementError(EveryseatError):
    pass


class NominationNotFoundError(EndorsementError):
    pass


class OwnNominationError(EndorsementError):
    pass


class AlreadyEndorsedError(EndorsementError):
    pass


class ModerationError(EveryseatError):
    pass


class NotYourNominationError(ModerationError):
    pass


class EditWindowClosedError(ModerationError):
    pass


class InvalidFlagError(ModerationError):
    pass


class AlreadyFlaggedError(ModerationError):
    pass


class FlagNotFoundError(ModerationError):
    pass


class NotHiddenError(ModerationError):
    pass


class NotAuthorisedError(EveryseatError):
    pass


class ReportError(EveryseatError):
    pass


class InvalidPeriodError(ReportError):
    pass


class WorkspaceChoiceError(ReportError):
    pass


class MemberNotFoundError(EveryseatError):
    pass


class OutputPathError(EveryseatError):
    pass


class DirectoryError(EveryseatError):
    pass


class DirectoryFileError(DirectoryError):
    pass


class DirectorySyncError(DirectoryError):
    pass


class StorageUnavailableError(EveryseatError):
    pass
