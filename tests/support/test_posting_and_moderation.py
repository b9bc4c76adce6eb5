"""Answers, comments, notifications, edits with revisions, deleting and closing as duplicate."""

from portal.activity.models import ActivityEvent
from portal.extensions import db
from portal.notifications.models import Notification
from portal.search.models import SearchChange
from portal.support.models import Answer, Comment, Question, Revision
from portal.support.services import close_as_duplicate, delete_post
from tests.conftest import login

ANSWER = "Go to Settings → Billing and press **Update card**."


def _fresh(model, row_id):
    db.session.expire_all()
    return db.session.get(model, row_id)


def test_answering_notifies_the_asker_and_counts(client, make_user, make_question):
    asker, helper = make_user(), make_user(display_name="Helpful Hana")
    question = make_question(author=asker)
    login(client, helper)
    response = client.post(f"/questions/{question.id}/answers", data={"body": ANSWER})
    answer = db.session.execute(db.select(Answer)).scalar_one()
    assert response.location.endswith(f"#answer-{answer.id}")
    assert _fresh(Question, question.id).answer_count == 1
    notification = db.session.execute(db.select(Notification)).scalar_one()
    assert notification.user_id == asker.id
    assert notification.title == f"Helpful Hana answered your question “{question.title}”"
    assert notification.url.endswith(f"#answer-{answer.id}")
    assert ("answer", answer.id) in {
        (c.doc_type, c.doc_id) for c in db.session.scalars(db.select(SearchChange))
    }
    login(client, asker)
    page = client.get("/notifications").get_data(as_text=True)
    assert "Helpful Hana answered your question" in page


def test_a_short_answer_is_refused_beside_the_field(client, make_user, make_question):
    question = make_question()
    login(client, make_user())
    response = client.post(f"/questions/{question.id}/answers", data={"body": "Try again"})
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "Use 20 to 30,000 characters." in page and "Try again</textarea>" in page
    assert db.session.execute(db.select(Answer)).first() is None


def test_closed_question_takes_no_answers(client, make_user, make_question):
    staff = make_user("staff")
    original, duplicate = make_question(), make_question()
    close_as_duplicate(duplicate, staff, original)
    db.session.commit()
    login(client, make_user())
    response = client.post(
        f"/questions/{duplicate.id}/answers", data={"body": ANSWER}, follow_redirects=True
    )
    page = response.get_data(as_text=True)
    assert "This question is closed, so it takes no new answers." in page
    assert "Closed as a duplicate." in page and original.title in page
    assert db.session.execute(db.select(Answer)).first() is None


def test_staff_close_and_reopen(client, make_user, make_question):
    staff = make_user("staff")
    original, duplicate = make_question(), make_question()
    login(client, staff)
    response = client.post(f"/questions/{duplicate.id}/close", data={"duplicate_of": "99999"})
    assert "There is no question with that number." in response.get_data(as_text=True)
    response = client.post(
        f"/questions/{duplicate.id}/close",
        data={"duplicate_of": f"http://localhost/questions/{original.id}/x"},
    )
    assert response.status_code == 302
    assert _fresh(Question, duplicate.id).duplicate_of_id == original.id
    client.post(f"/questions/{duplicate.id}/reopen")
    assert not _fresh(Question, duplicate.id).is_closed


def test_comments_count_notify_and_validate(client, make_user, make_question, make_answer):
    asker, answerer, commenter = make_user(), make_user(), make_user()
    question = make_question(author=asker)
    answer = make_answer(question, author=answerer)
    login(client, commenter)
    field = f"answer-{answer.id}-body"
    response = client.post(f"/answers/{answer.id}/comments", data={field: "Too short"})
    assert response.status_code == 422
    assert "Use 15 to 600 characters." in response.get_data(as_text=True)
    client.post(f"/answers/{answer.id}/comments", data={field: "Which version of the app?"})
    client.post(
        f"/questions/{question.id}/comments",
        data={f"question-{question.id}-body": "Did this start after the update?"},
    )
    assert _fresh(Answer, answer.id).comment_count == 1
    assert _fresh(Question, question.id).comment_count == 1
    recipients = set(
        db.session.scalars(
            db.select(Notification.user_id).where(Notification.kind == "comment.posted")
        )
    )
    assert recipients == {asker.id, answerer.id}
    page = client.get(f"/questions/{question.id}").get_data(as_text=True)
    assert "Which version of the app?" in page and "Did this start after the update?" in page
    assert db.session.execute(db.select(db.func.count(Comment.id))).scalar_one() == 2


