"""The spam filter: scores a new post before anyone sees it, from signals (links, repeated text,
account age, posting speed, a filled honeypot field) and a text classifier trained on the
moderators' decisions and on labelled text (`flask moderation train`).

The classifier is scikit-learn's: hashing vectorizers (stateless, so nothing but their
parameters needs keeping) feeding a logistic regression fitted by SGD. It is stored as plain
arrays in `spam_models`, never pickled, and each process keeps the newest one in memory. A
fresh install has no model and scores from the signals alone.

Scores combine in log-odds: the classifier's (or, without one, a low prior's) plus a fixed
weight per signal, turned into a chance of spam between 0 and 1. A post at or above
SPAM_THRESHOLD is held for review, never deleted.
"""

import hashlib
import io
import math
import re
import threading
import time
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

import numpy as np
from flask import current_app
from sqlalchemy import and_, func, not_

from portal.clock import utcnow
from portal.extensions import db
from portal.moderation.labelled import LabelledDataError, read_folder
from portal.moderation.spam_models import SpamExample, SpamFingerprint, SpamModel
from portal.writes import Refused

# Log-odds of spam for a post about which nothing is known: about 1 in 20 (no classifier yet).
PRIOR_LOGIT = math.log(0.05 / 0.95)
# Log-odds added per link beyond SPAM_MAX_LINKS, per earlier post of the same text today and
# per post from the SPAM_SPEED_POSTS-th on in the speed window; capped so none runs away.
LINK_WEIGHT, LINK_CAP = 1.5, 6.0
# A trained classifier has read the links already (legitimate answers cite sources too): with
# one, each extra link weighs a third as much (bench/spam.py: 1.5 cost 0.2 of recall).
LINK_WEIGHT_TRAINED = 0.5
REPEAT_WEIGHT, REPEAT_CAP = 1.5, 4.5
SPEED_WEIGHT, SPEED_CAP = 1.0, 4.0
NEW_ACCOUNT = ((timedelta(hours=1), 1.0), (timedelta(days=1), 0.5))
REPEAT_WINDOW = timedelta(days=1)
# "Thanks, that worked!" from many people is not spam: short texts are not compared.
REPEAT_MIN_CHARS = 20

_MARKDOWN_LINK = re.compile(r"\[[^\]\n]*\]\([^)\s]+[^)]*\)")
_URL = re.compile(r"https?://[^\s<>()\[\]]+", re.I)
_NOT_WORD = re.compile(r"[\W_]+")

# scikit-learn settings, chosen by bench/spam.py: word and character n-grams, each part
# normalised on its own, beat either alone and one shared hashed space on both held-out
# evaluations.
HASHING = [
    {
        "analyzer": "word",
        "ngram_range": [1, 2],
        "n_features": 2**18,
        "token_pattern": r"(?u)\b\w+\b",
    },
    {"analyzer": "char_wb", "ngram_range": [1, 5], "n_features": 2**18},
]
# Balanced class weights: legitimate text outnumbers spam in the training data, and spam missed
# costs more than a post held for a moderator.
SGD = {"loss": "log_loss", "alpha": 1e-5, "class_weight": "balanced", "random_state": 0}
CV_FOLDS = 5


@dataclass(frozen=True)
class SpamVerdict:
    score: float  # 0..1, chance the post is spam
    reasons: list[str]  # human-readable, e.g. "5 links", "classifier 0.97"
    held: bool  # score >= SPAM_THRESHOLD: the post waits for a moderator
    digest: str = ""  # the normalised text's hash, kept by `remember`


@dataclass(frozen=True)
class Signals:
    """What is known about a post besides its words."""

    links: int = 0
    repeats: int = 0  # earlier posts of the same text in the last day, by anyone
    recent_posts: int = 0  # the author's earlier posts in the speed window
    account_age: timedelta = timedelta(days=365)
    honeypot: bool = False


@dataclass(frozen=True)
class Limits:
    """The settings that weigh signals (portal/config.py declares them)."""

    threshold: float = 0.5
    max_links: int = 2
    speed_posts: int = 3
    speed_minutes: float = 10

    @classmethod
    def from_config(cls, config) -> "Limits":
        return cls(
            threshold=config["SPAM_THRESHOLD"],
            max_links=config["SPAM_MAX_LINKS"],
            speed_posts=config["SPAM_SPEED_POSTS"],
            speed_minutes=config["SPAM_SPEED_MINUTES"],
        )


def normalise(text: str) -> str:
    """The words of a text, case and punctuation aside, for spotting the same text again."""
    folded = unicodedata.normalize("NFKC", text or "").casefold()
    return " ".join(_NOT_WORD.sub(" ", folded).split())


