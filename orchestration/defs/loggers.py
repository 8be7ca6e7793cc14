"""The command line's logger: the whole log in a file, the events to the progress display."""

import logging
from pathlib import Path

import dagster as dg

from orchestration.lib.progress import ProgressHandler

FORMAT = "%(asctime)s %(levelname)-7s %(message)s"
_file_handlers: dict[Path, logging.FileHandler] = {}  # one per log file, shared by the runs


def _file_handler(path: Path) -> logging.FileHandler:
    if path not in _file_handlers:
        path.parent.mkdir(parents=True, exist_ok=True)
        handler = logging.FileHandler(path, encoding="utf-8")
        handler.setFormatter(logging.Formatter(FORMAT))
        _file_handlers[path] = handler
    return _file_handlers[path]


@dg.logger(
    config_schema={"path": dg.Field(str, description="the log file, appended to")},
    description="Every record to a file, and the build's progress to the terminal (tadqiq build)",
)
def build_log(init_context: dg.InitLoggerContext) -> logging.Logger:
    logger = logging.Logger("tadqiq.build", level=logging.DEBUG)
    logger.addHandler(_file_handler(Path(init_context.logger_config["path"])))
    logger.addHandler(ProgressHandler())
    return logger


@dg.definitions
def loggers() -> dg.Definitions:
    # "console" stays: a run without logger configuration (the UI, the sensors) keeps it
    return dg.Definitions(loggers={"console": dg.colored_console_logger, "build_log": build_log})
