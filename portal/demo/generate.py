"""`flask demo generate`: a large, believable community for trying the portal at scale and for
the benchmarks, written with bulk inserts.

Shapes follow real communities: activity grows over the period (two years by default), a few
questions and ideas draw most of the views and votes, a few members do most of the answering,
every product area and plan is represented, some questions wait unanswered and some threads run
to fifty answers. Counters and reputation are computed while generating, so they agree with the
rows (`flask support recount --check` and `flask ideas check-counters` find no drift), and every
row records the activity event insights read, with the row's own time.

Rows are generated a chunk of questions (or ideas) at a time and inserted with executemany, so
memory stays bounded whatever the scale. Ids are assigned here, which saves a RETURNING per row.
"""

import bisect
import math
import random
import secrets
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import Table, bindparam, func, insert, select, text, update
from sqlalchemy.exc import DBAPIError

from portal.accounts.models import Plan, Role, User
from portal.activity.models import ActivityEvent
from portal.clock import utcnow
from portal.database import begin_transaction
from portal.demo.text import TextModel
from portal.extensions import db
from portal.ideas.models import (
    Idea,
    IdeaComment,
    IdeaFollower,
    IdeaQuestion,
    IdeaStatus,
    IdeaStatusChange,
    IdeaVote,
)
from portal.insights import rollups
from portal.moderation.trust import MEMBER
from portal.search.models import SearchQuery
from portal.support.models import Answer, Comment, Question, Vote, question_tags
from portal.support.services import (
    REPUTATION_FOR_ACCEPTED_ANSWER,
    REPUTATION_FOR_ACCEPTING,
    REPUTATION_FOR_DOWNVOTE,
    REPUTATION_FOR_UPVOTE,
)
from portal.taxonomy.models import ProductArea, Tag
from portal.taxonomy.services import normalise_tag

CHUNK = 2_000  # questions or ideas generated (and their rows inserted) at a time
FLUSH_ROWS = 10_000
IDEA_VOTE_SHARE = 0.4  # of --votes; the rest go to questions and answers
TEAM_ANSWER_SHARE = 0.12
ACCEPT_RATE = 0.55
QUESTION_VOTE_SHARE = 0.35  # of a thread's votes, when it has answers
IDEA_STATUSES = {  # what share of ideas ends in each status
    IdeaStatus.NEW: 0.58,
    IdeaStatus.UNDER_REVIEW: 0.12,
    IdeaStatus.PLANNED: 0.08,
    IdeaStatus.IN_PROGRESS: 0.05,
    IdeaStatus.SHIPPED: 0.11,
    IdeaStatus.DECLINED: 0.06,
}
STATUS_NOTES = {
    IdeaStatus.UNDER_REVIEW: "Thanks for all the votes: the team is looking into this.",
    IdeaStatus.PLANNED: "This is on our plan for the coming quarter.",
    IdeaStatus.IN_PROGRESS: "We have started building this; follow the idea to hear when it ships.",
    IdeaStatus.SHIPPED: "This is now available to everyone. Thank you for asking for it!",
    IdeaStatus.DECLINED: "We will not build this: it does not fit where the product is going.",
}
IDEA_OPENERS = ("Add", "Support", "Allow", "Let us", "Option to", "Please add", "Improve", "Show")
PLAN_SHARES = {"free": 0.68, "pro": 0.24, "enterprise": 0.08}
NAMES = (  # first names | last names
    "Ada Ben Chloe Dev Elif Femi Grace Hugo Iris Jonas Kai Lena Milo Nadia Omar Pia Quinn Rosa "
    "Sven Tara Umar Vera Wes Ximena Yara Zane Amir Bea Caio Dara Emil Fleur Gus Hana Ivan Juno | "
    "Abbott Baptiste Costa Dlamini Eriksen Fontaine Garcia Haddad Ibrahim Jansen Kowalski Larsen "
    "Moreau "
    "Nakamura Okafor Pereira Quist Romano Schmidt Tanaka Uddin Varga Weber Xu Yilmaz Zhou"
)
FIRST_NAMES, LAST_NAMES = (part.split() for part in NAMES.split("|"))
COMPANIES = (
    "Northwind Traders",
    "Contoso Ltd",
    "Fabrikam",
    "Adventure Works",
    "Tailspin Toys",
    "Litware",
    "Wide World Importers",
    "Proseware",
    "Blue Yonder Airlines",
    "Coho Winery",
    "Lucerne Publishing",
    "Margie's Travel",
    "Trey Research",
    "Alpine Ski House",
    "Woodgrove Bank",
    "Humongous Insurance",
)
GAP_SEARCHES = (
    "sso saml okta",
    "dark mode android",
    "delete my account",
    "export pdf with logo",
    "bulk edit tags",
    "custom domain ssl",
    "audit log export",
    "offline attachments",
)