def text_hash(text: str) -> str:
    return hashlib.sha256(normalise(text).encode()).hexdigest()


def count_links(text: str) -> int:
    """Markdown links plus bare http(s) addresses outside them."""
    markdown = _MARKDOWN_LINK.findall(text or "")
    return len(markdown) + len(_URL.findall(_MARKDOWN_LINK.sub(" ", text or "")))


def _sigmoid(logit: float) -> float:
    return 1.0 / (1.0 + math.exp(-max(-50.0, min(50.0, logit))))


def weigh(text_logit: float | None, signals: Signals, limits: Limits) -> tuple[float, list[str]]:
    """The chance of spam and the reasons behind it: the classifier's log-odds (or the prior
    without one) plus each signal's weight."""
    if signals.honeypot:
        return 1.0, ["honeypot field filled"]
    reasons = []
    logit = PRIOR_LOGIT if text_logit is None else text_logit
    if text_logit is not None:
        reasons.append(f"classifier {_sigmoid(text_logit):.2f}")
    extra_links = signals.links - limits.max_links
    if extra_links > 0:
        weight = LINK_WEIGHT if text_logit is None else LINK_WEIGHT_TRAINED
        logit += min(LINK_CAP, weight * extra_links)
        reasons.append(f"{signals.links} links")
    if signals.repeats:
        logit += min(REPEAT_CAP, REPEAT_WEIGHT * signals.repeats)
        reasons.append(f"same text posted {signals.repeats + 1} times today")
    posts = signals.recent_posts + 1
    if posts >= limits.speed_posts:
        logit += min(SPEED_CAP, SPEED_WEIGHT * (posts - limits.speed_posts + 1))
        reasons.append(f"{posts} posts in {limits.speed_minutes:g} minutes")
    for younger_than, weight in NEW_ACCOUNT:
        if signals.account_age < younger_than:
            logit += weight
            minutes = max(0, int(signals.account_age.total_seconds() // 60))
            reasons.append(f"account {_age(minutes)} old")
            break
    return _sigmoid(logit), reasons


def _age(minutes: int) -> str:
    if minutes < 60:
        return f"{minutes} minute{'s' if minutes != 1 else ''}"
    hours = minutes // 60
    return f"{hours} hour{'s' if hours != 1 else ''}"


def check_post(
    *,
    author_id: int,
    author_created_at: datetime,
    kind: str,
    post_id: int,
    text: str,
    honeypot: bool = False,
) -> SpamVerdict:
    """Score a post already written (a question's title and body, an answer, a comment...) and
    remember its fingerprint for the posts after it. Adds to the caller's transaction."""
    verdict = score_post(
        author_id=author_id,
        author_created_at=author_created_at,
        text=text,
        honeypot=honeypot,
        not_this=(kind, post_id),
    )
    remember(verdict, author_id=author_id, kind=kind, post_id=post_id)
    return verdict


def score_post(
    *,
    author_id: int,
    author_created_at: datetime,
    text: str,
    honeypot: bool = False,
    not_this: tuple[str, int] | None = None,
) -> SpamVerdict:
    """Score a new post before it is written; `remember` it once it has an id."""
    limits = Limits.from_config(current_app.config)
    now = utcnow()
    digest = text_hash(text)
    repeats = 0
    if len(normalise(text)) >= REPEAT_MIN_CHARS:
        same = (
            db.select(func.count())
            .select_from(SpamFingerprint)
            .where(
                SpamFingerprint.text_hash == digest,
                SpamFingerprint.created_at >= now - REPEAT_WINDOW,
            )
        )
        if not_this is not None:
            same = same.where(
                not_(
                    and_(
                        SpamFingerprint.kind == not_this[0], SpamFingerprint.post_id == not_this[1]
                    )
                )
            )
        repeats = db.session.scalar(same)
    recent = db.session.scalar(
        db.select(func.count())
        .select_from(SpamFingerprint)
        .where(
            SpamFingerprint.author_id == author_id,
            SpamFingerprint.created_at >= now - timedelta(minutes=limits.speed_minutes),
        )
    )
    signals = Signals(
        links=count_links(text),
        repeats=repeats,
        recent_posts=recent,
        account_age=now - author_created_at,
        honeypot=honeypot,
    )
    classifier = current_classifier()
    text_logit = None if classifier is None or honeypot else classifier.logit(text)
    score, reasons = weigh(text_logit, signals, limits)
    return SpamVerdict(score=score, reasons=reasons, held=score >= limits.threshold, digest=digest)


def remember(verdict: SpamVerdict, *, author_id: int, kind: str, post_id: int) -> None:
    """Keep a scored post's fingerprint: later posts count repeats and speed from these."""
    db.session.add(
        SpamFingerprint(
            author_id=author_id,
            kind=kind,
            post_id=post_id,
            text_hash=verdict.digest,
            score=verdict.score,
            created_at=utcnow(),
        )
    )


def record_decision(*, text: str, is_spam: bool, decided_by_id: int | None, source: str) -> None:
    """Keep a labelled example for the next training ("moderator": marked spam or not;
    "approved": a held post let through). Adds to the caller's transaction; never commits."""
    db.session.add(
        SpamExample(text=text, is_spam=is_spam, decided_by_id=decided_by_id, source=source)
    )


# The classifier ------------------------------------------------------------------------------


@dataclass
class Classifier:
    """A trained linear model over hashed word and character n-grams, as plain arrays."""

    hashing: list[dict]  # HASHING as it was when trained: one hashed space per part
    weights: np.ndarray  # float32, one per hashed feature, the parts' spaces side by side
    intercept: float
    _vectorizers: list = field(default_factory=list, repr=False)

    def vectorizers(self) -> list:
        if not self._vectorizers:
            from sklearn.feature_extraction.text import HashingVectorizer

            self._vectorizers = [
                HashingVectorizer(**{**part, "ngram_range": tuple(part["ngram_range"])})
                for part in self.hashing
            ]
        return self._vectorizers

    def features(self, texts: Sequence[str]):
        """The hashed n-gram counts of each text (a sparse matrix, each part normalised)."""
        from scipy.sparse import hstack

        return hstack([v.transform(texts) for v in self.vectorizers()], format="csr")

    def logits(self, texts: Sequence[str]) -> np.ndarray:
        return self.features(texts) @ self.weights + self.intercept

    def logit(self, text: str) -> float:
        """One text's log-odds of spam, as `logits` gives it, in a fraction of the time:
        scikit-learn's checks of its arguments cost more than hashing a post (the argument
        here is always one string), and one row needs no stacking."""
        from sklearn import config_context

        total, offset = self.intercept, 0
        with config_context(skip_parameter_validation=True, assume_finite=True):
            for vectorizer in self.vectorizers():
                row = vectorizer.transform([text])
                total += float(row.data @ self.weights[offset + row.indices])
                offset += vectorizer.n_features
        return total

    def to_row(self, report: dict) -> SpamModel:
        indices = np.flatnonzero(self.weights).astype(np.int32)
        buffer = io.BytesIO()
        np.savez(buffer, indices=indices, weights=self.weights[indices].astype(np.float32))
        return SpamModel(
            vectorizer={"hashing": self.hashing},
            weights=buffer.getvalue(),
            intercept=self.intercept,
            report=report,
        )

    @classmethod
    def from_row(cls, row: SpamModel) -> "Classifier":
        hashing = row.vectorizer["hashing"]
        size = sum(part["n_features"] for part in hashing)
        with np.load(io.BytesIO(row.weights), allow_pickle=False) as arrays:
            weights = np.zeros(size, dtype=np.float32)
            weights[arrays["indices"]] = arrays["weights"]
        return cls(hashing=hashing, weights=weights, intercept=float(row.intercept))


def fit(texts: Sequence[str], labels: Sequence[bool]) -> Classifier:
    """Fit the classifier on labelled texts (scikit-learn does the learning)."""
    from sklearn.linear_model import SGDClassifier

    classifier = Classifier(hashing=HASHING, weights=np.zeros(0, np.float32), intercept=0.0)
    model = SGDClassifier(**SGD).fit(classifier.features(texts), np.asarray(labels, dtype=bool))
    classifier.weights = model.coef_[0].astype(np.float32)
    classifier.intercept = float(model.intercept_[0])
    return classifier


_cache_lock = threading.Lock()
_cache: dict[str, tuple[tuple, Classifier]] = {}


def current_classifier() -> Classifier | None:
    """The newest stored model, loaded once per process and reloaded when a newer one is
    stored (one small indexed query tells)."""
    latest = db.session.execute(
        db.select(SpamModel.id, SpamModel.created_at).order_by(SpamModel.id.desc()).limit(1)
    ).first()
    if latest is None:
        return None
    database = str(db.engine.url)
    key = tuple(latest)
    cached = _cache.get(database)
    if cached is not None and cached[0] == key:
        return cached[1]
    with _cache_lock:
        classifier = Classifier.from_row(db.session.get(SpamModel, latest.id))
        _cache[database] = (key, classifier)
    return classifier


# Training ------------------------------------------------------------------------------------


@dataclass
class TrainReport:
    decisions: int  # examples recorded by moderators' decisions
    labelled: dict[str, int]  # folder -> examples read from it
    spam: int
    legitimate: int
    folds: int  # cross-validation folds (0: too few examples to hold any out)
    threshold: float
    precision: float | None
    recall: float | None
    model_id: int
    weights: int  # non-zero weights stored
    seconds: float

    def as_dict(self) -> dict:
        return {k: v for k, v in self.__dict__.items() if k != "model_id"}


Progress = Callable[[str, int, int], None]


def train(labelled_dirs: Iterable[Path] = (), progress: Progress | None = None) -> TrainReport:
    """Fit a new classifier on the recorded decisions plus labelled folders, cross-validate it,
    and store it (flushed, not committed). Refused when the examples cannot train a model."""
    started = time.perf_counter()
    tell = progress or (lambda step, done, total: None)
    texts: list[str] = []
    labels: list[bool] = []
    for text, is_spam in db.session.execute(
        db.select(SpamExample.text, SpamExample.is_spam).order_by(SpamExample.id)
    ):
        texts.append(text)
        labels.append(is_spam)
    decisions = len(texts)
    labelled: dict[str, int] = {}
    folders = [Path(folder) for folder in labelled_dirs]
    for number, folder in enumerate(folders):
        tell("Reading labelled folders", number, len(folders))
        before = len(texts)
        try:
            for example in read_folder(folder):
                texts.append(example.text)
                labels.append(example.is_spam)
        except LabelledDataError as error:
            raise Refused(str(error)) from error
        labelled[str(folder)] = len(texts) - before
    if folders:
        tell("Reading labelled folders", len(folders), len(folders))
    spam = sum(labels)
    if not spam or spam == len(labels):
        raise Refused(
            f"Training needs both spam and legitimate examples; there are {spam} spam and "
            f"{len(labels) - spam} legitimate (moderators' decisions and --labelled folders)."
        )
    limits = Limits.from_config(current_app.config)
    folds = min(CV_FOLDS, spam, len(labels) - spam)
    precision = recall = None
    if folds >= 2:
        scores = cross_validated_scores(texts, labels, folds, limits, tell)
        precision, recall = precision_recall(scores, labels, limits.threshold)
    tell("Fitting on everything", 0, 1)
    classifier = fit(texts, labels)
    tell("Fitting on everything", 1, 1)
    report = TrainReport(
        decisions=decisions,
        labelled=labelled,
        spam=spam,
        legitimate=len(labels) - spam,
        folds=folds if folds >= 2 else 0,
        threshold=limits.threshold,
        precision=precision,
        recall=recall,
        model_id=0,
        weights=int(np.count_nonzero(classifier.weights)),
        seconds=0.0,
    )
    report.seconds = round(time.perf_counter() - started, 2)
    row = classifier.to_row(report.as_dict())
    db.session.add(row)
    db.session.flush()
    report.model_id = row.id
    return report


def score_text(classifier: Classifier | None, texts: Sequence[str], limits: Limits) -> np.ndarray:
    """What check_post would score each text from an established member who posts at a normal
    pace (the classifier and the links signal): for evaluating the filter."""
    logits = classifier.logits(texts) if classifier is not None else [None] * len(texts)
    return np.array(
        [
            weigh(logit, Signals(links=count_links(text)), limits)[0]
            for logit, text in zip(logits, texts, strict=True)
        ]
    )


def cross_validated_scores(
    texts: Sequence[str],
    labels: Sequence[bool],
    folds: int,
    limits: Limits,
    progress: Progress | None = None,
    seed: int = 0,
) -> np.ndarray:
    """Each text's score from a classifier that never saw it (stratified k-fold)."""
    from sklearn.model_selection import StratifiedKFold

    texts = list(texts)
    labels_array = np.asarray(labels, dtype=bool)
    scores = np.zeros(len(texts))
    splits = StratifiedKFold(folds, shuffle=True, random_state=seed).split(texts, labels_array)
    for number, (train_rows, test_rows) in enumerate(splits):
        if progress:
            progress("Cross-validating", number, folds)
        classifier = fit([texts[i] for i in train_rows], labels_array[train_rows])
        scores[test_rows] = score_text(classifier, [texts[i] for i in test_rows], limits)
    if progress:
        progress("Cross-validating", folds, folds)
    return scores


def precision_recall(scores, labels, threshold: float) -> tuple[float, float]:
    """Precision and recall of "held" (score >= threshold) against the labels."""
    held = np.asarray(scores) >= threshold
    spam = np.asarray(labels, dtype=bool)
    caught = int((held & spam).sum())
    return (
        round(float(caught / held.sum()), 4) if held.any() else 1.0,
        round(float(caught / spam.sum()), 4) if spam.any() else 0.0,
    )
