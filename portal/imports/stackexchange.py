"""Import a Stack Exchange data dump (Posts.xml and, when present, Users, Comments, PostLinks,
Votes and Tags) as portal users, questions, answers, comments and duplicates.

Streaming: every file is parsed with expat a chunk at a time and each row dropped once used,
so memory stays flat whatever the dump's size; lookups of earlier rows (authors, parents,
imported before, votes on posts of this run) go to the database a batch at a time. Rows are
written with Core executemany, never as ORM objects (see `_insert` for the ids on SQLite).
Idempotent: an ImportedRecord maps every source row to the row it became; a second run skips
what is there. Safe: rows are written in batches, one transaction each; a malformed file or a
row without a required attribute stops the import with the file and the row's Id, and the
failing batch is rolled back whole. Re-running after the fix carries on where it stopped.

Imported posts keep their original HTML (sanitised, images turned into links) for display and
no Markdown source: when someone first edits one, the editor starts from Markdown converted
from that HTML (`portal.markdown.html_to_markdown`), and the post is Markdown from then on.
Converting every post at import time would cost more than the whole rest of the import.
"""

import re
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from xml.parsers import expat

from sqlalchemy import Row, bindparam, insert, update

from portal.accounts.models import User
from portal.activity.models import ActivityEvent
from portal.attribution import ImportedRecord
from portal.extensions import db
from portal.markdown import sanitize_html
from portal.search.models import SearchChange
from portal.support.models import Answer, Comment, Question, question_tags
from portal.support.services import _acceptance_reputation
from portal.taxonomy.models import ProductArea
from portal.taxonomy.services import get_or_create_tags, normalise_tag

BATCH = 1000  # rows per transaction (each commit costs a WAL write: fewer, larger ones)
CHUNK = 64 * 1024  # bytes of XML parsed at a time
QUESTION, ANSWER = "1", "2"
DUPLICATE_LINK = "3"
VOTE_TYPES = {"1": "accepted", "2": "up", "3": "down", "5": "favourite"}


class ImportFailure(RuntimeError):
    """The dump cannot be imported as it is; the message names the file and the row."""


@dataclass
class Summary:
    users: int = 0
    questions: int = 0
    answers: int = 0
    accepted: int = 0
    comments: int = 0
    votes: int = 0
    duplicates: int = 0
    ideas: int = 0
    already_imported: int = 0
    skipped: Counter = field(default_factory=Counter)
    seconds: float = 0.0

    def skip(self, reason: str) -> None:
        self.skipped[reason] += 1

    def lines(self) -> list[str]:
        counts = (
            f"{self.users} users, {self.questions} questions, {self.answers} answers "
            f"({self.accepted} accepted), {self.comments} comments, {self.votes} votes, "
            f"{self.duplicates} duplicates, {self.ideas} ideas in {self.seconds:.1f}s"
        )
        lines = [f"Imported {counts}."]
        if self.already_imported:
            lines.append(f"Already imported before (left as they were): {self.already_imported}.")
        skipped = sum(self.skipped.values())
        if skipped:
            reasons = "; ".join(f"{n} {reason}" for reason, n in self.skipped.most_common())
            lines.append(f"Skipped {skipped}: {reasons}.")
        return lines


def site_name(directory: Path) -> str:
    """`bicycles.meta` -> `bicycles.meta.stackexchange.com` (a dump folder is named after it)."""
    name = directory.resolve().name
    return name if "." in name and name.endswith(".com") else f"{name}.stackexchange.com"


def parse_tags(raw: str | None) -> list[str]:
    """Both dump formats: `<a><b>` and `|a|b|`."""
    if not raw:
        return []
    parts = re.findall(r"<([^<>]+)>", raw) if raw.startswith("<") else raw.strip("|").split("|")
    tags = []
    for part in parts:
        tag = normalise_tag(part)
        if tag and tag not in tags:
            tags.append(tag)
    return tags


def parse_date(value: str, file: str, row_id: str) -> datetime:
    try:
        return datetime.fromisoformat(value)
    except ValueError as error:
        raise ImportFailure(f"{file}: row Id={row_id} has a malformed date {value!r}.") from error


_IMAGE = re.compile(r"<img\b[^>]*?\bsrc=\"([^\"]+)\"[^>]*?(?:\balt=\"([^\"]*)\")?[^>]*>", re.I)