@dataclass
class Scale:
    users: int = 50_000
    questions: int = 100_000
    answers_per_question: float = 3.0
    ideas: int = 20_000
    votes: int = 1_000_000
    comments_per_post: float = 0.3
    searches: int = 50_000
    days: int = 730


@dataclass
class Summary:
    rows: Counter = field(default_factory=Counter)

    @property
    def total(self) -> int:
        return sum(self.rows.values())


class _BulkWriter:
    """Buffers rows per table and inserts them with executemany, reporting progress.

    Rows are written only at `flush` or `checkpoint`, which callers reach between whole
    questions or ideas, so a row never goes in before the row its foreign key points to.
    """

    def __init__(self, summary: Summary, progress: Callable[[int], None] | None):
        self.summary = summary
        self.progress = progress
        self._buffers: dict[Table, list[dict]] = {}
        self._buffered = 0

    def add(self, table: Table, row: dict) -> None:
        self._buffers.setdefault(table, []).append(row)
        self._buffered += 1

    def checkpoint(self) -> None:
        if self._buffered >= FLUSH_ROWS:
            self.flush()

    def flush(self) -> None:
        for table in db.metadata.sorted_tables:  # parents before children
            rows = self._buffers.pop(table, None)
            if rows:
                db.session.execute(insert(table), rows)
                self.summary.rows[table.name] += len(rows)
                if self.progress:
                    self.progress(len(rows))
        self._buffered = 0


class _Ids:
    """The next free id of each table (generated rows carry their ids)."""

    def __init__(self, *models):
        self._next = {
            model: (db.session.execute(select(func.max(model.id))).scalar() or 0) + 1
            for model in models
        }

    def take(self, model) -> int:
        value = self._next[model]
        self._next[model] = value + 1
        return value


@dataclass
class _People:
    """Who exists when: user ids sorted by join time, veterans first."""

    ids: list[int]
    joined: list[datetime]
    team: list[int]

    def active_at(self, rng: random.Random, moment: datetime) -> int:
        """A member who had joined by `moment`; earlier members are more active."""
        known = max(bisect.bisect_right(self.joined, moment), 1)
        return self.ids[int(known * rng.random() ** 2.2)]

    def distinct_at(self, rng: random.Random, moment: datetime, k: int, exclude: int) -> list[int]:
        known = max(bisect.bisect_right(self.joined, moment), 1)
        k = min(k, known - 1)
        if k <= 0:
            return []
        picked = {self.ids[i] for i in rng.sample(range(known), k + 1)}
        picked.discard(exclude)
        return list(picked)[:k]