def test_author_edits_keep_revisions_and_show_edited_time(client, make_user, make_question):
    author = make_user()
    question = make_question(author=author, title="Original title of my question")
    original_body = question.body
    login(client, author)
    response = client.post(
        f"/questions/{question.id}/edit",
        data={
            "title": "Better title for my question",
            "body": "Clearer details about what I tried and what happened.",
            "area": question.product_area.slug,
            "tags": "export",
        },
    )
    assert response.status_code == 302
    question = _fresh(Question, question.id)
    assert question.title == "Better title for my question"
    assert question.edited_at is not None and question.edited_by_id == author.id
    revision = db.session.execute(db.select(Revision)).scalar_one()
    assert (revision.title, revision.body) == ("Original title of my question", original_body)
    page = client.get(f"/questions/{question.id}").get_data(as_text=True)
    assert "edited <time" in page
    history = client.get(f"/questions/{question.id}/revisions").get_data(as_text=True)
    assert "Original title of my question" in history and "Better title" in history
    kinds = set(db.session.scalars(db.select(ActivityEvent.kind)))
    assert "question.edited" in kinds


def test_answer_edit_by_staff(client, make_user, make_question, make_answer):
    answer = make_answer(make_question())
    login(client, make_user("staff"))
    client.post(f"/answers/{answer.id}/edit", data={"body": ANSWER})
    assert _fresh(Answer, answer.id).body == ANSWER
    assert db.session.execute(db.select(Revision.answer_id)).scalar_one() == answer.id


def test_deleted_posts_are_hidden_from_members_and_visible_to_staff(
    app, make_user, make_question, make_answer
):
    staff, member = make_user("staff"), make_user()
    question = make_question()
    answer = make_answer(question, body="This answer will be deleted by staff.")
    delete_post(answer, staff)
    db.session.commit()
    as_member, as_staff = app.test_client(), app.test_client()
    login(as_member, member)
    login(as_staff, staff)
    assert "will be deleted" not in as_member.get(f"/questions/{question.id}").get_data(True)
    assert "will be deleted" in as_staff.get(f"/questions/{question.id}").get_data(True)
    response = as_member.post(f"/answers/{answer.id}/comments", data={})
    assert response.status_code == 404
    assert "This answer was deleted." in response.get_data(as_text=True)
    as_staff.post(f"/questions/{question.id}/delete")
    assert as_member.get(f"/questions/{question.id}").status_code == 404
    assert as_member.get("/questions").get_data(True).count(question.title) == 0
    assert as_staff.get(f"/questions/{question.id}").status_code == 200
    as_staff.post(f"/questions/{question.id}/undelete")
    as_staff.post(f"/answers/{answer.id}/undelete")
    assert "will be deleted" in as_member.get(f"/questions/{question.id}").get_data(True)
    actions = [
        (c.doc_type, c.action)
        for c in db.session.scalars(db.select(SearchChange).order_by(SearchChange.id))
    ]
    assert ("answer", "delete") in actions and ("question", "delete") in actions
    assert actions[-1] == ("answer", "upsert")


def test_staff_acting_on_a_deleted_post_gets_a_message(
    client, make_user, make_question, make_answer
):
    staff = make_user("staff")
    question = make_question()
    delete_post(question, staff)
    db.session.commit()
    login(client, staff)
    response = client.post(
        f"/questions/{question.id}/answers", data={"body": ANSWER}, follow_redirects=True
    )
    assert "This question was deleted" in response.get_data(as_text=True)
    assert db.session.execute(db.select(Answer)).first() is None


def test_comment_author_or_staff_delete_a_comment(app, make_user, make_question, make_answer):
    from portal.support.services import add_comment

    author, other, staff = make_user(), make_user(), make_user("staff")
    question = make_question()
    answer = make_answer(question)
    comment = add_comment(author, answer, "This comment will be removed later.")
    db.session.commit()
    as_other = app.test_client()
    login(as_other, other)
    assert as_other.post(f"/comments/{comment.id}/delete").status_code == 403
    as_author = app.test_client()
    login(as_author, author)
    assert as_author.post(f"/comments/{comment.id}/delete").status_code == 302
    assert _fresh(Answer, answer.id).comment_count == 0
    assert "will be removed" not in as_other.get(f"/questions/{question.id}").get_data(True)
    as_staff = app.test_client()
    login(as_staff, staff)
    page = as_staff.get(f"/questions/{question.id}").get_data(as_text=True)
    assert "Deleted:" in page and "will be removed" in page
    response = as_staff.post(f"/comments/{comment.id}/delete", follow_redirects=True)
    assert "This comment is already deleted." in response.get_data(as_text=True)
    from portal.support.recount import recount

    assert recount(fix=False) == []


def test_edit_form_starts_from_the_question_as_it_is(client, make_user, make_question):
    author = make_user()
    question = make_question(
        author=author, tags=["sync", "ios"], body="The body as typed **here**."
    )
    login(client, author)
    page = client.get(f"/questions/{question.id}/edit").get_data(as_text=True)
    assert 'name="tags" type="text" value="ios sync"' in page
    assert "The body as typed **here**." in page
    assert f'<option selected value="{question.product_area.slug}">' in page
