"""`flask moderation train`: retrain the spam filter."""

from pathlib import Path

import click
from flask.cli import AppGroup

from portal.writes import write

moderation_cli = AppGroup("moderation", help="Moderation: the spam filter.")


class _Progress:
    """One progress bar per step of training, replaced when the step changes."""

    def __init__(self):
        self.step, self.bar, self.done = None, None, 0

    def __call__(self, step: str, done: int, total: int) -> None:
        if step != self.step:
            self.close()
            self.step, self.done = step, 0
            self.bar = click.progressbar(length=max(total, 1), label=step, show_pos=total > 1)
            self.bar.__enter__()
        self.bar.update(done - self.done)
        self.done = done

    def close(self) -> None:
        if self.bar is not None:
            self.bar.__exit__(None, None, None)
            self.bar = None


@moderation_cli.command("train")
@click.option(
    "--labelled",
    "labelled_dirs",
    multiple=True,
    type=click.Path(path_type=Path),
    help=(
        "A folder of labelled text to learn from besides the moderators' decisions (repeatable): "
        "CSV files with CONTENT and CLASS columns (1 spam, 0 not), such as ../shared/data/spam/ "
        "(the YouTube Spam Collection by Alberto, Lochter and Almeida, UCI Machine Learning "
        "Repository, CC BY 4.0), or a Stack Exchange dump folder, read as legitimate text."
    ),
)
def train_command(labelled_dirs: tuple[Path, ...]) -> None:
    """Retrain the spam filter from the moderators' decisions (and --labelled folders),
    cross-validate it and store it: new posts are scored with it from then on."""
    from portal.moderation.spam import train

    progress = _Progress()
    try:
        report = write(lambda: train(labelled_dirs, progress=progress))
    finally:
        progress.close()
    sources = [f"{report.decisions:,} moderators' decisions"] + [
        f"{count:,} from {folder}" for folder, count in report.labelled.items()
    ]
    click.echo(
        f"Trained on {report.spam + report.legitimate:,} examples ({report.spam:,} spam, "
        f"{report.legitimate:,} legitimate): {', '.join(sources)}."
    )
    if report.folds:
        click.echo(
            f"Cross-validated ({report.folds} folds) at threshold {report.threshold:g}: "
            f"precision {report.precision:.3f}, recall {report.recall:.3f}."
        )
    else:
        click.echo("Too few examples of one kind to cross-validate.")
    click.echo(
        f"Stored spam model {report.model_id} ({report.weights:,} weights) "
        f"in {report.seconds:.1f}s."
    )