class Generator:
    def __init__(
        self,
        scale: Scale,
        model: TextModel,
        *,
        seed: int = 20261123,
        progress: Callable[[int], None] | None = None,
    ):
        self.scale = scale
        self.text = model
        self.rng = random.Random(seed)
        self.now = utcnow().replace(microsecond=0)
        self.start = self.now - timedelta(days=scale.days)
        self.summary = Summary()
        self.out = _BulkWriter(self.summary, progress)
        self.ids = _Ids(
            User, Question, Answer, Comment, Vote, Idea, IdeaVote, IdeaComment,
            IdeaStatusChange, ActivityEvent, SearchQuery,
        )  # fmt: skip
        self.reputation: Counter = Counter()
        self.areas = list(db.session.scalars(select(ProductArea.id).order_by(ProductArea.id)))
        self.area_weights = [1 / (rank + 1) ** 0.5 for rank in range(len(self.areas))]
        self.tag_ids = self._tags()
        self.question_times: list[datetime] = []
        self.question_ids: list[int] = []

    @property
    def planned_rows(self) -> int:
        """About how many rows generate() writes (for a progress bar)."""
        s = self.scale
        posts = s.questions * (1 + s.answers_per_question)
        return int(
            s.users * 2  # a row and its event
            + posts * 2 * (1 + s.comments_per_post)
            + s.questions * 2.8  # tags and acceptances
            + s.votes * (1 - IDEA_VOTE_SHARE) * 2
            + s.votes * IDEA_VOTE_SHARE * 3  # vote, follower, event
            + s.ideas * 4
            + s.searches
        )

    def generate(self) -> Summary:
        bulk_mode = self._skip_row_checks()
        self.people = self._users()
        self._questions()
        self._ideas()
        self._searches()
        self.out.flush()
        if bulk_mode:
            db.session.execute(text("SET session_replication_role = DEFAULT"))
            begin_transaction()  # the rollups are replaced in one
            rollups.rebuild(db.session.connection())
        self._finish()
        return self.summary

    def _skip_row_checks(self) -> bool:
        """On PostgreSQL, skip foreign-key checks and rollup triggers while loading (the rows
        are made consistent, and the rollups are rebuilt at the end): row by row they cost
        nine tenths of the time. Needs a superuser; without one the load is slower, not
        different."""
        if db.engine.dialect.name != "postgresql":
            return False
        try:
            begin_transaction()  # the savepoint's
            with db.session.begin_nested():
                db.session.execute(text("SET session_replication_role = replica"))
        except DBAPIError:
            return False
        return True

    # -- time -------------------------------------------------------------------------------

    def _moment(self) -> datetime:
        """A time in the period; activity grows, so later times are likelier."""
        return self.start + (self.now - self.start) * math.sqrt(self.rng.random())

    def _after(self, moment: datetime, median_hours: float) -> datetime:
        """A time after `moment` (exponential delay), never in the future: a delay that would
        end after now ends at a random time before it instead (clamping it to now piled a
        few hundred answers and status changes on the moment of generation)."""
        delay = timedelta(hours=self.rng.expovariate(math.log(2) / median_hours))
        if moment + delay <= self.now:
            return moment + delay
        return moment + (self.now - moment) * self.rng.random()

    def _event(self, kind, actor_id, area_id, subject_type, subject_id, at, **data) -> None:
        self.out.add(
            ActivityEvent.__table__,
            {
                "id": self.ids.take(ActivityEvent),
                "kind": kind,
                "actor_id": actor_id,
                "product_area_id": area_id,
                "subject_type": subject_type,
                "subject_id": subject_id,
                "created_at": at,
                "data": data or None,
            },
        )

    # -- people -----------------------------------------------------------------------------

    def _users(self) -> _People:
        plans = dict(db.session.execute(select(Plan.slug, Plan.id)).all())
        plan_ids = [plans.get(slug) for slug in PLAN_SHARES]
        plan_weights = list(PLAN_SHARES.values())
        existing = list(
            db.session.execute(select(User.id, User.created_at, User.role).order_by(User.id))
        )
        team = [uid for uid, _joined, role in existing if role in (Role.STAFF, Role.ADMIN)]
        password_hash = db.session.scalar(
            select(User.password_hash).where(User.email == "member@example.com")
        )
        joined = sorted(self._moment() for _ in range(self.scale.users))
        new_ids = []
        for moment in joined:
            user_id = self.ids.take(User)
            first, last = self.rng.choice(FIRST_NAMES), self.rng.choice(LAST_NAMES)
            company = self.rng.choice(COMPANIES) if self.rng.random() < 0.6 else None
            row = {
                "id": user_id,
                "email": f"{first}.{last}.{user_id}@members.example.com".lower(),
                "display_name": f"{first} {last}",
                "password_hash": password_hash,
                "role": Role.MEMBER.value,
                "company": company,
                "plan_id": self.rng.choices(plan_ids, weights=plan_weights)[0],
                "reputation": 0,
                "created_at": moment,
                "guidelines_accepted_at": moment,
                "email_confirmed_at": moment,
                "suspended_at": None,
                "suspension_reason": None,
                "is_imported": False,
                "session_token": secrets.token_hex(16),
                "trust_level": MEMBER,
                "trust_level_locked": False,
            }
            new_ids.append(user_id)
            self.out.add(User.__table__, row)
            self._event("user.registered", user_id, None, "user", user_id, moment)
            self.out.checkpoint()
        self.out.flush()
        db.session.commit()
        ids = [uid for uid, _joined, _role in existing] + new_ids
        times = [min(joined_at, self.start) for _uid, joined_at, _role in existing] + joined
        return _People(ids, times, team or ids[:1])

    def _tags(self) -> list[int]:
        names = list(dict.fromkeys(filter(None, map(normalise_tag, self.text.tags))))
        known = dict(db.session.execute(select(Tag.name, Tag.id).where(Tag.name.in_(names))).all())
        new = [name for name in names if name not in known]
        if new:
            db.session.execute(insert(Tag.__table__), [{"name": name} for name in new])
            known = dict(
                db.session.execute(select(Tag.name, Tag.id).where(Tag.name.in_(names))).all()
            )
        self._tag_by_name = {name: known[name] for name in names}
        return [known[name] for name in names]

    # -- support ----------------------------------------------------------------------------

    def _answer_counts(self) -> Iterator[int]:
        """Mostly a few answers, some none; about one thread in 2,000 runs to fifty or more."""
        mean = self.scale.answers_per_question
        p = 1 / (mean + 1)
        for _ in range(self.scale.questions):
            if self.rng.random() < 1 / 2000:
                yield self.rng.randint(50, 60)
            else:
                yield int(math.log(1 - self.rng.random()) / math.log(1 - p)) if p < 1 else 0

    def _questions(self) -> None:
        scale = self.scale
        times = sorted(self._moment() for _ in range(scale.questions))
        # Popularity: a long tail of views, and votes follow views.
        popularity = [self.rng.paretovariate(1.2) for _ in times]
        budget = scale.votes * (1 - IDEA_VOTE_SHARE) / (sum(popularity) or 1)
        answer_counts = self._answer_counts()
        if scale.questions and scale.answers_per_question >= 1:
            popularity[0] = max(popularity)  # at least one long, popular thread
        for start in range(0, len(times), CHUNK):
            for index in range(start, min(start + CHUNK, len(times))):
                big = index == 0 and scale.answers_per_question >= 1
                answers = 50 if big else next(answer_counts)
                self._question(times[index], popularity[index], budget, answers)
                self.out.checkpoint()
            self.out.flush()
            db.session.commit()

    def _question(self, asked: datetime, popularity: float, budget: float, answers: int) -> None:
        rng = self.rng
        question_id = self.ids.take(Question)
        author = self.people.active_at(rng, asked)
        area = rng.choices(self.areas, weights=self.area_weights)[0]
        title = self.text.title(rng)[:200]
        body, body_html = self.text.body(rng, rng.randint(2, 9))
        tags = self.text.pick_tags(rng, 1, 4)
        row = {
            "id": question_id,
            "author_id": author,
            "product_area_id": area,
            "title": title,
            "body": body,
            "body_html": body_html,
            "score": 0,
            "imported_score": 0,
            "answer_count": answers,
            "comment_count": 0,
            "view_count": int(12 * popularity + rng.randint(0, 40)),
            "is_solved": False,
            "created_at": asked,
            "last_activity_at": asked,
            "edited_at": None,
            "edited_by_id": None,
            "closed_at": None,
            "closed_by_id": None,
            "duplicate_of_id": None,
            "deleted_at": None,
            "deleted_by_id": None,
            "form_token": None,
        }
        if self.question_ids and rng.random() < 0.004:  # a duplicate of an earlier question
            row["duplicate_of_id"] = rng.choice(self.question_ids)
            row["closed_at"] = self._after(asked, 6)
            row["closed_by_id"] = rng.choice(self.people.team)
        self._event("question.asked", author, area, "question", question_id, asked, title=title)
        for tag in tags:
            tag_id = self._tag_by_name.get(normalise_tag(tag))
            if tag_id is not None:
                self.out.add(question_tags, {"question_id": question_id, "tag_id": tag_id})
        votes = rng.random() * 2 * budget * popularity  # on average the thread's share
        on_question = votes * QUESTION_VOTE_SHARE if answers else votes
        row["score"] = self._post_votes(
            "question", question_id, author, area, title, asked, on_question
        )
        shares = self._split(votes - on_question, answers)
        answer_rows = [self._answer(row, answer_votes) for answer_votes in shares]
        if answer_rows:
            row["last_activity_at"] = max(a["created_at"] for a in answer_rows)
            if row["closed_at"] is None and rng.random() < ACCEPT_RATE:
                self._accept(row, max(answer_rows, key=lambda a: a["score"]))
        for answer_row in answer_rows:
            self.out.add(Answer.__table__, answer_row)
        row["comment_count"] = self._comments(row, None, asked)
        self.out.add(Question.__table__, row)
        self.question_ids.append(question_id)
        self.question_times.append(asked)

    def _split(self, votes: float, answers: int) -> list[float]:
        """Share votes among a thread's answers: the first ones get the most."""
        weights = [1 / (rank + 1) for rank in range(answers)]
        total = sum(weights) or 1
        return [votes * w / total for w in weights]

    def _answer(self, question: dict, votes: float) -> dict:
        rng = self.rng
        answered = self._after(question["created_at"], 5)
        team = rng.random() < TEAM_ANSWER_SHARE
        author = rng.choice(self.people.team) if team else self.people.active_at(rng, answered)
        body, body_html = self.text.body(rng, rng.randint(1, 7))
        answer_id = self.ids.take(Answer)
        area, title = question["product_area_id"], question["title"]
        self._event(
            "answer.posted", author, area, "answer", answer_id, answered,
            title=title, question_id=question["id"],
        )  # fmt: skip
        row = {
            "id": answer_id,
            "question_id": question["id"],
            "author_id": author,
            "body": body,
            "body_html": body_html,
            "score": self._post_votes("answer", answer_id, author, area, title, answered, votes),
            "imported_score": 0,
            "comment_count": 0,
            "is_accepted": False,
            "accepted_at": None,
            "accepted_by_id": None,
            "created_at": answered,
            "edited_at": None,
            "edited_by_id": None,
            "deleted_at": None,
            "deleted_by_id": None,
        }
        row["comment_count"] = self._comments(question, row, answered)
        return row

    def _accept(self, question: dict, answer: dict) -> None:
        by_team = self.rng.random() < 0.1
        accepter = self.rng.choice(self.people.team) if by_team else question["author_id"]
        accepted_at = self._after(answer["created_at"], 8)
        answer.update(is_accepted=True, accepted_at=accepted_at, accepted_by_id=accepter)
        question["is_solved"] = True
        if answer["author_id"] != accepter:
            self.reputation[answer["author_id"]] += REPUTATION_FOR_ACCEPTED_ANSWER
            self.reputation[accepter] += REPUTATION_FOR_ACCEPTING
        self._event(
            "answer.accepted", accepter, question["product_area_id"], "answer", answer["id"],
            accepted_at, title=question["title"], question_id=question["id"], by_team=by_team,
        )  # fmt: skip

    def _post_votes(self, kind, post_id, author, area, title, posted, expected: float) -> int:
        """Votes on a question or answer; returns its score."""
        rng = self.rng
        count = int(expected) + (rng.random() < expected - int(expected))
        if not count:
            return 0
        score = 0
        for voter in self.people.distinct_at(rng, self.now, count, exclude=author):
            value = 1 if rng.random() < 0.88 else -1
            at = self._after(posted, 48)
            score += value
            self.out.add(
                Vote.__table__,
                {
                    "id": self.ids.take(Vote),
                    "user_id": voter,
                    "question_id": post_id if kind == "question" else None,
                    "answer_id": post_id if kind == "answer" else None,
                    "value": value,
                    "created_at": at,
                },
            )
            if author is not None:
                self.reputation[author] += (
                    REPUTATION_FOR_UPVOTE[kind] if value > 0 else REPUTATION_FOR_DOWNVOTE
                )
            self._event("vote.cast", voter, area, kind, post_id, at, title=title, value=value)
        return score

    def _comments(self, question: dict, answer: dict | None, posted: datetime) -> int:
        rng = self.rng
        mean = self.scale.comments_per_post
        count = 0
        while rng.random() < mean / (mean + 1):
            count += 1
        for _ in range(count):
            at = self._after(posted, 3)
            author = self.people.active_at(rng, at)
            comment_id = self.ids.take(Comment)
            self.out.add(
                Comment.__table__,
                {
                    "id": comment_id,
                    "question_id": question["id"],
                    "answer_id": answer["id"] if answer else None,
                    "author_id": author,
                    "body": rng.choice(self.text.paragraphs(rng, 1))[:600],
                    "created_at": at,
                    "deleted_at": None,
                    "deleted_by_id": None,
                },
            )
            self._event(
                "comment.posted", author, question["product_area_id"], "question",
                question["id"], at, title=question["title"],
                on="answer" if answer else "question", comment_id=comment_id,
            )  # fmt: skip
        return count

    # -- ideas ------------------------------------------------------------------------------

    def _ideas(self) -> None:
        scale = self.scale
        times = sorted(self._moment() for _ in range(scale.ideas))
        popularity = [self.rng.paretovariate(1.1) for _ in times]
        budget = scale.votes * IDEA_VOTE_SHARE / (sum(popularity) or 1)
        statuses, shares = list(IDEA_STATUSES), list(IDEA_STATUSES.values())
        for start in range(0, len(times), CHUNK):
            for index in range(start, min(start + CHUNK, len(times))):
                status = self.rng.choices(statuses, weights=shares)[0]
                self._idea(times[index], status, popularity[index] * budget)
                self.out.checkpoint()
            self.out.flush()
            db.session.commit()

    def _idea(self, suggested: datetime, status: IdeaStatus, expected_votes: float) -> None:
        rng = self.rng
        idea_id = self.ids.take(Idea)
        author = self.people.active_at(rng, suggested)
        area = rng.choices(self.areas, weights=self.area_weights)[0]
        words = self.text.title(rng).rstrip("?.")
        title = f"{rng.choice(IDEA_OPENERS)} {words[0].lower()}{words[1:]}"[:150]
        body, body_html = self.text.body(rng, rng.randint(2, 6))
        changed = suggested if status is IdeaStatus.NEW else self._after(suggested, 24 * 40)
        row = {
            "id": idea_id,
            "title": title,
            "body": body,
            "body_html": body_html,
            "author_id": author,
            "product_area_id": area,
            "status": status.value,
            "status_changed_at": changed,
            "vote_count": 0,
            "imported_votes": 0,
            "comment_count": 0,
            "merged_into_id": None,
            "created_at": suggested,
            "updated_at": changed,
        }
        self._event("idea.suggested", author, area, "idea", idea_id, suggested, title=title)
        # The author votes first, as suggest_idea does; the rest until voting closed.
        closes = changed if status in (IdeaStatus.SHIPPED, IdeaStatus.DECLINED) else self.now
        voters = [author]
        count = int(expected_votes * rng.random() * 2)
        voters += self.people.distinct_at(rng, closes, count, exclude=author)
        for position, voter in enumerate(voters):
            at = suggested if position == 0 else self._between(suggested, closes)
            self.out.add(
                IdeaVote.__table__,
                {
                    "id": self.ids.take(IdeaVote),
                    "idea_id": idea_id,
                    "user_id": voter,
                    "added_by_id": None,
                    "created_at": at,
                },
            )
            self.out.add(
                IdeaFollower.__table__, {"idea_id": idea_id, "user_id": voter, "created_at": at}
            )
            self._event("idea.voted", voter, area, "idea", idea_id, at, title=title)
        row["vote_count"] = len(voters)
        if status is not IdeaStatus.NEW:
            self._status_change(row, changed)
        row["comment_count"] = self._idea_comments(row, voters, status is not IdeaStatus.NEW)
        if rng.random() < 0.06 and self.question_ids:
            self._link_questions(row)
        self.out.add(Idea.__table__, row)

    def _between(self, start: datetime, end: datetime) -> datetime:
        """Votes come soon after an idea appears, then trickle in."""
        return start + (end - start) * self.rng.random() ** 2

    def _status_change(self, idea: dict, at: datetime) -> None:
        actor = self.rng.choice(self.people.team)
        status = IdeaStatus(idea["status"])
        self.out.add(
            IdeaStatusChange.__table__,
            {
                "id": self.ids.take(IdeaStatusChange),
                "idea_id": idea["id"],
                "actor_id": actor,
                "from_status": IdeaStatus.NEW.value,
                "to_status": status.value,
                "note": STATUS_NOTES[status],
                "created_at": at,
            },
        )
        self._event(
            "idea.status_changed", actor, idea["product_area_id"], "idea", idea["id"], at,
            title=idea["title"], from_status=IdeaStatus.NEW.value, to_status=status.value,
        )  # fmt: skip

    def _idea_comments(self, idea: dict, voters: list[int], answered: bool) -> int:
        rng = self.rng
        count = min(int(rng.expovariate(1 / (1 + len(voters) / 40))), 40)
        official = answered and count > 0
        for position in range(count):
            is_official = official and position == count - 1
            author = rng.choice(self.people.team) if is_official else rng.choice(voters)
            body, body_html = self.text.body(rng, rng.randint(1, 3))
            at = self._after(idea["created_at"], 24 * 5)
            self.out.add(
                IdeaComment.__table__,
                {
                    "id": self.ids.take(IdeaComment),
                    "idea_id": idea["id"],
                    "author_id": author,
                    "body": body,
                    "body_html": body_html,
                    "is_official": is_official,
                    "created_at": at,
                },
            )
            self._event(
                "idea.commented", author, idea["product_area_id"], "idea", idea["id"], at,
                title=idea["title"],
            )  # fmt: skip
        return count

    def _link_questions(self, idea: dict) -> None:
        """Support questions asking for this idea (the demand score counts their askers)."""
        known = bisect.bisect_right(self.question_times, idea["created_at"] + timedelta(days=60))
        if not known:
            return
        linked = {
            self.question_ids[self.rng.randrange(known)] for _ in range(self.rng.randint(1, 6))
        }
        for question_id in linked:
            self.out.add(
                IdeaQuestion.__table__,
                {
                    "idea_id": idea["id"],
                    "question_id": question_id,
                    "linked_by_id": self.rng.choice(self.people.team),
                    "converted": False,
                    "created_at": idea["created_at"],
                },
            )

    # -- searches ---------------------------------------------------------------------------

    def _searches(self) -> None:
        rng = self.rng
        tags = self.text.tags
        for _ in range(self.scale.searches):
            at = self._moment()
            if rng.random() < 0.08:
                query, results = rng.choice(GAP_SEARCHES), 0
            else:
                words = self.text.title(rng).rstrip("?.").lower().split()
                query = (
                    " ".join(words[: rng.randint(1, 3)]) if rng.random() < 0.7 else rng.choice(tags)
                )
                results = int(rng.paretovariate(0.8)) - 1
            user = self.people.active_at(rng, at) if rng.random() < 0.6 else None
            self.out.add(
                SearchQuery.__table__,
                {
                    "id": self.ids.take(SearchQuery),
                    "query": query[:200],
                    "results": min(results, 10_000),
                    "user_id": user,
                    "source": "search",
                    "created_at": at,
                },
            )

    # -- the end ----------------------------------------------------------------------------

    def _finish(self) -> None:
        """Reputation in one executemany; on PostgreSQL, sequences past the ids we assigned;
        fresh planner statistics."""
        statement = (
            update(User.__table__)
            .where(User.__table__.c.id == bindparam("user_id"))
            .values(reputation=User.__table__.c.reputation + bindparam("gain"))
        )
        gains = [{"user_id": uid, "gain": gain} for uid, gain in self.reputation.items() if gain]
        for start in range(0, len(gains), FLUSH_ROWS):
            db.session.execute(statement, gains[start : start + FLUSH_ROWS])
        if db.engine.dialect.name == "postgresql":
            for model in (User, Question, Answer, Comment, Vote, Idea, IdeaVote, IdeaComment,
                          IdeaStatusChange, ActivityEvent, SearchQuery, Tag):  # fmt: skip
                name = model.__tablename__
                db.session.execute(
                    text(
                        f"SELECT setval(pg_get_serial_sequence('{name}', 'id'), "
                        f"(SELECT COALESCE(MAX(id), 0) + 1 FROM {name}), false)"
                    )
                )
        db.session.commit()
        # Planner statistics for tables that grew from nothing: without them SQLite picks
        # indexes by their shape alone (and the idea board's Top sorts 20,000 rows). Only the
        # portal's tables: a bare ANALYZE on PostgreSQL locks every table of every schema in the
        # database until the commit (it deadlocked with another schema's TRUNCATE in the tests).
        # PostgreSQL also gets a VACUUM, which sets the visibility map that index-only scans
        # need, as after a restore: autovacuum may be off, or come much later.
        tables = [f'"{table.name}"' for table in db.metadata.sorted_tables]
        if db.engine.dialect.name == "postgresql":
            autocommit = db.engine.connect().execution_options(isolation_level="AUTOCOMMIT")
            with autocommit as connection:
                for table in tables:
                    connection.execute(text(f"VACUUM (ANALYZE) {table}"))
        else:
            for table in tables:
                db.session.execute(text(f"ANALYZE {table}"))
            db.session.commit()