def clean_body(html: str) -> str:
    """A post body as sanitised HTML; images become links to them."""

    def image_link(match: re.Match) -> str:
        return f'<a href="{match.group(1)}">{match.group(2) or "image"}</a>'

    return sanitize_html(_IMAGE.sub(image_link, html or ""))


def read_rows(
    path: Path, required: tuple[str, ...], progress: Callable[[int, int], None] | None = None
) -> Iterator[dict]:
    """Attributes of each <row>, streamed; checks the required attributes are there.

    Expat hands over each row's attributes as a dict and builds no element tree, so a chunk of
    the file at a time is all that is held. `progress(bytes, rows)` is told after each chunk.
    """
    rows: list[dict] = []
    parser = expat.ParserCreate()

    def start(name: str, attributes: dict) -> None:
        if name == "row":
            rows.append(attributes)

    parser.StartElementHandler = start
    last_id = "none yet"
    with path.open("rb") as handle:
        size = 0
        while True:
            chunk = handle.read(CHUNK)
            size += len(chunk)
            failure = None
            try:
                parser.Parse(chunk, not chunk)
            except expat.ExpatError as error:
                failure = error
            if progress is not None:
                progress(len(chunk), len(rows))
            for attributes in rows:  # the rows read before a failure are whole
                row_id = attributes.get("Id") or "?"
                for name in required:
                    if not attributes.get(name):
                        raise ImportFailure(
                            f"{path.name}: row Id={row_id} has no {name} attribute."
                        )
                last_id = row_id
                yield attributes
            rows.clear()
            if failure is not None:
                if size == 0:
                    raise ImportFailure(f"{path.name} is empty.") from failure
                raise ImportFailure(
                    f"{path.name} is not well-formed XML ({expat.ErrorString(failure.code)}: "
                    f"line {failure.lineno}, column {failure.offset}); the last complete row "
                    f"was Id={last_id}."
                ) from failure
            if not chunk:
                return


def in_list(ids: Iterable[int]) -> list[int]:
    """Distinct ids, the last repeated up to a power of two. Each length of an IN list is a new
    statement to the driver, which keeps the last 128 prepared: with a few lengths, that cache
    stays small however many batches a dump has (with one length per batch it grew with it)."""
    distinct = list(dict.fromkeys(ids))
    if distinct:
        distinct += distinct[-1:] * ((1 << (len(distinct) - 1).bit_length()) - len(distinct))
    return distinct


def batched(rows: Iterator, size: int) -> Iterator[list]:
    batch: list = []
    for row in rows:
        batch.append(row)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


