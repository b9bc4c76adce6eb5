"""Every action records an activity event, and every change to searchable text a search change,
in the same transaction as the write (a rollback leaves neither)."""

from portal.activity.models import ActivityEvent
from portal.extensions import db
from portal.search.models import SearchChange
from portal.support import services
from portal.support.models import Answer


def _since(model, last_id):
    return list(db.session.scalars(db.select(model).where(model.id > last_id).order_by(model.id)))


def _last(model):
    return db.session.execute(db.select(db.func.max(model.id))).scalar_one() or 0


def test_each_action_records_its_facts(make_user, make_area, make_question):
    asker, helper, staff = make_user(), make_user(), make_user("staff")
    area = make_area()
    question = make_question(author=asker, area=area)
    original = make_question(area=area)
    steps = [
        (
            lambda: services.post_answer(question, helper, "Try the export wizard instead."),
            "answer.posted",
            [("answer", "upsert")],
        ),
        (lambda: services.cast_vote(helper, question, 1), "vote.cast", []),
        (
            lambda: services.accept_answer(question_answer(), asker),
            "answer.accepted",
            [("question", "upsert")],
        ),
        (
            lambda: services.add_comment(helper, question, "Which browser do you use?"),
            "comment.posted",
            [],
        ),
        (
            lambda: services.edit_question(
                question,
                asker,
                title="A clearer question title here",
                body=question.body,
                area=area,
                tags=["export"],
            ),
            "question.edited",
            [("question", "upsert")],
        ),
        (
            lambda: services.edit_answer(question_answer(), staff, body="Use the export wizard."),
            "answer.edited",
            [("answer", "upsert")],
        ),
        (
            lambda: services.close_as_duplicate(question, staff, original),
            "question.closed",
            [("question", "upsert")],
        ),
        (
            lambda: services.reopen_question(question, staff),
            "question.reopened",
            [("question", "upsert")],
        ),
        (
            lambda: services.delete_post(question, staff),
            "question.deleted",
            [("question", "delete")],
        ),
        (
            lambda: services.undelete_post(question, staff),
            "question.undeleted",
            [("question", "upsert")],
        ),
    ]

    def question_answer():
        return db.session.execute(
            db.select(Answer).where(Answer.question_id == question.id)
        ).scalar_one()

    for action, kind, changes in steps:
        last_event, last_change = _last(ActivityEvent), _last(SearchChange)
        action()
        db.session.commit()
        events = _since(ActivityEvent, last_event)
        assert [e.kind for e in events] == [kind]
        assert events[0].product_area_id == area.id
        assert events[0].data["title"]
        assert [(c.doc_type, c.action) for c in _since(SearchChange, last_change)] == changes


def test_a_rolled_back_action_leaves_no_facts(make_user, make_question):
    question = make_question()
    last_event, last_change = _last(ActivityEvent), _last(SearchChange)
    services.post_answer(question, make_user(), "An answer that is never committed.")
    db.session.rollback()
    assert _since(ActivityEvent, last_event) == []
    assert _since(SearchChange, last_change) == []