class StackExchangeImport:
    batch_size = BATCH

    def __init__(
        self,
        directory: Path,
        area: ProductArea,
        *,
        ideas_tag: str | None = None,
        progress: Callable[[str, int], Callable[[int, int], None]] | None = None,
    ):
        self.directory = directory
        self.site = site_name(directory)
        self.area = area
        self.ideas_tag = normalise_tag(ideas_tag) if ideas_tag else None
        self.summary = Summary()
        self.new_posts = 0  # posts imported by this run (their votes are counted at the end)
        self.records_before = 0  # the highest ImportedRecord id before this run
        self.progress = progress or (lambda _label, _total: None)

    # Helpers --------------------------------------------------------------------------------

    def _file(self, name: str) -> Path | None:
        path = self.directory / name
        return path if path.exists() else None

    def _rows(self, name: str, required: tuple[str, ...]) -> Iterator[dict]:
        path = self.directory / name
        update_bar = self.progress(f"{name:<14}", path.stat().st_size)
        return read_rows(path, required, update_bar)

    def _known(self, source_type: str, source_ids: list[int]) -> dict[int, Row]:
        """The mapping rows of these source ids (plain rows: no ORM objects to build)."""
        if not source_ids:
            return {}
        records = db.session.execute(
            db.select(
                ImportedRecord.source_id,
                ImportedRecord.target_type,
                ImportedRecord.target_id,
                ImportedRecord.author_name,
                ImportedRecord.accepted_source_id,
            ).where(
                ImportedRecord.site == self.site,
                ImportedRecord.source_type == source_type,
                ImportedRecord.source_id.in_(in_list(source_ids)),
            )
        )
        return {record.source_id: record for record in records}

    def _insert(self, model, values: list[dict]) -> list[int]:
        """Insert rows and return their new ids in the order of `values`.

        PostgreSQL returns them from one multi-row INSERT. SQLite cannot promise RETURNING's
        order, so SQLAlchemy would send one INSERT per row (a third of the import's time);
        there the batch gives the ids itself, after the table's highest. That is safe: if
        another writer commits after this transaction first read the database, SQLite refuses
        this transaction's write (SQLITE_BUSY_SNAPSHOT) and the batch rolls back whole.
        """
        table = model.__table__
        if db.session.get_bind().dialect.name != "sqlite":
            return db.session.scalars(
                insert(table).returning(table.c.id, sort_by_parameter_order=True), values
            ).all()
        highest = db.session.execute(
            db.select(db.func.coalesce(db.func.max(table.c.id), 0))
        ).scalar_one()
        ids = list(range(highest + 1, highest + 1 + len(values)))
        for value, new_id in zip(values, ids, strict=True):
            value["id"] = new_id
        db.session.execute(insert(table), values)
        return ids

    def _map(self, rows: list[dict]) -> None:
        if rows:
            db.session.execute(
                insert(ImportedRecord.__table__), [{"site": self.site, **r} for r in rows]
            )

    def _commit_batch(self, write: Callable[[], None]) -> None:
        """One batch, one transaction: all of it is written or none of it."""
        try:
            write()
            db.session.commit()
        except BaseException:
            db.session.rollback()
            raise

    def _events(self, rows: list[dict]) -> None:
        if rows:
            db.session.execute(insert(ActivityEvent.__table__), rows)

    def _bump(self, model, column: str, counts: Counter) -> None:
        """Add `counts[id]` to `column` of each row, in one executemany UPDATE."""
        if not counts:
            return
        table = model.__table__
        db.session.execute(
            update(table)
            .where(table.c.id == bindparam("row_id"))
            .values({column: table.c[column] + bindparam("delta")}),
            [{"row_id": row_id, "delta": delta} for row_id, delta in counts.items()],
        )

    def _search_changes(self, doc_type: str, ids: list[int]) -> None:
        if ids:
            db.session.execute(
                insert(SearchChange.__table__), [{"doc_type": doc_type, "doc_id": i} for i in ids]
            )

    # Steps ----------------------------------------------------------------------------------

    def run(self) -> Summary:
        started = time.perf_counter()
        if self._file("Posts.xml") is None:
            raise ImportFailure(f"{self.directory} has no Posts.xml (it is required).")
        self.records_before = db.session.execute(
            db.select(db.func.coalesce(db.func.max(ImportedRecord.id), 0))
        ).scalar_one()
        if self._file("Users.xml"):
            self.import_users()
        self.import_questions()
        self.import_answers()
        if self._file("Comments.xml"):
            self.import_comments()
        if self._file("PostLinks.xml"):
            self.import_duplicates()
        if self._file("Votes.xml"):
            self.count_votes()
        self.summary.seconds = time.perf_counter() - started
        return self.summary

    def import_users(self) -> None:
        for batch in batched(self._rows("Users.xml", ("Id", "CreationDate")), self.batch_size):
            self._commit_batch(lambda batch=batch: self._users_batch(batch))

    def _users_batch(self, batch: list[dict]) -> None:
        known = self._known("user", [int(r["Id"]) for r in batch])
        fresh = [r for r in batch if int(r["Id"]) not in known]
        self.summary.already_imported += len(batch) - len(fresh)
        if not fresh:
            return
        values = [
            {
                "display_name": (r.get("DisplayName") or f"user{r['Id']}")[:60],
                "created_at": parse_date(r["CreationDate"], "Users.xml", r["Id"]),
                "is_imported": True,
                "role": "member",
                "reputation": 0,
            }
            for r in fresh
        ]
        ids = self._insert(User, values)
        self._map(
            [
                {
                    "source_type": "user",
                    "source_id": int(r["Id"]),
                    "target_type": "user",
                    "target_id": user_id,
                    "author_name": r.get("DisplayName"),
                }
                for r, user_id in zip(fresh, ids, strict=True)
            ]
        )
        self.summary.users += len(fresh)

    def _authors(self, batch: list[dict]) -> dict[int, Row]:
        owner_ids = [int(r["OwnerUserId"]) for r in batch if r.get("OwnerUserId")]
        return self._known("user", owner_ids)

    def _author_name(self, row: dict, authors: dict[int, Row]) -> str | None:
        owner = row.get("OwnerUserId")
        if owner and int(owner) in authors:
            return authors[int(owner)].author_name
        return row.get("OwnerDisplayName")

    def import_questions(self) -> None:
        rows = self._rows("Posts.xml", ("Id", "PostTypeId", "CreationDate"))
        questions = (r for r in rows if r["PostTypeId"] == QUESTION)
        for batch in batched(questions, self.batch_size):
            self._commit_batch(lambda batch=batch: self._questions_batch(batch))

    def _questions_batch(self, batch: list[dict]) -> None:
        for row in batch:
            if not row.get("Title"):
                raise ImportFailure(f"Posts.xml: row Id={row['Id']} is a question with no Title.")
        known = self._known("post", [int(r["Id"]) for r in batch])
        fresh = [r for r in batch if int(r["Id"]) not in known]
        self.summary.already_imported += len(batch) - len(fresh)
        if self.ideas_tag:
            from portal.imports.ideas import import_ideas  # needs the idea board

            as_ideas = [r for r in fresh if self.ideas_tag in parse_tags(r.get("Tags"))]
            if as_ideas:
                import_ideas(self, as_ideas)
            fresh = [r for r in fresh if r not in as_ideas]
        if not fresh:
            return
        authors = self._authors(fresh)
        values, tags_by_row = [], []
        for r in fresh:
            created = parse_date(r["CreationDate"], "Posts.xml", r["Id"])
            owner = authors.get(int(r["OwnerUserId"])) if r.get("OwnerUserId") else None
            values.append(
                {
                    "author_id": owner.target_id if owner else None,
                    "product_area_id": self.area.id,
                    "title": r["Title"][:200],
                    "body": "",
                    "body_html": clean_body(r.get("Body", "")),
                    "imported_score": int(r.get("Score") or 0),
                    "view_count": int(r.get("ViewCount") or 0),
                    "created_at": created,
                    "last_activity_at": parse_date(
                        r.get("LastActivityDate") or r["CreationDate"], "Posts.xml", r["Id"]
                    ),
                }
            )
            tags_by_row.append(parse_tags(r.get("Tags")))
        ids = self._insert(Question, values)
        all_tags = sorted({t for tags in tags_by_row for t in tags})
        tag_ids = {tag.name: tag.id for tag in get_or_create_tags(all_tags)}
        links = [
            {"question_id": qid, "tag_id": tag_ids[t]}
            for qid, tags in zip(ids, tags_by_row, strict=True)
            for t in tags
        ]
        if links:
            db.session.execute(insert(question_tags), links)
        self._map(
            [
                {
                    "source_type": "post",
                    "source_id": int(r["Id"]),
                    "target_type": "question",
                    "target_id": qid,
                    "author_name": self._author_name(r, authors),
                    "license": r.get("ContentLicense"),
                    "accepted_source_id": int(r["AcceptedAnswerId"])
                    if r.get("AcceptedAnswerId")
                    else None,
                }
                for r, qid in zip(fresh, ids, strict=True)
            ]
        )
        self._events(
            [
                {
                    "kind": "question.asked",
                    "actor_id": v["author_id"],
                    "product_area_id": self.area.id,
                    "subject_type": "question",
                    "subject_id": qid,
                    "created_at": v["created_at"],
                    "data": {"title": v["title"], "imported_from": self.site},
                }
                for v, qid in zip(values, ids, strict=True)
            ]
        )
        self._search_changes("question", list(ids))
        self.new_posts += len(fresh)
        self.summary.questions += len(fresh)

    def import_answers(self) -> None:
        rows = self._rows("Posts.xml", ("Id", "PostTypeId", "CreationDate"))
        answers = (r for r in rows if r["PostTypeId"] == ANSWER)
        for batch in batched(answers, self.batch_size):
            self._commit_batch(lambda batch=batch: self._answers_batch(batch))

    def _answers_batch(self, batch: list[dict]) -> None:
        for row in batch:
            if not row.get("ParentId"):
                raise ImportFailure(f"Posts.xml: row Id={row['Id']} is an answer with no ParentId.")
        known = self._known("post", [int(r["Id"]) for r in batch])
        fresh = [r for r in batch if int(r["Id"]) not in known]
        self.summary.already_imported += len(batch) - len(fresh)
        parents = self._known("post", [int(r["ParentId"]) for r in fresh])
        idea_rows = [
            r
            for r in fresh
            if int(r["ParentId"]) in parents and parents[int(r["ParentId"])].target_type == "idea"
        ]
        if idea_rows:
            from portal.imports.ideas import import_idea_comments

            import_idea_comments(self, idea_rows, parents)
        answers = []
        for r in fresh:
            parent = parents.get(int(r["ParentId"]))
            if parent is None:
                self.summary.skip("answers to questions that are not in the dump")
            elif parent.target_type == "question":
                answers.append((r, parent))
        if not answers:
            return
        authors = self._authors([r for r, _ in answers])
        values = []
        for r, parent in answers:
            owner = authors.get(int(r["OwnerUserId"])) if r.get("OwnerUserId") else None
            values.append(
                {
                    "question_id": parent.target_id,
                    "author_id": owner.target_id if owner else None,
                    "body": "",
                    "body_html": clean_body(r.get("Body", "")),
                    "imported_score": int(r.get("Score") or 0),
                    "created_at": parse_date(r["CreationDate"], "Posts.xml", r["Id"]),
                    "is_accepted": False,
                }
            )
        ids = self._insert(Answer, values)
        self._bump(Question, "answer_count", Counter(v["question_id"] for v in values))
        self._map(
            [
                {
                    "source_type": "post",
                    "source_id": int(r["Id"]),
                    "target_type": "answer",
                    "target_id": aid,
                    "author_name": self._author_name(r, authors),
                    "license": r.get("ContentLicense"),
                }
                for (r, _), aid in zip(answers, ids, strict=True)
            ]
        )
        self._events(
            [
                {
                    "kind": "answer.posted",
                    "actor_id": v["author_id"],
                    "product_area_id": self.area.id,
                    "subject_type": "answer",
                    "subject_id": aid,
                    "created_at": v["created_at"],
                    "data": {"question_id": v["question_id"]},
                }
                for v, aid in zip(values, ids, strict=True)
            ]
        )
        self._search_changes("answer", list(ids))
        self.new_posts += len(answers)
        self.summary.answers += len(answers)
        self._accept(answers, ids, values)

    def _accept(self, answers, ids, values) -> None:
        """Mark the answers their questions accepted, with the reputation acceptance gives."""
        accepted = [
            (parent.target_id, answer_id, value)
            for (r, parent), answer_id, value in zip(answers, ids, values, strict=True)
            if parent.accepted_source_id == int(r["Id"])
        ]
        if not accepted:
            return
        question_ids = in_list(question_id for question_id, _, _ in accepted)
        askers = dict(
            db.session.execute(
                db.select(Question.id, Question.author_id).where(Question.id.in_(question_ids))
            ).all()
        )
        table = Answer.__table__
        db.session.execute(
            update(table)
            .where(table.c.id == bindparam("answer_id"))
            .values(is_accepted=True, accepted_at=bindparam("at"), accepted_by_id=bindparam("by")),
            [
                {"answer_id": answer_id, "at": value["created_at"], "by": askers[question_id]}
                for question_id, answer_id, value in accepted
            ],
        )
        db.session.execute(
            update(Question.__table__)
            .where(Question.__table__.c.id.in_(question_ids))
            .values(is_solved=True)
        )
        reputation: Counter = Counter()
        for question_id, _, value in accepted:
            reputation.update(_acceptance_reputation(value["author_id"], askers[question_id]))
        self._bump(User, "reputation", reputation)
        self.summary.accepted += len(accepted)

    def import_comments(self) -> None:
        rows = self._rows("Comments.xml", ("Id", "PostId", "CreationDate"))
        for batch in batched(rows, self.batch_size):
            self._commit_batch(lambda batch=batch: self._comments_batch(batch))

    def _comments_batch(self, batch: list[dict]) -> None:
        known = self._known("comment", [int(r["Id"]) for r in batch])
        fresh = [r for r in batch if int(r["Id"]) not in known]
        self.summary.already_imported += len(batch) - len(fresh)
        posts = self._known("post", [int(r["PostId"]) for r in fresh])
        answer_ids = [p.target_id for p in posts.values() if p.target_type == "answer"]
        answer_question = dict(
            db.session.execute(
                db.select(Answer.id, Answer.question_id).where(Answer.id.in_(in_list(answer_ids)))
            ).all()
        )
        users = self._known("user", [int(r["UserId"]) for r in fresh if r.get("UserId")])
        values, mapped = [], []
        for r in fresh:
            post = posts.get(int(r["PostId"]))
            if post is None:
                self.summary.skip("comments on posts that were not imported")
                continue
            if post.target_type not in {"question", "answer"}:
                self.summary.skip("comments on feature requests (their answers are the discussion)")
                continue
            is_answer = post.target_type == "answer"
            user = users.get(int(r["UserId"])) if r.get("UserId") else None
            values.append(
                {
                    "question_id": answer_question[post.target_id] if is_answer else post.target_id,
                    "answer_id": post.target_id if is_answer else None,
                    "author_id": user.target_id if user else None,
                    "body": (r.get("Text") or "").strip(),
                    "created_at": parse_date(r["CreationDate"], "Comments.xml", r["Id"]),
                }
            )
            mapped.append(r)
        if not values:
            return
        ids = self._insert(Comment, values)
        on_questions = Counter(v["question_id"] for v in values if v["answer_id"] is None)
        on_answers = Counter(v["answer_id"] for v in values if v["answer_id"] is not None)
        self._bump(Question, "comment_count", on_questions)
        self._bump(Answer, "comment_count", on_answers)
        self._map(
            [
                {
                    "source_type": "comment",
                    "source_id": int(r["Id"]),
                    "target_type": "comment",
                    "target_id": cid,
                    "author_name": r.get("UserDisplayName"),
                    "license": r.get("ContentLicense"),
                }
                for r, cid in zip(mapped, ids, strict=True)
            ]
        )
        self.summary.comments += len(values)

    def import_duplicates(self) -> None:
        rows = self._rows("PostLinks.xml", ("Id", "PostId", "RelatedPostId", "LinkTypeId"))
        duplicates = (r for r in rows if r["LinkTypeId"] == DUPLICATE_LINK)
        for batch in batched(duplicates, self.batch_size):
            self._commit_batch(lambda batch=batch: self._duplicates_batch(batch))

    def _duplicates_batch(self, batch: list[dict]) -> None:
        posts = self._known("post", [int(r[k]) for r in batch for k in ("PostId", "RelatedPostId")])
        for r in batch:
            duplicate, original = posts.get(int(r["PostId"])), posts.get(int(r["RelatedPostId"]))
            if (
                not (duplicate and original)
                or "question" not in (duplicate.target_type, original.target_type)
                or duplicate.target_type != original.target_type
            ):
                self.summary.skip("duplicate links between posts that were not imported")
                continue
            closed = db.session.execute(
                update(Question)
                .where(Question.id == duplicate.target_id, Question.duplicate_of_id.is_(None))
                .values(
                    duplicate_of_id=original.target_id,
                    closed_at=parse_date(r.get("CreationDate") or "", "PostLinks.xml", r["Id"]),
                )
            ).rowcount
            if closed:
                self._search_changes("question", [duplicate.target_id])
                self.summary.duplicates += 1

    def count_votes(self) -> None:
        """Dump votes carry no voter: they are already in each post's imported score. Count the
        up and down votes on the posts this run imported, for the summary. Which posts those
        are is asked of the database a batch at a time (their mapping rows are newer than the
        run), so no set of ids grows with the dump."""
        if not self.new_posts:
            return
        rows = self._rows("Votes.xml", ("Id", "PostId", "VoteTypeId"))
        votes = (int(r["PostId"]) for r in rows if r["VoteTypeId"] in ("2", "3"))
        for batch in batched(votes, 10 * self.batch_size):
            new = set(
                db.session.scalars(
                    db.select(ImportedRecord.source_id).where(
                        ImportedRecord.site == self.site,
                        ImportedRecord.source_type == "post",
                        ImportedRecord.source_id.in_(in_list(batch)),
                        ImportedRecord.id > self.records_before,
                    )
                )
            )
            self.summary.votes += sum(1 for post_id in batch if post_id in new)
        db.session.rollback()  # end the read transaction
